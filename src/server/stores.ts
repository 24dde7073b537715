/**
 * What the server needs from its stores, whichever database holds them: the SQLite classes answer
 * at once, their PostgreSQL twins with promises, and callers await either. Each pair passes one
 * conformance suite (src/testkit/*-conformance.ts).
 */
import type { ModelResponse } from "../model/index.js";
import type { BudgetLimit, BudgetPeriod, Reservation } from "./budgets.js";
import type { ApiKey, CreatedKey, CreateKeyInput } from "./keys.js";
import type { RateLimit, Taken } from "./rate-limits.js";

type MaybePromise<T> = T | Promise<T>;

export interface KeysStore {
  /** Creates a key; the returned `key` is the only copy of the secret. */
  create(input: CreateKeyInput): MaybePromise<CreatedKey>;
  /** The key a secret belongs to, if it exists and is not revoked (revocation applies at once). */
  verify(secret: string): MaybePromise<ApiKey | undefined>;
  get(id: string): MaybePromise<ApiKey | undefined>;
  list(filter?: { tenant?: string; includeRevoked?: boolean }): MaybePromise<ApiKey[]>;
  /** Revokes a key for every process sharing the store; revoking twice is `CONFLICT`. */
  revoke(id: string): MaybePromise<ApiKey>;
  /** Keys that can still be used (a store with none gets an admin key at first start). */
  activeCount(): MaybePromise<number>;
}

export interface BudgetsStore {
  reserve(limits: readonly BudgetLimit[], amountUsd: number): MaybePromise<Reservation>;
  settle(reservation: Reservation, costUsd: number): MaybePromise<void>;
  usage(
    scope: string,
    period: BudgetPeriod,
    at?: number,
  ): MaybePromise<{ spentUsd: number; reservedUsd: number }>;
  remaining(limits: readonly BudgetLimit[]): MaybePromise<number>;
}

export interface RateLimitsStore {
  take(scopes: ReadonlyArray<{ scope: string; limit: RateLimit }>, tokens: number): Promise<Taken>;
  giveBack(taken: Taken, usedTokens: number): Promise<void>;
}

export interface CacheStore {
  get(tenant: string, key: string): MaybePromise<ModelResponse | undefined>;
  set(tenant: string, key: string, response: ModelResponse): MaybePromise<void>;
  purge(): MaybePromise<number>;
  close(): MaybePromise<void>;
}
