/**
 * The rate limits of `rate-limits.ts` on PostgreSQL, through rate-limiter-flexible's own
 * `RateLimiterPostgres`: each consume is one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, atomic
 * on the server, so the count is exact across every process using the database.
 */
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { migratePostgres, type PostgresDatabase } from "../db/postgres.js";
import { giveBackTo, type RateLimit, type Taken, takeFrom } from "./rate-limits.js";

/** `RateLimits` on PostgreSQL: the same methods. */
export interface PostgresRateLimits {
  /**
   * Takes one request and `tokens` tokens from each scope's limits (e.g. `key:key_1a2b`,
   * `tenant:acme`); rejects with `RateLimitedError` for the first one reached, having given back what
   * it took from the others.
   */
  take(scopes: ReadonlyArray<{ scope: string; limit: RateLimit }>, tokens: number): Promise<Taken>;
  /** Gives back tokens a request took but did not use. */
  giveBack(taken: Taken, usedTokens: number): Promise<void>;
}

const TABLE = "keel_rate_limits";

// The shape the library creates itself, except `key` is TEXT: a long tenant name must not fail a
// request with "value too long for type character varying(255)".
const MIGRATIONS = [
  {
    id: 1,
    name: "rate limits",
    sql: `CREATE TABLE ${TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire BIGINT)`,
  },
];

/** Opens the rate limits on `db`, creating their table first (once, however many processes start). */
export async function openPostgresRateLimits(db: PostgresDatabase): Promise<PostgresRateLimits> {
  await migratePostgres(db, "server-rate-limits", MIGRATIONS);
  // Queries go through `db` rather than its raw pool, so a busy pool or an unreachable server is
  // `STORE_BUSY` / `STORE_UNAVAILABLE` as for every other PostgreSQL store. The library asks for a
  // "client" store type for any object with `query` (the name of its prepared statements is dropped).
  const storeClient = {
    query: (q: { text: string; values?: unknown[] }) => db.query(q.text, q.values),
  };
  const limiters = new Map<string, RateLimiterPostgres>();
  const limiterFor = (kind: "requests" | "tokens", points: number) => {
    const id = `${kind}:${points}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterPostgres({
        storeClient,
        storeType: "client",
        tableName: TABLE,
        tableCreated: true,
        keyPrefix: kind,
        points,
        duration: 60,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    take: (scopes, tokens) => takeFrom(limiterFor, scopes, tokens),
    giveBack: giveBackTo,
  };
}
