/**
 * The audit log's tables in PostgreSQL, the SQLite ones (`tables.ts`) plus a head row per tenant:
 * its size, the right edge of its tree (the hashes of the perfect subtrees its leaves form, largest
 * first, 32 bytes each) and the size of its last checkpoint. Appenders lock that row, so it is also
 * what serializes the tenant's log across processes. Envelopes are BYTEA: the bytes hashed are the
 * bytes stored (JSONB would rewrite them).
 */
import type { Migration } from "../db/sqlite.js";

export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "audit log",
    sql: `
      CREATE TABLE keel_audit_heads (
        tenant TEXT PRIMARY KEY, size BIGINT NOT NULL DEFAULT 0, edge BYTEA NOT NULL DEFAULT ''::bytea,
        checkpointed BIGINT NOT NULL DEFAULT 0);
      CREATE TABLE keel_audit_events (
        tenant TEXT NOT NULL, seq BIGINT NOT NULL, leaf BYTEA NOT NULL, envelope BYTEA NOT NULL,
        run_id TEXT, type TEXT NOT NULL, time BIGINT NOT NULL,
        PRIMARY KEY (tenant, seq));
      CREATE INDEX keel_audit_events_run ON keel_audit_events (run_id, tenant, seq) WHERE run_id IS NOT NULL;
      CREATE TABLE keel_audit_nodes (
        tenant TEXT NOT NULL, level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL,
        PRIMARY KEY (tenant, level, idx));
      CREATE TABLE keel_audit_checkpoints (
        tenant TEXT NOT NULL, size BIGINT NOT NULL, root BYTEA NOT NULL, note TEXT NOT NULL, at BIGINT NOT NULL,
        PRIMARY KEY (tenant, size));
      CREATE TABLE keel_audit_keys (
        id TEXT PRIMARY KEY, tenant TEXT NOT NULL, subject TEXT, data_class TEXT NOT NULL, day INTEGER NOT NULL,
        key BYTEA NOT NULL, created_at BIGINT NOT NULL);
      -- A subject is never empty, so '' stands for "no subject" without colliding with one.
      CREATE UNIQUE INDEX keel_audit_keys_scope ON keel_audit_keys (tenant, (coalesce(subject, '')), data_class, day);
      CREATE INDEX keel_audit_keys_class ON keel_audit_keys (tenant, data_class, day);
    `,
  },
];
