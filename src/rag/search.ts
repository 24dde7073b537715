/**
 * The three searches as SQL. Filters and access lists are conditions of the search query itself
 * (a `WHERE` beside the FTS5 `MATCH`, a `rowid IN (...)` constraint inside the sqlite-vec KNN), so
 * a row the principal may not read is never a candidate, and a filtered search fills k whenever k
 * rows match.
 */
import type { SqliteDatabase } from "../db/index.js";
import type { Candidate, ChunkRow, Restriction } from "./collection-store.js";
import type { Hit } from "./collection-types.js";
import { type CompiledFilter, compileFilter } from "./filter.js";
import { EVERY_ROW, readFields, type TableNames } from "./sqlite-tables.js";
import { contentWords } from "./text-terms.js";
import type { Metadata } from "./types.js";

/** Most distinct query terms sent to FTS5; a longer query keeps its first ones. */
const MAX_TERMS = 256;

export type { Candidate, Restriction };

const CHUNK_COLUMNS =
  'c.rowid AS rowid, c.idx AS idx, c.start AS start, c."end" AS "end", c.heading AS heading, c.page AS page, c.text AS text, d.id AS documentId, d.metadata AS metadata';

/** The distinct content words of a query that go to FTS5 (a longer query keeps its first ones). */
export function queryTerms(query: string): string[] {
  return [...new Set(contentWords(query))].slice(0, MAX_TERMS);
}

/** Terms quoted (so no FTS5 syntax applies) and OR-ed. */
function anyOf(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(" OR ");
}

/** The SQL condition on `d` (documents) for a filter and a principal. */
export function restrictionSql(db: SqliteDatabase, t: TableNames, r: Restriction): CompiledFilter {
  const parts: string[] = [];
  const params: Array<string | number> = [];
  if (r.filter !== undefined) {
    const compiled = compileFilter(r.filter, readFields(db, t), "d.metadata");
    parts.push(compiled.sql);
    params.push(...compiled.params);
  }
  if (r.principal) {
    parts.push(
      `d.rowid IN (SELECT doc FROM ${t.acl} WHERE principal IN (${r.principal.map(() => "?").join(", ")}))`,
    );
    params.push(...r.principal);
  }
  return { sql: parts.length ? parts.map((p) => `(${p})`).join(" AND ") : "1", params };
}

export class StatementCache {
  readonly #db: SqliteDatabase;
  readonly #cache = new Map<string, ReturnType<SqliteDatabase["prepare"]>>();
  constructor(db: SqliteDatabase) {
    this.#db = db;
  }
  get(sql: string): ReturnType<SqliteDatabase["prepare"]> {
    let stmt = this.#cache.get(sql);
    if (!stmt) {
      if (this.#cache.size >= 200) this.#cache.delete(this.#cache.keys().next().value as string);
      stmt = this.#db.prepare(sql);
      this.#cache.set(sql, stmt);
    }
    return stmt;
  }
}

/**
 * Document frequencies of query terms, cached until the collection changes: `data_version` moves
 * when another connection commits, `total_changes()` when this one writes.
 */
export class TermStats {
  readonly #df = new Map<string, number>();
  readonly #statements: StatementCache;
  readonly #t: TableNames;
  #rows = 0;
  #state = "";
  constructor(statements: StatementCache, t: TableNames) {
    this.#statements = statements;
    this.#t = t;
  }
  #fresh(): void {
    const state = this.#statements
      .get("SELECT (SELECT data_version FROM pragma_data_version) || ':' || total_changes()")
      .pluck()
      .get() as string;
    if (state === this.#state) return;
    this.#state = state;
    this.#df.clear();
    this.#rows = this.#statements.get(`SELECT count(*) FROM ${this.#t.chunks}`).pluck().get() as number;
  }
  rows(): number {
    this.#fresh();
    return this.#rows;
  }
  df(term: string): number {
    this.#fresh();
    let df = this.#df.get(term);
    if (df === undefined) {
      if (this.#df.size >= 10_000) this.#df.clear();
      df = this.#statements
        .get(`SELECT count(*) FROM ${this.#t.fts} WHERE ${this.#t.fts} MATCH ?`)
        .pluck()
        .get(anyOf([term])) as number;
      this.#df.set(term, df);
    }
    return df;
  }
}

function runBm25(
  statements: StatementCache,
  t: TableNames,
  match: string,
  where: CompiledFilter,
  limit: number,
): Candidate[] {
  // The top rows are chosen from the FTS table alone; only they are joined for their text.
  const sql = `SELECT ${CHUNK_COLUMNS}, top.rank AS rank FROM (
      SELECT ${t.fts}.rowid AS rowid, bm25(${t.fts}, 1.0, 1.0, 0.0) AS rank FROM ${t.fts}${
        where.sql === "1"
          ? ""
          : ` JOIN ${t.chunks} c ON c.rowid = ${t.fts}.rowid JOIN ${t.docs} d ON d.rowid = c.doc`
      }
      WHERE ${t.fts} MATCH ? AND ${where.sql} ORDER BY rank LIMIT ?) top
    JOIN ${t.chunks} c ON c.rowid = top.rowid JOIN ${t.docs} d ON d.rowid = c.doc ORDER BY top.rank`;
  const rows = statements.get(sql).all([match, ...where.params, limit]) as Array<ChunkRow & { rank: number }>;
  // FTS5 ranks are negated BM25 scores (lower is better); report the score itself.
  return rows.map((row) => ({ rowid: row.rowid, score: -row.rank, row }));
}

/**
 * BM25 top `limit` over all the query's terms. FTS5 scores every row that holds any term, and on
 * SciFact a typical claim holds a term ("cell", "increase", "study") found in a third of the
 * chunks, so half the collection gets scored. As Lucene's common-terms query does, rows are matched
 * on the query's rare terms (in at most `commonShare` of the chunks) and still scored on all of them:
 * `(rare...) AND (common... OR marker)`. A row holding only common terms is then not a candidate;
 * on SciFact's 300 test and 809 train queries the top 10 is unchanged (nDCG@10 equal to four
 * decimals) at less than half the time. When that leaves fewer than `limit` rows, the full query
 * runs, so a search returns `limit` rows whenever that many hold any term. `commonShare` 1 turns
 * this off.
 */
export function bm25Search(
  statements: StatementCache,
  t: TableNames,
  stats: TermStats,
  query: string,
  where: CompiledFilter,
  limit: number,
  commonShare: number,
): Candidate[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const full = () => runBm25(statements, t, anyOf(terms), where, limit);
  if (terms.length < 3 || commonShare >= 1) return full();
  const cutoff = commonShare * stats.rows();
  const common: string[] = [];
  const rare: string[] = [];
  for (const term of terms) {
    const df = stats.df(term);
    if (df > cutoff) common.push(term);
    else if (df > 0) rare.push(term);
  }
  if (common.length === 0 || rare.length === 0) return full();
  const found = runBm25(
    statements,
    t,
    `(${anyOf(rare)}) AND (${anyOf(common)} OR "${EVERY_ROW}")`,
    where,
    limit,
  );
  return found.length === limit ? found : full();
}

export function vectorSearch(
  statements: StatementCache,
  t: TableNames,
  vector: Float32Array,
  where: CompiledFilter,
  limit: number,
): Candidate[] {
  const restricted = where.sql !== "1";
  // Rows are read in the same statement as the KNN, so in the same snapshot: read later, a rowid
  // could by then belong to a chunk another writer inserted, which the restriction never saw.
  const sql = `SELECT ${CHUNK_COLUMNS}, knn.distance AS distance FROM (
      SELECT rowid, distance FROM ${t.vec} WHERE embedding MATCH ? AND k = ?${
        restricted
          ? ` AND rowid IN (SELECT c.rowid FROM ${t.chunks} c JOIN ${t.docs} d ON d.rowid = c.doc WHERE ${where.sql})`
          : ""
      }) knn
    JOIN ${t.chunks} c ON c.rowid = knn.rowid JOIN ${t.docs} d ON d.rowid = c.doc ORDER BY knn.distance`;
  const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const rows = statements.get(sql).all([blob, limit, ...(restricted ? where.params : [])]) as Array<
    ChunkRow & { distance: number }
  >;
  return rows.map((row) => ({ rowid: row.rowid, score: 1 - row.distance, row }));
}

export function toHit(row: ChunkRow, score: number, scores: Hit["scores"]): Hit {
  const hit: Hit = {
    documentId: row.documentId,
    chunkIndex: row.idx,
    text: row.text,
    start: row.start,
    end: row.end,
    headingPath: JSON.parse(row.heading) as string[],
    metadata: JSON.parse(row.metadata) as Metadata,
    score,
    scores,
  };
  if (row.page !== null) hit.page = row.page;
  return hit;
}

/**
 * Reciprocal rank fusion: each list adds `weight / (rrfK + rank)` (rank from 1) to a chunk's score.
 * Ranks, not raw scores, are fused, so BM25 and cosine need no calibration against each other.
 */
export function reciprocalRankFusion(
  lists: Array<{ candidates: Candidate[]; weight: number }>,
  rrfK: number,
): Array<{ rowid: number; score: number }> {
  const fused = new Map<number, number>();
  for (const { candidates, weight } of lists) {
    candidates.forEach((c, i) => {
      fused.set(c.rowid, (fused.get(c.rowid) ?? 0) + weight / (rrfK + i + 1));
    });
  }
  return [...fused]
    .map(([rowid, score]) => ({ rowid, score }))
    .sort((a, b) => b.score - a.score || a.rowid - b.rowid);
}
