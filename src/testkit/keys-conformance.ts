import { describe, expect, it } from "vitest";
import type { KeysStore } from "../server/stores.js";

/** A call whose synchronous throw (the SQLite store) becomes a rejection, as an async store's is. */
const attempt = <T>(fn: () => T | Promise<T>): Promise<T> => Promise.resolve().then(fn);

/** Two stores over one database, standing for two server processes. */
export interface KeysHarness {
  a: KeysStore;
  b: KeysStore;
  close(): Promise<void>;
}

/**
 * The behaviour every API key store must have, whichever database holds it.
 *
 * @example
 * keysConformance("postgres", async () => ({ a, b, close }));
 */
export function keysConformance(name: string, open: () => Promise<KeysHarness>): void {
  describe(`API key store conformance: ${name}`, () => {
    const withStores = (fn: (h: KeysHarness) => Promise<void>) => async () => {
      const h = await open();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    };

    it(
      "a created key verifies with its secret, in every process, and shows its fields",
      withStores(async ({ a, b }) => {
        const created = await a.create({
          tenant: "acme",
          role: "auditor",
          name: "ci",
          limits: { dailyUsd: 2.5 },
        });
        expect(created.key).toMatch(/^keel_[\w-]{32}$/);
        const { key: _secret, ...fields } = created;
        expect(await b.verify(created.key)).toEqual(fields);
        expect(await b.get(created.id)).toEqual(fields);
        expect(await a.verify(`${created.key}x`)).toBeUndefined();
        expect(await a.verify("not-a-key")).toBeUndefined();
        expect(await a.verify(`keel_${"x".repeat(200)}`)).toBeUndefined();
      }),
    );

    it(
      "a revocation in one process refuses the key in the other at once, and only once",
      withStores(async ({ a, b }) => {
        const created = await a.create({ tenant: "acme" });
        expect(await b.verify(created.key)).toBeDefined();
        const revoked = await a.revoke(created.id);
        expect(revoked.revokedAt).toEqual(expect.any(Number));
        expect(await b.verify(created.key)).toBeUndefined();
        await expect(attempt(() => b.revoke(created.id))).rejects.toMatchObject({ code: "CONFLICT" });
        await expect(attempt(() => b.revoke("key_missing"))).rejects.toMatchObject({ code: "NOT_FOUND" });
      }),
    );

    it(
      "lists keys per tenant, revoked ones on request, and counts the usable ones",
      withStores(async ({ a, b }) => {
        expect(await a.activeCount()).toBe(0);
        const k1 = await a.create({ tenant: "acme" });
        const k2 = await b.create({ tenant: "acme", role: "admin" });
        await a.create({ tenant: "globex" });
        await b.revoke(k1.id);
        expect((await a.list({ tenant: "acme" })).map((k) => k.id)).toEqual([k2.id]);
        expect((await a.list({ tenant: "acme", includeRevoked: true })).map((k) => k.id).sort()).toEqual(
          [k1.id, k2.id].sort(),
        );
        expect((await b.list()).length).toBe(2);
        expect(await b.activeCount()).toBe(2);
      }),
    );

    it(
      "refuses a bad tenant, role or limit, saying what is allowed, and stores nothing",
      withStores(async ({ a }) => {
        await expect(attempt(() => a.create({ tenant: "bad tenant!" }))).rejects.toThrow(
          /A tenant is 1 to 64/,
        );
        await expect(attempt(() => a.create({ tenant: "acme", role: "root" as never }))).rejects.toThrow(
          /Unknown role "root"/,
        );
        await expect(
          attempt(() => a.create({ tenant: "acme", limits: { requestsPerMinute: 1.5 } })),
        ).rejects.toThrow(/whole number/);
        expect(await a.activeCount()).toBe(0);
      }),
    );
  });
}
