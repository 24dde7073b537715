/**
 * The data keys of `content-keys.ts` in PostgreSQL. Nothing is cached between transactions: another
 * process may destroy a key at any time (an erasure), and a cached key would then seal new content
 * under a key that no longer exists, or open content that was erased. Keys are made inside the
 * append transaction, which holds the tenant's head row, so two processes never make two keys for
 * one scope (the unique index would refuse the second anyway).
 */
import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/postgres.js";
import { randomBytesPooled as randomBytes } from "../util/random.js";
import type { KeyScope } from "./content-keys.js";

export type DataKey = { id: string; key: Buffer };

export function scopeName(scope: KeyScope): string {
  return `${scope.tenant}\u0000${scope.subject ?? ""}\u0000${scope.dataClass}\u0000${scope.day}`;
}

const columns = (scopes: KeyScope[]) => [
  scopes.map((s) => s.tenant),
  scopes.map((s) => s.subject),
  scopes.map((s) => s.dataClass),
  scopes.map((s) => s.day),
];

async function findKeys(tx: Queryable, scopes: KeyScope[]): Promise<Map<string, DataKey>> {
  const { rows } = await tx.query<{
    id: string;
    key: Buffer;
    tenant: string;
    subject: string | null;
    data_class: string;
    day: number;
  }>(
    `SELECT k.id, k.key, k.tenant, k.subject, k.data_class, k.day
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS s(tenant, subject, data_class, day)
     JOIN keel_audit_keys k ON k.tenant = s.tenant AND coalesce(k.subject, '') = coalesce(s.subject, '')
       AND k.data_class = s.data_class AND k.day = s.day`,
    columns(scopes),
  );
  return new Map(
    rows.map((r) => [
      scopeName({ tenant: r.tenant, subject: r.subject, dataClass: r.data_class, day: r.day }),
      { id: r.id, key: r.key },
    ]),
  );
}

/**
 * The keys of the scopes the events at `time` need (by `scopeName`), made on first use with the
 * time of the first event needing them. Call inside the append transaction.
 */
export async function keysFor(
  tx: Queryable,
  needs: Array<{ scope: KeyScope; time: number }>,
): Promise<Map<string, DataKey>> {
  const first = new Map<string, { scope: KeyScope; time: number }>();
  for (const need of needs) if (!first.has(scopeName(need.scope))) first.set(scopeName(need.scope), need);
  const unique = [...first.values()].map((n) => n.scope);
  if (unique.length === 0) return new Map();
  const found = await findKeys(tx, unique);
  const missing = unique.filter((s) => !found.has(scopeName(s)));
  if (missing.length === 0) return found;
  const made = missing.map(() => ({ id: randomUUID(), key: randomBytes(32) }));
  const inserted = await tx.query(
    `INSERT INTO keel_audit_keys (id, tenant, subject, data_class, day, key, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bytea[], $7::bigint[])
     ON CONFLICT DO NOTHING`,
    [
      made.map((m) => m.id),
      ...columns(missing),
      made.map((m) => m.key),
      missing.map((s) => first.get(scopeName(s))?.time ?? 0),
    ],
  );
  if (inserted.rowCount === missing.length) {
    for (const [i, s] of missing.entries()) found.set(scopeName(s), made[i] as DataKey);
    return found;
  }
  // Someone made some of them first (a process not holding the head lock): use theirs.
  return findKeys(tx, unique);
}

/** Keys by id; a destroyed key is absent. */
export async function keysById(db: Queryable, ids: string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; key: Buffer }>(
    "SELECT id, key FROM keel_audit_keys WHERE id = ANY($1::text[])",
    [unique],
  );
  return new Map(rows.map((r) => [r.id, r.key]));
}

/** Destroys a subject's keys in a tenant; returns how many. */
export async function destroySubjectKeys(tx: Queryable, tenant: string, subject: string): Promise<number> {
  // `subject IS NOT NULL`: the index's '' stands for "no subject", which no erasure names.
  const { rowCount } = await tx.query(
    "DELETE FROM keel_audit_keys WHERE tenant = $1 AND coalesce(subject, '') = $2 AND subject IS NOT NULL",
    [tenant, subject],
  );
  return rowCount ?? 0;
}

/** Destroys a data class's keys of days before `day`; returns how many. */
export async function destroyClassKeys(
  tx: Queryable,
  tenant: string,
  dataClass: string,
  day: number,
): Promise<number> {
  const { rowCount } = await tx.query(
    "DELETE FROM keel_audit_keys WHERE tenant = $1 AND data_class = $2 AND day < $3",
    [tenant, dataClass, day],
  );
  return rowCount ?? 0;
}
