/**
 * The audit log's tables in a SQLite file. Per tenant: events in order (`seq` from 0) with their
 * canonical envelope bytes and leaf hash; the stored perfect-subtree hashes of the Merkle tree (level
 * 1 and up; level 0 is the event's leaf); signed checkpoints; and the content data keys.
 */
import { migrate, type SqliteDatabase } from "../db/index.js";

export function migrateAudit(db: SqliteDatabase): void {
  migrate(db, "audit", [
    {
      id: 1,
      name: "audit log",
      sql: `
        CREATE TABLE audit_events (
          tenant TEXT NOT NULL, seq INTEGER NOT NULL, leaf BLOB NOT NULL, envelope BLOB NOT NULL,
          run_id TEXT, type TEXT NOT NULL, time INTEGER NOT NULL,
          PRIMARY KEY (tenant, seq)) WITHOUT ROWID;
        CREATE INDEX audit_events_run ON audit_events (run_id, tenant, seq) WHERE run_id IS NOT NULL;
        CREATE TABLE audit_nodes (
          tenant TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
          PRIMARY KEY (tenant, level, idx)) WITHOUT ROWID;
        CREATE TABLE audit_checkpoints (
          tenant TEXT NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL, at INTEGER NOT NULL,
          PRIMARY KEY (tenant, size)) WITHOUT ROWID;
        CREATE TABLE audit_keys (
          id TEXT PRIMARY KEY, tenant TEXT NOT NULL, subject TEXT, data_class TEXT NOT NULL, day INTEGER NOT NULL,
          key BLOB NOT NULL, created_at INTEGER NOT NULL);
        CREATE INDEX audit_keys_scope ON audit_keys (tenant, subject, data_class, day);
        CREATE INDEX audit_keys_class ON audit_keys (tenant, data_class, day);
      `,
    },
  ]);
}
