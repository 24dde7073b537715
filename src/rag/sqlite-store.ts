/**
 * The SQLite `CollectionStore`: FTS5 for BM25, sqlite-vec for vectors, all in one file. The
 * statements run synchronously (better-sqlite3) inside the store's promises.
 */
import type { SqliteDatabase } from "../db/index.js";
import type { CollectionConfig, CollectionStore } from "./collection-store.js";
import type { StoredDocument } from "./collection-types.js";
import { compileFilter, type Filter } from "./filter.js";
import { deleteDocumentRows, sqliteHashes, write } from "./ingest.js";
import { bm25Search, restrictionSql, StatementCache, TermStats, vectorSearch } from "./search.js";
import {
  BM25_PARAMS,
  ensureCollection,
  FTS_TOKENIZER,
  loadVectorExtension,
  readFields,
  type TableNames,
  tableNames,
} from "./sqlite-tables.js";

export interface SqliteStoreOptions {
  db: SqliteDatabase;
  name: string;
  wanted: CollectionConfig;
  now: number;
  /** Query terms in more than this share of the chunks are matched only beside rarer ones. */
  commonShare: number;
  /** Whether closing the store closes `db` (the collection opened it from a path). */
  ownsDb: boolean;
}

/** Opens (creating on first use) a collection's tables in a SQLite database. */
export function sqliteStore(options: SqliteStoreOptions): CollectionStore<ReturnType<typeof restrictionSql>> {
  const { db, name, commonShare } = options;
  loadVectorExtension(db);
  const config = ensureCollection(db, name, options.wanted, options.now);
  const t = tableNames(name);
  const hasVectors = config.embedder !== null;
  const statements = new StatementCache(db);
  const termStats = new TermStats(statements, t);
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  return {
    config,
    bm25: { ...BM25_PARAMS, tokenizer: FTS_TOKENIZER },
    async storedHashes(ids) {
      return sqliteHashes(db, t, ids);
    },
    async write(prepared, { now, onProgress }) {
      return write(db, t, prepared, {
        hasVectors,
        now,
        options: { onProgress: onProgress && ((p) => onProgress(p.done, p.total)) },
      });
    },
    async deleteDocuments(target) {
      const remove = db.prepare(`DELETE FROM ${t.docs} WHERE rowid = ?`);
      return db
        .transaction(() => {
          const rowids = deletionTargets(db, t, target);
          for (const rowid of rowids) {
            deleteDocumentRows(db, t, rowid, hasVectors);
            remove.run(rowid);
          }
          return rowids.length;
        })
        .immediate();
    },
    async restrict(restriction) {
      return restrictionSql(db, t, restriction);
    },
    async keywordSearch(query, where, limit) {
      return bm25Search(statements, t, termStats, query, where, limit, commonShare);
    },
    async vectorSearch(vector, where, limit) {
      return vectorSearch(statements, t, vector, where, limit);
    },
    async get(id) {
      const row = db
        .prepare(`SELECT rowid, id, text, metadata, access, updated_at FROM ${t.docs} WHERE id = ?`)
        .get(id) as
        | {
            rowid: number;
            id: string;
            text: string;
            metadata: string;
            access: string | null;
            updated_at: number;
          }
        | undefined;
      if (!row) return undefined;
      const chunks = db
        .prepare(`SELECT count(*) FROM ${t.chunks} WHERE doc = ?`)
        .pluck()
        .get(row.rowid) as number;
      const doc: StoredDocument = {
        id: row.id,
        text: row.text,
        metadata: JSON.parse(row.metadata),
        chunks,
        updatedAt: row.updated_at,
      };
      if (row.access) doc.access = JSON.parse(row.access);
      return doc;
    },
    async counts() {
      return { documents: count(t.docs), chunks: count(t.chunks), fields: readFields(db, t) };
    },
    close() {
      if (options.ownsDb && db.open) db.close();
    },
  };
}

function deletionTargets(
  db: SqliteDatabase,
  t: TableNames,
  target: { ids: string[] } | { filter: Filter },
): number[] {
  if ("ids" in target) {
    const find = db.prepare(`SELECT rowid FROM ${t.docs} WHERE id = ?`).pluck();
    return target.ids
      .map((id) => find.get(id) as number | undefined)
      .filter((r): r is number => r !== undefined);
  }
  const where = compileFilter(target.filter, readFields(db, t), "d.metadata");
  return db
    .prepare(`SELECT d.rowid FROM ${t.docs} d WHERE ${where.sql}`)
    .pluck()
    .all(...where.params) as number[];
}
