/**
 * API keys on PostgreSQL, for several server processes on one database. The same checks and
 * shapes as the SQLite `KeyStore` (keys.ts); a key is verified with one indexed read per request, so
 * a revocation by any process applies to the next request everywhere, with no cache to invalidate.
 */
import { migratePostgres, type PostgresDatabase } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import {
  type ApiKey,
  type CreateKeyInput,
  hashOf,
  type KeyRow,
  keyRowValues,
  looksLikeKey,
  newKey,
  toKey,
} from "./keys.js";
import type { KeysStore } from "./stores.js";

const MIGRATIONS = [
  {
    id: 1,
    name: "api keys",
    sql: `CREATE TABLE keel_api_keys (
        id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, role TEXT NOT NULL,
        name TEXT, guard TEXT, limits TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT);
      CREATE INDEX keel_api_keys_tenant ON keel_api_keys (tenant);`,
  },
];

const COLUMNS = "id, tenant, role, name, guard, limits, created_at, revoked_at";

export async function openPostgresKeyStore(
  db: PostgresDatabase,
  now: () => number = Date.now,
): Promise<KeysStore> {
  await migratePostgres(db, "server-keys", MIGRATIONS);
  const get = async (id: string) => {
    const { rows } = await db.query<KeyRow>(`SELECT ${COLUMNS} FROM keel_api_keys WHERE id = $1`, [id]);
    return rows[0] ? toKey(rows[0]) : undefined;
  };
  return {
    async create(input: CreateKeyInput) {
      const created = newKey(input, now());
      await db.query(
        "INSERT INTO keel_api_keys (id, hash, tenant, role, name, guard, limits, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        keyRowValues(created),
      );
      return created;
    },
    async verify(secret: string) {
      if (!looksLikeKey(secret)) return undefined;
      const { rows } = await db.query<KeyRow>(
        `SELECT ${COLUMNS} FROM keel_api_keys WHERE hash = $1 AND revoked_at IS NULL`,
        [hashOf(secret)],
      );
      return rows[0] ? toKey(rows[0]) : undefined;
    },
    get,
    async list(filter: { tenant?: string; includeRevoked?: boolean } = {}) {
      const { rows } = await db.query<KeyRow>(
        `SELECT ${COLUMNS} FROM keel_api_keys
         WHERE ($1::text IS NULL OR tenant = $1) AND ($2 OR revoked_at IS NULL) ORDER BY created_at, id`,
        [filter.tenant ?? null, filter.includeRevoked === true],
      );
      return rows.map(toKey);
    },
    async revoke(id: string): Promise<ApiKey> {
      const at = now();
      const { rows } = await db.query<KeyRow>(
        `UPDATE keel_api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [id, at],
      );
      if (rows[0]) return toKey(rows[0]);
      if (!(await get(id)))
        throw new KeelError("NOT_FOUND", `No API key "${id}"; \`keel keys list\` shows the ids.`);
      throw new KeelError("CONFLICT", `API key ${id} is already revoked.`);
    },
    async activeCount() {
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM keel_api_keys WHERE revoked_at IS NULL",
      );
      return rows[0]?.n ?? 0;
    },
  };
}
