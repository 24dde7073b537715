import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ModelResponse } from "../model/types.js";

type MaybePromise<T> = T | Promise<T>;

/** What the suite needs of a response cache; the sync SQLite `responseCache` and its async twins fit. */
export interface ResponseCacheLike {
  get(tenant: string, key: string): MaybePromise<ModelResponse | undefined>;
  set(tenant: string, key: string, response: ModelResponse): MaybePromise<void>;
  purge(): MaybePromise<number>;
  close(): MaybePromise<void>;
}

export interface ResponseCacheOptions {
  ttlMs: number;
  now: () => number;
}

/** What a backend's test file hands the suite for each test: a cache over fresh, empty storage. */
export interface CacheHarness {
  cache: ResponseCacheLike;
  /** Another cache over the same storage with its own connections and options, as a second process. */
  another(): Promise<ResponseCacheLike>;
  /** Closes every connection and removes the storage. */
  cleanup(): Promise<void>;
}

const TTL = 60_000;

/**
 * Declares the vitest suite every response cache must pass. `factory` opens a cache with the given
 * options; it must reject (or throw) the way the backend refuses bad options.
 *
 * @example
 * cacheConformance("sqlite", async (options) => ({ cache: responseCache({ path, ...options }), another, cleanup }));
 */
export function cacheConformance(
  name: string,
  factory: (options: ResponseCacheOptions) => Promise<CacheHarness>,
): void {
  describe(`response cache conformance: ${name}`, () => {
    let harness: CacheHarness;
    let cache: ResponseCacheLike;
    let now: number;
    let opened: CacheHarness[];

    const open = async (options: ResponseCacheOptions) => {
      const h = await factory(options);
      opened.push(h);
      return h;
    };
    beforeEach(async () => {
      now = 1_000_000;
      opened = [];
      harness = await open({ ttlMs: TTL, now: () => now });
      cache = harness.cache;
    });
    afterEach(async () => {
      for (const h of opened) await h.cleanup();
    });

    it("serves what was stored, field for field, and nothing for an unknown key", async () => {
      const stored = answer("four", {
        toolCalls: [{ id: "call_1", name: "add", arguments: '{"a": 2, "b": 2}' }],
        systemFingerprint: "fp_1",
        finishReason: "tool-calls",
      });
      await cache.set("acme", "k1", stored);
      expect(await cache.get("acme", "k1")).toStrictEqual(stored);
      expect(await cache.get("acme", "k2")).toBeUndefined();
    });

    it("keeps any text intact, a NUL character and emoji included", async () => {
      const stored = answer("null \u0000 byte, quotes \" ' and 🦀 \u2028 end");
      await cache.set("acme", "k1", stored);
      expect(await cache.get("acme", "k1")).toStrictEqual(stored);
    });

    it("never serves one tenant's entry to another", async () => {
      await cache.set("acme", "k1", answer("for acme"));
      expect(await cache.get("globex", "k1")).toBeUndefined();
      await cache.set("globex", "k1", answer("for globex"));
      expect((await cache.get("acme", "k1"))?.text).toBe("for acme");
      expect((await cache.get("globex", "k1"))?.text).toBe("for globex");
    });

    it("serves an entry until its TTL has passed, never after", async () => {
      await cache.set("acme", "k1", answer("four"));
      now += TTL - 1;
      expect((await cache.get("acme", "k1"))?.text).toBe("four");
      now += 1;
      expect(await cache.get("acme", "k1")).toBeUndefined();
    });

    it("storing a key again replaces the entry and renews its TTL", async () => {
      await cache.set("acme", "k1", answer("old"));
      now += TTL / 2;
      await cache.set("acme", "k1", answer("new"));
      now += TTL / 2 + 1;
      expect((await cache.get("acme", "k1"))?.text).toBe("new");
    });

    it("purge removes the expired entries only and says how many", async () => {
      await cache.set("acme", "old", answer("a"));
      await cache.set("globex", "old", answer("b"));
      now += TTL / 2;
      await cache.set("acme", "fresh", answer("c"));
      now += TTL / 2;
      expect(await cache.purge()).toBe(2);
      expect(await cache.purge()).toBe(0);
      expect((await cache.get("acme", "fresh"))?.text).toBe("c");
    });

    it("entries one process stores are served to another", async () => {
      const other = await harness.another();
      await cache.set("acme", "k1", answer("four"));
      expect((await other.get("acme", "k1"))?.text).toBe("four");
      await other.set("acme", "k1", answer("five"));
      expect((await cache.get("acme", "k1"))?.text).toBe("five");
    });

    it("concurrent stores of one key leave one whole entry", async () => {
      const other = await harness.another();
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) =>
          (i % 2 ? other : cache).set("acme", "k1", answer(`v${i}`)),
        ),
      );
      expect((await cache.get("acme", "k1"))?.text).toMatch(/^v\d+$/);
    });

    it("refuses a TTL that is not a positive number of milliseconds", async () => {
      for (const ttlMs of [0, -1, Number.NaN]) {
        await expect(open({ ttlMs, now: () => now })).rejects.toMatchObject({
          code: "MODEL_CONFIG",
          message: expect.stringMatching(/ttlMs must be a positive number/),
        });
      }
    });
  });
}

function answer(text: string, overrides: Partial<ModelResponse> = {}): ModelResponse {
  return {
    text,
    toolCalls: [],
    finishReason: "stop",
    usage: {
      inputTokens: 10,
      outputTokens: 5,
      cachedInputTokens: 2,
      cacheWriteTokens: 0,
      source: "provider",
    },
    model: "mock-small",
    provider: "mock",
    ...overrides,
  };
}
