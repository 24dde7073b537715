/**
 * PostgreSQL connections for the scale-out stores: a `pg` pool per database URL, transactions that
 * roll back on any error, and versioned migrations that two processes starting at once apply once
 * (the second waits on an advisory lock, then finds them applied).
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { KeelError } from "../errors/index.js";
import { checkPostgresUrl } from "./postgres-url.js";

export { checkPostgresUrl, isPostgresUrl } from "./postgres-url.js";

import type { Migration } from "./sqlite.js";

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** How long a query waits for a free connection before failing with `STORE_BUSY` (default 10 s). */
  acquireTimeoutMs?: number;
  /** Longest a statement may run (default none). */
  statementTimeoutMs?: number;
  /** `application_name` shown in pg_stat_activity (default "keel"). */
  applicationName?: string;
}

/** A query runner: the pool, or one client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface PostgresDatabase extends Queryable {
  readonly pool: pg.Pool;
  /** The connection URL (with its password: never print it; `display` is for messages). */
  readonly url: string;
  /** The URL without its password, for messages. */
  readonly display: string;
  /** Runs `fn` in one transaction on one connection: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Opens a pool on `url` (checked first); no connection is made until the first query. */
export function openPostgres(url: string, options: PostgresOptions = {}): PostgresDatabase {
  const display = checkPostgresUrl(url);
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 10_000;
  const max = options.max ?? 10;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: acquireTimeoutMs,
    application_name: options.applicationName ?? "keel",
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle connection the server dropped (a restart) must not crash the process: the pool
  // discards it and opens another for the next query.
  pool.on("error", () => undefined);

  const explain = (error: unknown): unknown => {
    const message = (error as Error)?.message ?? String(error);
    if (/timeout exceeded when trying to connect/i.test(message)) {
      return new KeelError(
        "STORE_BUSY",
        `All ${max} connections to ${display} stayed busy for ${acquireTimeoutMs} ms; raise the pool size or lower the load.`,
        { cause: error, retryable: true },
      );
    }
    const code = (error as { code?: string })?.code;
    if (
      code === "ECONNREFUSED" ||
      code === "ENOTFOUND" ||
      code === "57P01" ||
      code === "57P03" ||
      /terminat|Connection terminated/i.test(message)
    ) {
      return new KeelError(
        "STORE_UNAVAILABLE",
        `PostgreSQL at ${display} is unreachable or restarting (${message}).`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
    return error;
  };

  return {
    pool,
    url,
    display,
    async query(text, values) {
      try {
        return await pool.query(text, values);
      } catch (error) {
        throw explain(error);
      }
    },
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw explain(error);
      }
      let broken: unknown;
      // A connection lost while the transaction waits on the caller's code emits "error" with no
      // query to reject: without a listener that would crash the process.
      const lost = (error: Error) => {
        broken ??= error;
      };
      client.on("error", lost);
      try {
        await client.query("BEGIN");
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        broken = error;
        await client.query("ROLLBACK").catch(() => undefined);
        throw explain(error);
      } finally {
        client.off("error", lost);
        // A connection that failed mid-transaction is not given back to others.
        client.release(broken !== undefined && isConnectionError(broken) ? (broken as Error) : undefined);
      }
    },
    close: () => pool.end(),
  };
}

/** Serialization failure and deadlock: the transaction did nothing and may simply run again. */
const CONFLICT_CODES = new Set(["40001", "40P01"]);

/**
 * `db.transaction(fn)`, run again (at most `attempts` times in all) when PostgreSQL aborted it for a
 * serialization failure or a deadlock; any other error is thrown at once.
 */
export async function transactionRetried<T>(
  db: PostgresDatabase,
  fn: (tx: Queryable) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== "string" || !CONFLICT_CODES.has(code)) throw error;
    }
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return (
    code === "ECONNRESET" ||
    code === "57P01" ||
    /Connection terminated/i.test((error as Error)?.message ?? "")
  );
}

/** A 64-bit advisory lock key for a scope (stable across processes). */
function lockKey(scope: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${createHash("sha256").update(`keel:${scope}`).digest("hex").slice(0, 16)}`),
  ).toString();
}

/**
 * Applies the migrations of `scope` that the database has not seen yet, all in one transaction
 * under an advisory lock: a second process migrating at the same moment waits for the first and
 * then finds everything applied.
 */
export async function migratePostgres(
  db: PostgresDatabase,
  scope: string,
  migrations: readonly Migration[],
): Promise<void> {
  // The bookkeeping table is created under a lock of its own: CREATE TABLE IF NOT EXISTS is not
  // safe against itself (two sessions both pass the check, and one fails on the catalog).
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey("keel_migrations")]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS keel_migrations (
         scope TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (scope, id))`,
    );
  });
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey(scope)]);
    const { rows } = await tx.query<{ id: number }>("SELECT id FROM keel_migrations WHERE scope = $1", [
      scope,
    ]);
    const applied = new Set(rows.map((r) => r.id));
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (applied.has(m.id)) continue;
      await tx.query(m.sql);
      await tx.query("INSERT INTO keel_migrations (scope, id, name, applied_at) VALUES ($1, $2, $3, $4)", [
        scope,
        m.id,
        m.name,
        Date.now(),
      ]);
    }
  });
}
