import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  type BudgetLimit,
  type BudgetPeriod,
  type Reservation,
} from "../server/budgets.js";

type MaybePromise<T> = T | Promise<T>;

/** What the suite needs of a budget store; the sync SQLite `BudgetStore` and its async twins fit. */
export interface BudgetStoreLike {
  reserve(limits: readonly BudgetLimit[], amountUsd: number): MaybePromise<Reservation>;
  settle(reservation: Reservation, costUsd: number): MaybePromise<void>;
  usage(
    scope: string,
    period: BudgetPeriod,
    at?: number,
  ): MaybePromise<{ spentUsd: number; reservedUsd: number }>;
  remaining(limits: readonly BudgetLimit[]): MaybePromise<number>;
}

/** What a backend's test file hands the suite for each test: a store over fresh, empty storage. */
export interface BudgetHarness {
  store: BudgetStoreLike;
  /**
   * Another store over the same storage with its own connections and the same options, as a second
   * server process would open it.
   */
  another(): Promise<BudgetStoreLike>;
  /** Closes every connection and removes the storage. */
  cleanup(): Promise<void>;
}

export interface BudgetStoreOptions {
  now: () => number;
  reservationTtlMs: number;
}

const TTL = 60_000;
// Midday UTC, so a few hours either way stay on the same day.
const START = Date.UTC(2026, 11, 6, 12);
const DAY = 24 * 60 * 60_000;

/**
 * Declares the vitest suite every budget store must pass. Call it from a backend's test file:
 *
 * @example
 * budgetConformance("sqlite", async (options) => { const store = new BudgetStore(openSqlite(file), options); ... });
 */
export function budgetConformance(
  name: string,
  factory: (options: BudgetStoreOptions) => Promise<BudgetHarness>,
): void {
  describe(`budget store conformance: ${name}`, () => {
    let harness: BudgetHarness;
    let store: AsyncBudgetStore;
    let now: number;

    beforeEach(async () => {
      now = START;
      harness = await factory({ now: () => now, reservationTtlMs: TTL });
      store = promised(harness.store);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const keyDay = (limitUsd: number, scope = "key:k1"): BudgetLimit => ({ scope, period: "day", limitUsd });
    const tenantMonth = (limitUsd: number, scope = "tenant:acme"): BudgetLimit => ({
      scope,
      period: "month",
      limitUsd,
    });

    describe("reserve", () => {
      it("reserves under every limit, and counts it in each one's usage", async () => {
        await store.reserve([keyDay(1), tenantMonth(10)], 0.25);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0, reservedUsd: 0.25 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0, reservedUsd: 0.25 });
        expect(await store.remaining([keyDay(1), tenantMonth(10)])).toBe(0.75);
      });

      it("reserves under every limit or none: a refusal by one leaves the others untouched", async () => {
        const limits = [keyDay(10), tenantMonth(0.5)];
        await store.reserve(limits, 0.4);
        const refusal = await store.reserve(limits, 0.2).catch((e: unknown) => e);
        expect(refusal).toBeInstanceOf(BudgetExceededError);
        expect(refusal).toMatchObject({
          code: "BUDGET_EXCEEDED",
          scope: "tenant:acme",
          period: "month",
          limitUsd: 0.5,
          requestedUsd: 0.2,
        });
        expect((refusal as BudgetExceededError).remainingUsd).toBeCloseTo(0.1, 9);
        expect((refusal as Error).message).toMatch(/monthly budget of tenant acme/);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0, reservedUsd: 0.4 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0, reservedUsd: 0.4 });
      });

      it("admits a reservation that fills a budget exactly, and refuses the smallest one after it", async () => {
        await store.reserve([keyDay(1)], 0.6);
        await store.reserve([keyDay(1)], 0.4);
        expect(await store.remaining([keyDay(1)])).toBe(0);
        await expect(store.reserve([keyDay(1)], 0.000000001)).rejects.toMatchObject({
          code: "BUDGET_EXCEEDED",
          remainingUsd: 0,
        });
      });

      it("keeps scopes apart: one key's spending leaves another's budget whole", async () => {
        await store.settle(await store.reserve([keyDay(1, "key:a")], 1), 1);
        await expect(store.reserve([keyDay(1, "key:a")], 0.01)).rejects.toBeInstanceOf(BudgetExceededError);
        await store.reserve([keyDay(1, "key:b")], 1);
        expect(await store.remaining([keyDay(1, "key:b")])).toBe(0);
      });

      it("a request with no limits is always admitted, and has Infinity left", async () => {
        const reservation = await store.reserve([], 1_000);
        expect(reservation.windows).toEqual([]);
        await store.settle(reservation, 1_000);
        expect(await store.remaining([])).toBe(Number.POSITIVE_INFINITY);
      });
    });

    describe("settle", () => {
      it("replaces the reservation by the real cost", async () => {
        const limits = [keyDay(1), tenantMonth(10)];
        const reservation = await store.reserve(limits, 0.5);
        await store.settle(reservation, 0.1);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.1, reservedUsd: 0 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0.1, reservedUsd: 0 });
        expect(await store.remaining(limits)).toBe(0.9);
      });

      it("a request that failed before any output settles at zero and frees its reservation", async () => {
        const reservation = await store.reserve([keyDay(1)], 0.9);
        await expect(store.reserve([keyDay(1)], 0.2)).rejects.toBeInstanceOf(BudgetExceededError);
        await store.settle(reservation, 0);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0, reservedUsd: 0 });
        await store.reserve([keyDay(1)], 0.2);
      });

      it("adds up many small costs exactly, with no floating-point drift", async () => {
        for (let i = 0; i < 10; i++) await store.settle(await store.reserve([keyDay(1)], 0.1), 0.1);
        // Ten additions of 0.1 in floating point make 0.9999999999999999.
        expect((await store.usage("key:k1", "day")).spentUsd).toBe(1);
        expect(await store.remaining([keyDay(1)])).toBe(0);
        await expect(store.reserve([keyDay(1)], 0.000000001)).rejects.toBeInstanceOf(BudgetExceededError);
      });

      it("a second settle of one reservation adds its cost again but releases nothing more", async () => {
        const a = await store.reserve([keyDay(1)], 0.3);
        const b = await store.reserve([keyDay(1)], 0.3);
        await store.settle(a, 0.1);
        await store.settle(a, 0.1);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.2, reservedUsd: 0.3 });
        await store.settle(b, 0);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.2, reservedUsd: 0 });
      });
    });

    describe("expiry", () => {
      it("releases a reservation nobody settled once its TTL has passed", async () => {
        await store.reserve([keyDay(1)], 0.8);
        now += TTL;
        await expect(store.reserve([keyDay(1)], 0.8)).rejects.toBeInstanceOf(BudgetExceededError);
        now += 1;
        await store.reserve([keyDay(1)], 0.8);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0, reservedUsd: 0.8 });
      });

      it("a settle after the reservation was released only adds the spending", async () => {
        const late = await store.reserve([keyDay(1), tenantMonth(10)], 0.8);
        now += TTL + 1;
        await store.reserve([keyDay(1), tenantMonth(10)], 0.5);
        await store.settle(late, 0.3);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.3, reservedUsd: 0.5 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0.3, reservedUsd: 0.5 });
      });

      it("a settle after expiry, before anything released it, releases it once", async () => {
        const late = await store.reserve([keyDay(1)], 0.8);
        now += TTL + 1;
        await store.settle(late, 0.3);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.3, reservedUsd: 0 });
        await store.reserve([keyDay(1)], 0.7);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.3, reservedUsd: 0.7 });
      });

      it("a reservation released by another scope's request no longer counts anywhere", async () => {
        await store.reserve([keyDay(1, "key:a"), tenantMonth(1)], 0.8);
        now += TTL + 1;
        // key:b's request releases key:a's expired reservation from both of its budgets.
        await store.reserve([keyDay(1, "key:b"), tenantMonth(1)], 0.5);
        expect(await store.usage("key:a", "day")).toEqual({ spentUsd: 0, reservedUsd: 0 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0, reservedUsd: 0.5 });
      });
    });

    describe("periods", () => {
      it("a daily budget starts afresh on the next UTC day; a monthly one keeps counting", async () => {
        const limits = [keyDay(1), tenantMonth(10)];
        await store.settle(await store.reserve(limits, 1), 1);
        await expect(store.reserve(limits, 0.5)).rejects.toMatchObject({ scope: "key:k1", period: "day" });
        const yesterday = now;
        now += DAY;
        expect(await store.remaining(limits)).toBe(1);
        await store.settle(await store.reserve(limits, 0.5), 0.5);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.5, reservedUsd: 0 });
        expect(await store.usage("key:k1", "day", yesterday)).toEqual({ spentUsd: 1, reservedUsd: 0 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 1.5, reservedUsd: 0 });
        expect(await store.remaining(limits)).toBe(0.5);
      });

      it("a monthly budget starts afresh in the next calendar month", async () => {
        await store.settle(await store.reserve([tenantMonth(1)], 1), 1);
        now = Date.UTC(2027, 0, 1, 0, 0, 1);
        expect(await store.remaining([tenantMonth(1)])).toBe(1);
        await store.reserve([tenantMonth(1)], 1);
      });
    });

    describe("several processes on one store", () => {
      it("200 concurrent reservations from two processes never overshoot a nearly spent budget", async () => {
        const other = promised(await harness.another());
        const limits = [keyDay(1), tenantMonth(5)];
        await store.settle(await store.reserve(limits, 0.99), 0.99);
        // Room for exactly ten reservations of 0.001 USD.
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => (i % 2 ? other : store).reserve(limits, 0.001)),
        );
        const admitted = results.filter((r) => r.status === "fulfilled");
        const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason);
        expect(admitted).toHaveLength(10);
        expect(refused).toHaveLength(190);
        for (const reason of refused) expect(reason).toBeInstanceOf(BudgetExceededError);
        expect(await other.usage("key:k1", "day")).toEqual({ spentUsd: 0.99, reservedUsd: 0.01 });
        expect(await store.remaining(limits)).toBe(0);

        // Settled concurrently from both processes too: the reservations all go, the spending adds up.
        await Promise.all(
          admitted.map((r, i) =>
            (i % 2 ? store : other).settle((r as PromiseFulfilledResult<Reservation>).value, 0.0006),
          ),
        );
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.996, reservedUsd: 0 });
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0.996, reservedUsd: 0 });
      });

      it("requests naming shared budgets in different orders neither deadlock nor overshoot", async () => {
        const other = promised(await harness.another());
        const tenant = tenantMonth(0.05);
        // Two keys of one tenant, half of the requests listing the tenant first.
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => {
            const key = keyDay(1, i % 4 < 2 ? "key:a" : "key:b");
            return (i % 2 ? other : store).reserve(i % 3 ? [key, tenant] : [tenant, key], 0.001);
          }),
        );
        const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason);
        for (const reason of refused) expect(reason).toBeInstanceOf(BudgetExceededError);
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(50);
        const a = await store.usage("key:a", "day");
        const b = await store.usage("key:b", "day");
        expect(a.reservedUsd + b.reservedUsd).toBeCloseTo(0.05, 9);
        expect(await store.usage("tenant:acme", "month")).toEqual({ spentUsd: 0, reservedUsd: 0.05 });
      });

      it("a reservation made by one process is settled by another", async () => {
        const other = promised(await harness.another());
        const reservation = await store.reserve([keyDay(1)], 0.5);
        await other.settle(reservation, 0.2);
        expect(await store.usage("key:k1", "day")).toEqual({ spentUsd: 0.2, reservedUsd: 0 });
      });
    });
  });
}

interface AsyncBudgetStore {
  reserve(limits: readonly BudgetLimit[], amountUsd: number): Promise<Reservation>;
  settle(reservation: Reservation, costUsd: number): Promise<void>;
  usage(scope: string, period: BudgetPeriod, at?: number): Promise<{ spentUsd: number; reservedUsd: number }>;
  remaining(limits: readonly BudgetLimit[]): Promise<number>;
}

/** Every call awaited, so a sync store's throw is a rejection like an async store's. */
function promised(store: BudgetStoreLike): AsyncBudgetStore {
  return {
    reserve: async (limits, amountUsd) => store.reserve(limits, amountUsd),
    settle: async (reservation, costUsd) => store.settle(reservation, costUsd),
    usage: async (scope, period, at) =>
      at === undefined ? store.usage(scope, period) : store.usage(scope, period, at),
    remaining: async (limits) => store.remaining(limits),
  };
}
