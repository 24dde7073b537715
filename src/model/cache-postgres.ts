/**
 * The exact response cache of `cache.ts` on PostgreSQL, shared by every process using the database:
 * the same entries per tenant and TTL, with every method async.
 */
import { migratePostgres, type PostgresDatabase } from "../db/postgres.js";
import { ModelConfigError } from "./errors.js";
import type { ModelResponse } from "./types.js";

export interface PostgresResponseCacheOptions {
  /** An open database; it stays open when the cache is closed (its owner closes it). */
  db: PostgresDatabase;
  /** How long an entry is served (default 24 h). */
  ttlMs?: number;
  now?: () => number;
}

/** `ResponseCache` on PostgreSQL: the same methods, returning promises. */
export interface PostgresResponseCache {
  get(tenant: string, key: string): Promise<ModelResponse | undefined>;
  set(tenant: string, key: string, response: ModelResponse): Promise<void>;
  /** Removes expired entries; returns how many. */
  purge(): Promise<number>;
  close(): Promise<void>;
}

// The response is JSON text, not JSONB: JSONB refuses a \u0000 that a model's answer may contain.
const MIGRATIONS = [
  {
    id: 1,
    name: "exact response cache",
    sql: `CREATE TABLE keel_model_cache (
        tenant TEXT NOT NULL,
        key TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, key));
      CREATE INDEX keel_model_cache_expiry ON keel_model_cache (expires_at);`,
  },
];

/** An exact response cache on PostgreSQL, scoped by tenant, entries expiring after `ttlMs`. */
export async function postgresResponseCache(
  options: PostgresResponseCacheOptions,
): Promise<PostgresResponseCache> {
  const ttl = options.ttlMs ?? 24 * 60 * 60 * 1000;
  if (!(ttl > 0))
    throw new ModelConfigError(
      `postgresResponseCache ttlMs must be a positive number of milliseconds; got ${ttl}.`,
    );
  const now = options.now ?? Date.now;
  const { db } = options;
  await migratePostgres(db, "model-cache", MIGRATIONS);
  return {
    async get(tenant, key) {
      const { rows } = await db.query<{ response: string }>(
        "SELECT response FROM keel_model_cache WHERE tenant = $1 AND key = $2 AND expires_at > $3",
        [tenant, key, now()],
      );
      return rows[0] ? (JSON.parse(rows[0].response) as ModelResponse) : undefined;
    },
    async set(tenant, key, response) {
      const at = now();
      await db.query(
        `INSERT INTO keel_model_cache (tenant, key, response, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, key) DO UPDATE
         SET response = excluded.response, created_at = excluded.created_at, expires_at = excluded.expires_at`,
        [tenant, key, JSON.stringify(response), at, at + ttl],
      );
    },
    async purge() {
      const result = await db.query("DELETE FROM keel_model_cache WHERE expires_at <= $1", [now()]);
      return result.rowCount ?? 0;
    },
    // The pool belongs to whoever opened it (as with responseCache's `db` option).
    close: async () => undefined,
  };
}
