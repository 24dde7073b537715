/**
 * Requests and tokens per minute, per API key and per tenant, counted in the shared store through
 * rate-limiter-flexible's SQLite limiter: its consume is one atomic upsert, so the count is exact
 * across every server process using the same file (a per-process count would let N processes admit
 * N times the limit). Tokens are taken for the prompt plus the most the answer may use, and what
 * the answer did not use is given back once it is known.
 */
import { type RateLimiterAbstract, RateLimiterRes, RateLimiterSQLite } from "rate-limiter-flexible";
import type { SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";

export interface RateLimit {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** A limit was reached: retry after `retryAfterMs`. */
export class RateLimitedError extends KeelError {
  readonly limiter: string;
  readonly retryAfterMs: number;
  readonly limit: number;

  constructor(limiter: string, limit: number, retryAfterMs: number) {
    super(
      "RATE_LIMITED",
      `Rate limit reached: ${limiter} allows ${limit} per minute. Retry after ${Math.ceil(retryAfterMs / 1000)} s.`,
      { retryable: true },
    );
    this.limiter = limiter;
    this.limit = limit;
    this.retryAfterMs = retryAfterMs;
  }
}

/** What a request took, to give back what it did not use. */
export interface Taken {
  tokens: Array<{ limiter: RateLimiterAbstract; key: string; points: number }>;
}

/** The limiter of one store counting `kind` against a limit of `points` per minute. */
export type LimiterFor = (kind: "requests" | "tokens", points: number) => RateLimiterAbstract;

const TABLE = "keel_rate_limits";

export class RateLimits {
  readonly #db: SqliteDatabase;
  readonly #limiters = new Map<string, RateLimiterSQLite>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`,
    );
  }

  #limiter(kind: "requests" | "tokens", points: number): RateLimiterSQLite {
    const id = `${kind}:${points}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterSQLite({
        storeClient: this.#db,
        storeType: "better-sqlite3",
        tableName: TABLE,
        tableCreated: true,
        keyPrefix: kind,
        points,
        duration: 60,
      });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }

  /**
   * Takes one request and `tokens` tokens from each scope's limits (e.g. `key:key_1a2b`, `tenant:acme`);
   * throws `RateLimitedError` for the first one reached, having given back what it took from the others.
   */
  take(scopes: ReadonlyArray<{ scope: string; limit: RateLimit }>, tokens: number): Promise<Taken> {
    return takeFrom((kind, points) => this.#limiter(kind, points), scopes, tokens);
  }

  /** Gives back tokens a request took but did not use. */
  giveBack(taken: Taken, usedTokens: number): Promise<void> {
    return giveBackTo(taken, usedTokens);
  }
}

/**
 * `RateLimits.take` over any store's limiters (the PostgreSQL twin shares it): one request and
 * `tokens` tokens from each scope's limits, all or none.
 */
export async function takeFrom(
  limiterFor: LimiterFor,
  scopes: ReadonlyArray<{ scope: string; limit: RateLimit }>,
  tokens: number,
): Promise<Taken> {
  const taken: Taken = { tokens: [] };
  const undo: Array<{ limiter: RateLimiterAbstract; key: string; points: number }> = [];
  try {
    for (const { scope, limit } of scopes) {
      if (limit.requestsPerMinute !== undefined) {
        const limiter = limiterFor("requests", limit.requestsPerMinute);
        await consume(limiter, scope, 1, `${scope} requests`, limit.requestsPerMinute);
        undo.push({ limiter, key: scope, points: 1 });
      }
      if (limit.tokensPerMinute !== undefined) {
        const limiter = limiterFor("tokens", limit.tokensPerMinute);
        const points = Math.min(tokens, limit.tokensPerMinute);
        await consume(limiter, scope, points, `${scope} tokens`, limit.tokensPerMinute);
        undo.push({ limiter, key: scope, points });
        taken.tokens.push({ limiter, key: scope, points });
      }
    }
  } catch (error) {
    for (const u of undo) await u.limiter.reward(u.key, u.points);
    throw error;
  }
  return taken;
}

/** `RateLimits.giveBack` over any store's limiters. */
export async function giveBackTo(taken: Taken, usedTokens: number): Promise<void> {
  for (const t of taken.tokens) {
    const unused = t.points - Math.min(t.points, usedTokens);
    if (unused > 0) await t.limiter.reward(t.key, unused);
  }
}

async function consume(
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
  name: string,
  limit: number,
) {
  try {
    await limiter.consume(key, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      // The limiter counted the refused points too: a refused request must not use up the minute.
      await limiter.reward(key, points);
      throw new RateLimitedError(name, limit, rejection.msBeforeNext);
    }
    throw rejection;
  }
}
