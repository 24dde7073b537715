import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RateLimit, RateLimitedError, type Taken } from "../server/rate-limits.js";

/** What the suite needs of a rate-limit store: `RateLimits` and its PostgreSQL twin fit. */
export interface RateLimitsLike {
  take(scopes: ReadonlyArray<{ scope: string; limit: RateLimit }>, tokens: number): Promise<Taken>;
  giveBack(taken: Taken, usedTokens: number): Promise<void>;
}

/** What a backend's test file hands the suite for each test: limits over fresh, empty storage. */
export interface RateLimitHarness {
  limits: RateLimitsLike;
  /** Another instance over the same storage with its own connections, as a second server process. */
  another(): Promise<RateLimitsLike>;
  /** Closes every connection and removes the storage. */
  cleanup(): Promise<void>;
}

/**
 * Declares the vitest suite every rate-limit store must pass. The limiters count real minutes (the
 * library reads the system clock), so no test waits for a window to end.
 *
 * @example
 * rateLimitConformance("sqlite", async () => ({ limits: new RateLimits(db), another, cleanup }));
 */
export function rateLimitConformance(name: string, factory: () => Promise<RateLimitHarness>): void {
  describe(`rate-limit conformance: ${name}`, () => {
    let harness: RateLimitHarness;
    let limits: RateLimitsLike;

    beforeEach(async () => {
      harness = await factory();
      limits = harness.limits;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const requests = (scope: string, requestsPerMinute: number) => ({ scope, limit: { requestsPerMinute } });
    const tokens = (scope: string, tokensPerMinute: number) => ({ scope, limit: { tokensPerMinute } });
    const outcome = (attempt: Promise<unknown>) =>
      attempt.then(
        () => "admitted",
        (error: unknown) => error,
      );

    it("admits exactly the requests per minute of a scope and says when to retry", async () => {
      for (let i = 0; i < 5; i++) await limits.take([requests("key:k1", 5)], 0);
      const refusal = await outcome(limits.take([requests("key:k1", 5)], 0));
      expect(refusal).toBeInstanceOf(RateLimitedError);
      expect(refusal).toMatchObject({
        code: "RATE_LIMITED",
        retryable: true,
        limiter: "key:k1 requests",
        limit: 5,
      });
      const { retryAfterMs } = refusal as RateLimitedError;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it("keeps scopes apart: one key at its limit leaves another's whole", async () => {
      await limits.take([requests("key:a", 1)], 0);
      await expect(limits.take([requests("key:a", 1)], 0)).rejects.toBeInstanceOf(RateLimitedError);
      await limits.take([requests("key:b", 1)], 0);
    });

    it("counts requests and tokens of one scope apart", async () => {
      await limits.take([{ scope: "key:k1", limit: { requestsPerMinute: 1, tokensPerMinute: 1_000 } }], 100);
      await limits.take([tokens("key:k1", 1_000)], 900);
      await expect(limits.take([tokens("key:k1", 1_000)], 1)).rejects.toMatchObject({
        code: "RATE_LIMITED",
        limiter: "key:k1 tokens",
      });
    });

    it("a refused request does not use up the minute", async () => {
      await limits.take([tokens("key:k1", 1_000)], 600);
      await expect(limits.take([tokens("key:k1", 1_000)], 600)).rejects.toBeInstanceOf(RateLimitedError);
      // The refused 600 were not counted: 400 more still fit, and not one more.
      await limits.take([tokens("key:k1", 1_000)], 400);
      await expect(limits.take([tokens("key:k1", 1_000)], 1)).rejects.toBeInstanceOf(RateLimitedError);
    });

    it("takes from every scope or none: a refusal by the tenant gives the key's request back", async () => {
      const both = [requests("key:k1", 3), requests("tenant:acme", 2)];
      await limits.take(both, 0);
      await limits.take(both, 0);
      await expect(limits.take(both, 0)).rejects.toMatchObject({ limiter: "tenant:acme requests" });
      // The key has used two of its three, not three.
      await limits.take([requests("key:k1", 3)], 0);
      await expect(limits.take([requests("key:k1", 3)], 0)).rejects.toBeInstanceOf(RateLimitedError);
    });

    it("gives back the tokens an answer did not use", async () => {
      const taken = await limits.take([tokens("key:k1", 1_000), tokens("tenant:acme", 5_000)], 800);
      await limits.giveBack(taken, 300);
      // 300 used of the key's 1,000: 700 more fit, and not one more.
      await limits.take([tokens("key:k1", 1_000)], 700);
      await expect(limits.take([tokens("key:k1", 1_000)], 1)).rejects.toBeInstanceOf(RateLimitedError);
      await limits.take([tokens("tenant:acme", 5_000)], 4_700);
      await expect(limits.take([tokens("tenant:acme", 5_000)], 1)).rejects.toBeInstanceOf(RateLimitedError);
    });

    it("a request larger than a whole minute's tokens takes all of them, and is admitted alone", async () => {
      await limits.take([tokens("key:k1", 100)], 500);
      await expect(limits.take([tokens("key:k1", 100)], 1)).rejects.toBeInstanceOf(RateLimitedError);
    });

    it("admits exactly the limit between two processes: 120 concurrent attempts, 50 per minute", async () => {
      const other = await harness.another();
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          outcome((i % 2 ? other : limits).take([requests("key:k1", 50)], 0)),
        ),
      );
      expect(results.filter((r) => r === "admitted")).toHaveLength(50);
      for (const r of results.filter((r) => r !== "admitted")) expect(r).toBeInstanceOf(RateLimitedError);
    });

    it("holds a token limit exactly between two processes", async () => {
      const other = await harness.another();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          outcome((i % 2 ? other : limits).take([tokens("key:k1", 1_000)], 100)),
        ),
      );
      expect(results.filter((r) => r === "admitted")).toHaveLength(10);
      const taken = await outcome(limits.take([tokens("key:k1", 1_000)], 100));
      expect(taken).toBeInstanceOf(RateLimitedError);
    });
  });
}
