import { afterEach, describe, expect, it } from "vitest";
import {
  generateSigningKey,
  type NoteSigner,
  noteSigner,
  openCheckpoint,
  parseVerifierKey,
} from "../audit/checkpoint-note.js";
import type { AuditEventInput, EventType } from "../audit/events.js";
import type { AppendResult, InclusionProof, StoredEvent } from "../audit/log.js";
import { verifyConsistency, verifyInclusion } from "../audit/merkle.js";
import type { Problem, VerifyOptions, VerifyReport } from "../audit/verify.js";

type MaybePromise<T> = T | Promise<T>;

/** What the suite needs of an audit log; the sync-read SQLite `AuditLog` and its async twins fit. */
export interface AuditLogLike {
  append<T extends EventType>(input: AuditEventInput<T>): Promise<AppendResult>;
  flush(): Promise<void>;
  checkpoint(tenant: string): Promise<string>;
  latestCheckpoint(tenant: string): MaybePromise<string | undefined>;
  size(tenant: string): MaybePromise<number>;
  tenants(): MaybePromise<string[]>;
  root(tenant: string, size?: number): MaybePromise<string>;
  inclusionProof(tenant: string, seq: number, size?: number): MaybePromise<InclusionProof>;
  consistencyProof(
    tenant: string,
    from: number,
    to?: number,
  ): MaybePromise<{ from: number; to: number; proof: string[] }>;
  read(tenant: string, seq: number, reader: { actor: string }): Promise<StoredEvent>;
  runEvents(runId: string, reader: { actor: string; tenant: string }): Promise<StoredEvent[]>;
  erase(
    tenant: string,
    subject: string,
    request: { actor: string; legalBasis: string },
  ): Promise<{ keys: number }>;
  applyRetention(
    tenant: string,
    policy: { dataClass: string; days: number; actor: string },
  ): Promise<{ keys: number }>;
  close(): Promise<void>;
}

/** Changes to the stored rows behind the log's back, as someone with write access to the database could. */
export interface AuditTamper {
  /** Rewrites an event's stored envelope (its recorded leaf hash is left as it was). */
  modify(tenant: string, seq: number, edit: (envelope: string) => string): Promise<void>;
  /** Deletes events. */
  remove(tenant: string, seqs: number[]): Promise<void>;
  /** Swaps two events' rows (envelope and leaf hash): each sits at the other's position. */
  swap(tenant: string, a: number, b: number): Promise<void>;
  /** Deletes events from `from` on, the stored tree nodes over them, and every stored checkpoint of the tenant. */
  truncate(tenant: string, from: number): Promise<void>;
}

/** What a backend's test file hands the suite for each log: a log over fresh, empty storage. */
export interface AuditHarness {
  log: AuditLogLike;
  /** Another log over the same storage with its own connections and options, as a second server process. */
  another(): Promise<AuditLogLike>;
  /** The backend's verifier over the storage. */
  verify(options: VerifyOptions): Promise<VerifyReport>;
  tamper: AuditTamper;
  /** How many content keys of a subject the storage still holds. */
  storedKeys(tenant: string, subject: string): Promise<number>;
  /** Whether any stored event holds these bytes (plaintext that must never be stored). */
  holdsBytes(text: string): Promise<boolean>;
  /** Closes every log and connection and removes the storage. */
  cleanup(): Promise<void>;
}

export interface AuditLogTestOptions {
  signer: NoteSigner;
  now: () => number;
  checkpointEvery: number;
  redact?: (text: string) => string;
  redactionVersion?: string;
}

const KEY = generateSigningKey("keel-test");
const SIGNER = noteSigner("keel-test", KEY.privateKeyPem);

function toolEvent(
  tenant: string,
  i: number,
  extra: Partial<AuditEventInput<"tool.call">> = {},
): AuditEventInput<"tool.call"> {
  return {
    type: "tool.call",
    tenant,
    actor: "svc-orders",
    runId: `run-${i % 3}`,
    data: { name: "lookup_order", callId: `call-${i}`, status: "ok", latencyMs: i },
    ...extra,
  };
}

const chat = (subject: string, text: string, extra: Partial<AuditEventInput<"tool.call">> = {}) =>
  toolEvent("acme", 1, { content: { arguments: text }, subject, ...extra });

const buf = (h: string) => Buffer.from(h, "hex");

/**
 * Declares the vitest suite every audit log backend must pass. Call it from a backend's test file:
 *
 * @example
 * auditConformance("sqlite", async (options) => ({ log: new AuditLog({ db: file, ...options }), ... }));
 */
export function auditConformance(
  name: string,
  factory: (options: AuditLogTestOptions) => Promise<AuditHarness>,
): void {
  describe(`audit log conformance: ${name}`, () => {
    const harnesses: AuditHarness[] = [];
    afterEach(async () => {
      for (const h of harnesses.splice(0)) await h.cleanup();
    });

    /** A fresh log; its clock starts on 2026-01-01 and moves 1 ms per reading. */
    const open = async (options: Partial<AuditLogTestOptions> = {}) => {
      let clock = Date.UTC(2026, 0, 1);
      const harness = await factory({ signer: SIGNER, now: () => clock++, checkpointEvery: 0, ...options });
      harnesses.push(harness);
      return harness;
    };
    const filled = async (events: number, options: Partial<AuditLogTestOptions> = {}) => {
      const harness = await open(options);
      await Promise.all(Array.from({ length: events }, (_, i) => harness.log.append(toolEvent("acme", i))));
      return harness;
    };
    const problems = async (harness: AuditHarness, checkpoint?: string): Promise<Problem[]> =>
      (await harness.verify({ vkey: KEY.vkey, checkpoint })).tenants.flatMap((t) => t.problems);
    const brief = (ps: Problem[]) => ps.map((p) => ({ kind: p.kind, seq: p.seq }));

    describe("appending", () => {
      it("gives each tenant's events positions 0..n-1 in append order, and reads them back", async () => {
        const { log } = await open();
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) => log.append(toolEvent(i % 3 === 0 ? "globex" : "acme", i))),
        );
        expect(results.filter((r) => r.tenant === "acme").map((r) => r.seq)).toEqual(
          Array.from({ length: 200 }, (_, i) => i),
        );
        expect(results.filter((r) => r.tenant === "globex").map((r) => r.seq)).toEqual(
          Array.from({ length: 100 }, (_, i) => i),
        );
        expect(await log.size("acme")).toBe(200);
        expect(await log.size("globex")).toBe(100);
        expect(await log.size("initech")).toBe(0);
        expect(await log.tenants()).toEqual(["acme", "globex"]);
        // Every globex event is of run-0 (i % 3 === 0).
        const run = await log.runEvents("run-0", { actor: "auditor", tenant: "globex" });
        expect(run.map((e) => e.envelope.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
        expect(run.map((e) => e.envelope.data.callId)).toEqual(
          Array.from({ length: 100 }, (_, i) => `call-${3 * i}`),
        );
        expect(run.every((e) => e.envelope.tenant === "globex")).toBe(true);
        const event = await log.read("acme", 7, { actor: "auditor" });
        expect(event.envelope).toMatchObject({
          seq: 7,
          tenant: "acme",
          type: "tool.call",
          actor: "svc-orders",
        });
      });

      it("rejects events of unknown type or missing facts, and keeps the others of the batch", async () => {
        const { log } = await open();
        const good = log.append(toolEvent("acme", 1));
        const cyclic: Record<string, unknown> = { name: "x", callId: "c", status: "ok", latencyMs: 1 };
        cyclic.self = cyclic;
        const bad = [
          log.append({ ...toolEvent("acme", 2), type: "tool.cal" } as never),
          log.append({
            type: "model.call",
            tenant: "acme",
            actor: "a",
            data: { provider: "openai" } as never,
          }),
          log.append({ ...toolEvent("acme", 3), tenant: "a b" }),
          log.append({ ...toolEvent("acme", 4), data: cyclic as never }),
        ];
        const after = log.append(toolEvent("acme", 5));
        for (const p of bad) await expect(p).rejects.toMatchObject({ code: "INVALID_EVENT" });
        expect(await good).toEqual({ tenant: "acme", seq: 0 });
        // The event that was not JSON took no position.
        expect(await after).toEqual({ tenant: "acme", seq: 1 });
      });

      it("logs every read as an audit.read event", async () => {
        const { log } = await filled(3);
        await log.read("acme", 1, { actor: "auditor" });
        await log.runEvents("run-0", { actor: "auditor", tenant: "acme" });
        const reads = (await log.runEvents("run-0", { actor: "x", tenant: "acme" })).slice(-1);
        expect(reads[0]?.envelope).toMatchObject({
          type: "audit.read",
          actor: "auditor",
          data: { what: "run" },
        });
        expect((await log.read("acme", 3, { actor: "x" })).envelope).toMatchObject({
          type: "audit.read",
          actor: "auditor",
          data: { what: "event", seq: 1 },
        });
        await expect(log.read("acme", 99, { actor: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
        await expect(log.runEvents("nope", { actor: "x", tenant: "acme" })).rejects.toMatchObject({
          code: "NOT_FOUND",
        });
      });
    });

    describe("proofs and checkpoints", () => {
      it("gives inclusion and consistency proofs that verify against the tree's roots", async () => {
        const { log } = await filled(37);
        const old = await log.root("acme", 20);
        const root = await log.root("acme");
        for (const seq of [0, 15, 16, 17, 36]) {
          const p = await log.inclusionProof("acme", seq);
          expect(p).toMatchObject({ tenant: "acme", seq, size: 37, root });
          expect(verifyInclusion(buf(p.leaf), p.seq, p.size, p.proof.map(buf), buf(p.root))).toBe(true);
          expect(verifyInclusion(buf(p.leaf), p.seq + 1, p.size, p.proof.map(buf), buf(p.root))).toBe(false);
        }
        const past = await log.inclusionProof("acme", 5, 20);
        expect(verifyInclusion(buf(past.leaf), 5, 20, past.proof.map(buf), buf(old))).toBe(true);
        for (const from of [1, 16, 20, 36]) {
          const c = await log.consistencyProof("acme", from);
          const then = buf(await log.root("acme", from));
          expect(c).toMatchObject({ from, to: 37 });
          expect(verifyConsistency(from, 37, then, buf(root), c.proof.map(buf))).toBe(true);
          expect(verifyConsistency(from, 37, buf(root), buf(root), c.proof.map(buf))).toBe(false);
        }
        await expect(async () => log.inclusionProof("acme", 37)).rejects.toMatchObject({
          code: "INVALID_QUERY",
          message: expect.stringContaining("not in a tree of 37"),
        });
        await expect(async () => log.consistencyProof("acme", 30, 20)).rejects.toMatchObject({
          code: "INVALID_QUERY",
        });
        await expect(async () => log.inclusionProof("nobody", 0)).rejects.toMatchObject({
          code: "NOT_FOUND",
        });
      });

      it("signs checkpoints that open with the public key alone and carry the tree's root", async () => {
        const { log } = await filled(21);
        const note = await log.checkpoint("acme");
        expect(await log.latestCheckpoint("acme")).toBe(note);
        expect(await log.checkpoint("acme")).toBe(note);
        const opened = openCheckpoint(note, parseVerifierKey(KEY.vkey));
        expect(opened).toMatchObject({ ok: true, checkpoint: { origin: "keel/audit/acme", size: 21 } });
        expect(opened.ok && opened.checkpoint.root.toString("hex")).toBe(await log.root("acme"));
        const stranger = parseVerifierKey(generateSigningKey("keel-test").vkey);
        expect(openCheckpoint(note, stranger)).toMatchObject({ ok: false, problem: "unsigned" });
        expect(await log.latestCheckpoint("globex")).toBeUndefined();
        await expect(log.checkpoint("globex")).rejects.toMatchObject({ code: "NOT_FOUND" });
      });

      it("signs a checkpoint automatically every checkpointEvery events", async () => {
        const { log, verify } = await open({ checkpointEvery: 10 });
        for (let i = 0; i < 25; i++) await log.append(toolEvent("acme", i));
        await log.flush();
        expect(await log.latestCheckpoint("acme")).toMatch(/^keel\/audit\/acme\n20\n/);
        const report = await verify({ vkey: KEY.vkey });
        expect(report.tenants[0]).toMatchObject({ checkpoints: 2, problems: [] });
      });
    });

    describe("verification", () => {
      it("passes an untouched log of several tenants, with its signed checkpoints", async () => {
        const harness = await filled(40);
        await harness.log.append(toolEvent("globex", 0));
        await harness.log.checkpoint("acme");
        const report = await harness.verify({ vkey: KEY.vkey });
        expect(report).toMatchObject({
          ok: true,
          events: 41,
          tenants: [
            { tenant: "acme", size: 40, checkpoints: 1, problems: [], root: await harness.log.root("acme") },
            { tenant: "globex", size: 1, checkpoints: 0, problems: [] },
          ],
        });
        await expect(harness.verify({ vkey: KEY.vkey, tenant: "nobody" })).rejects.toMatchObject({
          code: "NOT_FOUND",
        });
        await expect(harness.verify({ vkey: "not-a-key" })).rejects.toMatchObject({ code: "INVALID_KEY" });
      });

      it("says so for an empty log", async () => {
        const harness = await open();
        await expect(harness.verify({ vkey: KEY.vkey })).rejects.toMatchObject({ code: "NOT_FOUND" });
      });

      it("names a modified event, and the signed root it no longer gives", async () => {
        const harness = await filled(40);
        await harness.log.checkpoint("acme");
        await harness.tamper.modify("acme", 7, (e) => e.replace('"call-7"', '"call-8"'));
        expect(brief(await problems(harness))).toEqual([
          { kind: "modified", seq: 7 },
          { kind: "checkpoint-mismatch", seq: undefined },
        ]);
      });

      it("names a modified event in a log read in several batches", async () => {
        const harness = await filled(9_000);
        await harness.log.checkpoint("acme");
        expect(await problems(harness)).toEqual([]);
        await harness.tamper.modify("acme", 6001, (e) => e.replace('"call-6001"', '"call-6002"'));
        expect(brief(await problems(harness))).toEqual([
          { kind: "modified", seq: 6001 },
          { kind: "checkpoint-mismatch", seq: undefined },
        ]);
      });

      it("names deleted events", async () => {
        const harness = await filled(20);
        await harness.log.checkpoint("acme");
        await harness.tamper.remove("acme", [5, 6]);
        expect(await problems(harness)).toEqual([
          { kind: "missing", seq: 5, detail: "events 5 to 6 are missing (deleted)" },
        ]);
      });

      it("names reordered events", async () => {
        const harness = await filled(20);
        await harness.tamper.swap("acme", 11, 12);
        expect(brief(await problems(harness))).toEqual([
          { kind: "reordered", seq: 11 },
          { kind: "reordered", seq: 12 },
        ]);
      });

      it("catches truncation against a checkpoint exported earlier, even with the stored ones removed", async () => {
        const harness = await filled(30);
        const exported = await harness.log.checkpoint("acme");
        await Promise.all(Array.from({ length: 5 }, (_, i) => harness.log.append(toolEvent("acme", 30 + i))));
        expect(await problems(harness, exported)).toEqual([]);
        await harness.tamper.truncate("acme", 25);
        // Without the exported checkpoint, a log cut together with its checkpoints looks whole.
        expect(await problems(harness)).toEqual([]);
        expect(brief(await problems(harness, exported))).toEqual([{ kind: "truncated", seq: undefined }]);
      });

      it("refuses a forged checkpoint, one signed by another key, and another tenant's", async () => {
        const harness = await filled(10);
        const note = await harness.log.checkpoint("acme");
        const forged = note.replace(/^(.*\n)10\n/, "$19\n");
        expect(await problems(harness, forged)).toEqual([
          expect.objectContaining({
            kind: "checkpoint-signature",
            detail: expect.stringContaining("does not match"),
          }),
        ]);
        const stranger = await open({
          signer: noteSigner("keel-test", generateSigningKey("keel-test").privateKeyPem),
        });
        await stranger.log.append(toolEvent("acme", 0));
        expect(brief(await problems(harness, await stranger.log.checkpoint("acme")))).toEqual([
          { kind: "checkpoint-signature", seq: undefined },
        ]);
        await harness.log.append(toolEvent("globex", 0));
        const globex = await harness.log.checkpoint("globex");
        const report = await harness.verify({ vkey: KEY.vkey, tenant: "acme", checkpoint: globex });
        expect(brief(report.tenants[0]?.problems ?? [])).toEqual([
          { kind: "foreign-checkpoint", seq: undefined },
        ]);
      });
    });

    describe("content: redaction, encryption and erasure", () => {
      it("stores content encrypted, readable through the log", async () => {
        const harness = await open();
        const { seq } = await harness.log.append(chat("user-42", "order of Jane Roe, 12 Elm Street"));
        expect(await harness.holdsBytes("Jane Roe")).toBe(false);
        expect(await harness.log.read("acme", seq, { actor: "auditor" })).toMatchObject({
          content: { arguments: "order of Jane Roe, 12 Elm Street" },
          erased: false,
        });
      });

      it("erases a subject by destroying its keys: content gone, tombstone logged, log still verifies", async () => {
        const harness = await filled(5);
        const { log } = harness;
        const { seq } = await log.append(chat("user-42", "Jane Roe's address"));
        await log.append(chat("user-7", "someone else"));
        await log.append(chat("user-42", "Jane again", { dataClass: "support" }));
        await log.checkpoint("acme");
        expect(await harness.storedKeys("acme", "user-42")).toBe(2);
        expect(
          await log.erase("acme", "user-42", { actor: "dpo", legalBasis: "GDPR Art. 17(1)(a)" }),
        ).toEqual({
          keys: 2,
        });
        expect(await harness.storedKeys("acme", "user-42")).toBe(0);
        expect(await log.read("acme", seq, { actor: "auditor" })).toMatchObject({
          content: null,
          erased: true,
        });
        expect(await log.read("acme", seq + 2, { actor: "auditor" })).toMatchObject({
          content: null,
          erased: true,
        });
        expect((await log.read("acme", seq + 1, { actor: "auditor" })).content).toEqual({
          arguments: "someone else",
        });
        const tombstone = (await log.read("acme", seq + 3, { actor: "auditor" })).envelope;
        expect(tombstone).toMatchObject({
          type: "audit.erasure",
          actor: "dpo",
          data: { keys: 2, legalBasis: "GDPR Art. 17(1)(a)" },
        });
        expect(JSON.stringify(tombstone)).not.toContain("user-42");
        expect(await problems(harness)).toEqual([]);
        // New content of the subject after the erasure is sealed under a new key.
        const later = await log.append(chat("user-42", "new ticket"));
        expect((await log.read("acme", later.seq, { actor: "auditor" })).content).toEqual({
          arguments: "new ticket",
        });
      });

      it("refuses an erasure without legal basis, and of an unknown subject, changing nothing", async () => {
        const harness = await filled(3);
        await harness.log.append(toolEvent("acme", 3, { content: { arguments: "no subject" } }));
        await expect(
          harness.log.erase("acme", "user-1", { actor: "dpo", legalBasis: " " }),
        ).rejects.toMatchObject({ code: "INVALID_EVENT" });
        await expect(
          harness.log.erase("acme", "nobody", { actor: "dpo", legalBasis: "GDPR Art. 17" }),
        ).rejects.toMatchObject({ code: "UNKNOWN_SUBJECT" });
        await expect(
          harness.log.erase("acme", "", { actor: "dpo", legalBasis: "GDPR Art. 17" }),
        ).rejects.toMatchObject({ code: "UNKNOWN_SUBJECT" });
        expect(await harness.log.size("acme")).toBe(4);
        expect((await harness.log.read("acme", 3, { actor: "x" })).content).toEqual({
          arguments: "no subject",
        });
      });

      it("redacts before storing, and stores no content when redaction fails (fail closed)", async () => {
        const harness = await open({
          redact: (t) => {
            if (t.includes("boom")) throw new Error("redactor down");
            return t.replace(/\d{4}-\d{4}/g, "<CARD>");
          },
          redactionVersion: "test@1",
        });
        const { log } = harness;
        const a = await log.append(chat("u1", "card 1234-5678"));
        const b = await log.append(chat("u1", "boom 9999-0000"));
        expect((await log.read("acme", a.seq, { actor: "x" })).content).toEqual({ arguments: "card <CARD>" });
        const failed = await log.read("acme", b.seq, { actor: "x" });
        expect(failed).toMatchObject({
          content: null,
          erased: false,
          envelope: { contentOmitted: "redaction-failed", redaction: "test@1" },
        });
        expect(failed.envelope.sealed).toBeUndefined();
        expect(await harness.holdsBytes("9999-0000")).toBe(false);
        expect(await harness.holdsBytes("1234-5678")).toBe(false);
      });

      it("purges a data class past its retention, never below the minimum", async () => {
        let now = Date.UTC(2026, 0, 1);
        const { log } = await open({ now: () => now });
        const old = await log.append(chat("u1", "old text"));
        now = Date.UTC(2026, 11, 1);
        const fresh = await log.append(chat("u1", "new text"));
        await expect(
          log.applyRetention("acme", { dataClass: "default", days: 30, actor: "ops" }),
        ).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("at least 180") });
        expect(await log.applyRetention("acme", { dataClass: "default", days: 200, actor: "ops" })).toEqual({
          keys: 1,
        });
        expect((await log.read("acme", old.seq, { actor: "x" })).erased).toBe(true);
        expect((await log.read("acme", fresh.seq, { actor: "x" })).content).toEqual({
          arguments: "new text",
        });
        expect((await log.read("acme", 2, { actor: "x" })).envelope).toMatchObject({
          type: "audit.retention",
          data: { dataClass: "default", before: "2026-05-15", keys: 1 },
        });
      });
    });

    describe("several processes", () => {
      it("keeps one tree when two processes append in turns", async () => {
        const harness = await filled(3);
        const second = await harness.another();
        for (let i = 0; i < 40; i++) {
          const writer = i % 3 === 0 ? second : harness.log;
          expect((await writer.append(toolEvent("acme", 100 + i))).seq).toBe(3 + i);
        }
        await harness.log.checkpoint("acme");
        expect(await second.root("acme")).toBe(await harness.log.root("acme"));
        expect(await problems(harness)).toEqual([]);
      });

      it("gives one gap-free sequence that verifies when two processes append 500 events each at once", async () => {
        const harness = await open();
        const second = await harness.another();
        const event = (i: number) => toolEvent(i % 5 === 0 ? "globex" : "acme", i);
        // 100 events per process per tick: each commits several batches, interleaved with the other's.
        const pending: Array<Promise<AppendResult>> = [];
        for (let round = 0; round < 5; round++) {
          for (let i = round * 100; i < (round + 1) * 100; i++) {
            pending.push(harness.log.append(event(i)));
            pending.push(second.append(event(1000 + i)));
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        const results = await Promise.all(pending);
        const seqs = (tenant: string) =>
          results
            .filter((r) => r.tenant === tenant)
            .map((r) => r.seq)
            .sort((a, b) => a - b);
        expect(seqs("acme")).toEqual(Array.from({ length: 800 }, (_, i) => i));
        expect(seqs("globex")).toEqual(Array.from({ length: 200 }, (_, i) => i));
        const note = await second.checkpoint("acme");
        const report = await harness.verify({ vkey: KEY.vkey, checkpoint: note });
        expect(report).toMatchObject({
          ok: true,
          events: 1000,
          tenants: [
            { tenant: "acme", size: 800, problems: [] },
            { tenant: "globex", size: 200, problems: [] },
          ],
        });
        const p = await harness.log.inclusionProof("acme", 777);
        expect(verifyInclusion(buf(p.leaf), 777, 800, p.proof.map(buf), buf(p.root))).toBe(true);
      });
    });
  });
}
