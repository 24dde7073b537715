import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { KeelError } from "../errors/index.js";

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** Give up waiting for another process's write lock after this long (default 5000 ms). */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Opens (creating if needed) a SQLite file the way every Keel store wants it: WAL journal so readers
 * never block the writer, `synchronous = NORMAL` (durable across process crashes; a power cut may lose
 * the last commits but never corrupts), foreign keys on.
 */
export function openSqlite(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  if (file !== ":memory:") {
    const dir = path.dirname(path.resolve(file));
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new KeelError(
        "STORE_UNAVAILABLE",
        `Cannot create the folder ${dir} for the SQLite file; check the path and its permissions.`,
        { cause },
      );
    }
  }
  let db: SqliteDatabase;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (cause) {
    throw new KeelError(
      "STORE_UNAVAILABLE",
      `Cannot open SQLite file ${file}: ${(cause as Error).message}. Check the path and its permissions.`,
      { cause },
    );
  }
  if (!options.readonly) db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  return db;
}

/** One schema change; `id` orders them and is recorded once applied. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/**
 * Applies the migrations of one module (`scope`) that this file has not seen yet, each in its own
 * transaction, so a module can evolve its tables without knowing about the others.
 */
export function migrate(db: SqliteDatabase, scope: string, migrations: readonly Migration[]): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS keel_migrations (scope TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (scope, id))",
  );
  const isApplied = db.prepare("SELECT 1 FROM keel_migrations WHERE scope = ? AND id = ?");
  const record = db.prepare("INSERT INTO keel_migrations (scope, id, name, applied_at) VALUES (?, ?, ?, ?)");
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    // Checked inside the write transaction: two processes opening a new file apply each migration once.
    db.transaction(() => {
      if (isApplied.get(scope, m.id)) return;
      db.exec(m.sql);
      record.run(scope, m.id, m.name, Date.now());
    }).immediate();
  }
}
