/**
 * The tables of one collection in a SQLite file. Every collection has its own five tables, named
 * after it, because FTS5 and sqlite-vec tables are fixed to one tokenizer and one vector length:
 *
 * - `docs`: one row per document (id, content hash, metadata JSON, text);
 * - `chunks`: the indexed pieces with their spans and heading paths;
 * - `fts`: BM25 over chunk headings and text (contentless, so text is stored once, in `chunks`), plus
 *   a column holding one marker token in every row (see `EVERY_ROW` in search.ts);
 * - `vec`: the chunk vectors (sqlite-vec `vec0`, cosine distance), same rowids as `chunks`;
 * - `acl`: who may read each document; `fields`: the metadata fields seen, for filter validation.
 */
import { createRequire } from "node:module";
import { migrate, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { type CollectionConfig, checkCompatible } from "./collection-store.js";
import type { FieldInfo, ScalarKind } from "./filter.js";

export type { CollectionConfig };

/** FTS5's bm25() uses these constants; SQLite does not let them change. */
export const BM25_PARAMS = { k1: 1.2, b: 0.75 } as const;
export const FTS_TOKENIZER = "porter unicode61 remove_diacritics 2";

/**
 * The token in every row's third FTS column. A query can then require "any rare term" and still
 * score every term: `(rare...) AND (common... OR marker)` matches exactly the rows holding a rare
 * term, and the marker, found in every row, has an IDF of zero.
 */
export const EVERY_ROW = "keelrowmarker";

const NAME = /^[a-z][a-z0-9_]{0,47}$/;

export function checkCollectionName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new KeelError(
      "INVALID_OPTION",
      `A collection name is 1 to 48 lower-case letters, digits or underscores, starting with a letter; got ${JSON.stringify(name)}.`,
    );
  }
  return name;
}

export interface TableNames {
  docs: string;
  chunks: string;
  fts: string;
  vec: string;
  acl: string;
  fields: string;
}

export function tableNames(name: string): TableNames {
  const t = (suffix: string) => `"rag_${name}__${suffix}"`;
  return {
    docs: t("docs"),
    chunks: t("chunks"),
    fts: t("fts"),
    vec: t("vec"),
    acl: t("acl"),
    fields: t("fields"),
  };
}

const loaded = new WeakSet<SqliteDatabase>();

/** Loads the sqlite-vec extension into `db` (once per connection). */
export function loadVectorExtension(db: SqliteDatabase): void {
  if (loaded.has(db)) return;
  try {
    const sqliteVec = createRequire(import.meta.url)("sqlite-vec") as { load(db: SqliteDatabase): void };
    sqliteVec.load(db);
  } catch (cause) {
    throw new KeelError(
      "STORE_UNAVAILABLE",
      `Cannot load the sqlite-vec extension (${(cause as Error).message}). Reinstall dependencies with npm ci on this platform.`,
      { cause },
    );
  }
  loaded.add(db);
}

export function migrateRegistry(db: SqliteDatabase): void {
  migrate(db, "rag", [
    {
      id: 1,
      name: "collections registry",
      sql: "CREATE TABLE rag_collections (name TEXT PRIMARY KEY, config TEXT NOT NULL, created_at INTEGER NOT NULL)",
    },
  ]);
}

function createTables(db: SqliteDatabase, t: TableNames, config: CollectionConfig): void {
  db.exec(`
    CREATE TABLE ${t.docs} (
      rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,
      metadata TEXT NOT NULL, access TEXT, text TEXT NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE ${t.chunks} (
      rowid INTEGER PRIMARY KEY, doc INTEGER NOT NULL, idx INTEGER NOT NULL,
      start INTEGER NOT NULL, "end" INTEGER NOT NULL, heading TEXT NOT NULL, page INTEGER,
      tokens INTEGER NOT NULL, text TEXT NOT NULL);
    CREATE INDEX "rag_${t.chunks.slice(5, -1)}_doc" ON ${t.chunks} (doc);
    CREATE VIRTUAL TABLE ${t.fts} USING fts5(
      heading, text, every, content = '', contentless_delete = 1, tokenize = '${FTS_TOKENIZER}');
    CREATE TABLE ${t.acl} (principal TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (principal, doc)) WITHOUT ROWID;
    CREATE INDEX "rag_${t.acl.slice(5, -1)}_doc" ON ${t.acl} (doc);
    CREATE TABLE ${t.fields} (name TEXT PRIMARY KEY, kinds TEXT NOT NULL, array INTEGER NOT NULL) WITHOUT ROWID;
  `);
  if (config.embedder) {
    db.exec(
      `CREATE VIRTUAL TABLE ${t.vec} USING vec0(embedding float[${config.embedder.dimensions}] distance_metric=cosine)`,
    );
  }
}

/**
 * Creates the collection's tables on first open; later opens check the embedder and the access
 * setting match what the collection was built with.
 */
export function ensureCollection(
  db: SqliteDatabase,
  name: string,
  wanted: CollectionConfig,
  now: number,
): CollectionConfig {
  migrateRegistry(db);
  return db
    .transaction(() => {
      const row = db.prepare("SELECT config FROM rag_collections WHERE name = ?").get(name) as
        | { config: string }
        | undefined;
      if (!row) {
        createTables(db, tableNames(name), wanted);
        db.prepare("INSERT INTO rag_collections (name, config, created_at) VALUES (?, ?, ?)").run(
          name,
          JSON.stringify(wanted),
          now,
        );
        return wanted;
      }
      const stored = JSON.parse(row.config) as CollectionConfig;
      checkCompatible(name, stored, wanted);
      return stored;
    })
    .immediate();
}

/** Drops a collection's tables and its registry entry. */
export function dropCollection(db: SqliteDatabase, name: string): boolean {
  loadVectorExtension(db);
  migrateRegistry(db);
  const t = tableNames(checkCollectionName(name));
  return db
    .transaction(() => {
      const gone = db.prepare("DELETE FROM rag_collections WHERE name = ?").run(name).changes > 0;
      if (gone) for (const table of Object.values(t)) db.exec(`DROP TABLE IF EXISTS ${table}`);
      return gone;
    })
    .immediate();
}

/** The metadata fields a collection has seen (what filters may name), read fresh from the file. */
export function readFields(db: SqliteDatabase, t: TableNames): Map<string, FieldInfo> {
  const rows = db.prepare(`SELECT name, kinds, array FROM ${t.fields}`).all() as Array<{
    name: string;
    kinds: string;
    array: number;
  }>;
  return new Map(
    rows.map((r) => [
      r.name,
      { kinds: new Set(r.kinds.split(",").filter(Boolean) as ScalarKind[]), array: r.array === 1 },
    ]),
  );
}
