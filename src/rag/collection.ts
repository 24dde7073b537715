import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { resolveChunking } from "./chunk.js";
import type {
  Collection,
  CollectionOptions,
  CollectionStats,
  Hit,
  QueryOptions,
  QueryResult,
  SearchMode,
  StoredDocument,
} from "./collection-types.js";
import { compileFilter, type Filter } from "./filter.js";
import { deleteDocumentRows, prepare, write } from "./ingest.js";
import { loadFile } from "./loaders/index.js";
import {
  bm25Search,
  type Candidate,
  reciprocalRankFusion,
  restrictionSql,
  StatementCache,
  TermStats,
  toHit,
  vectorSearch,
} from "./search.js";
import {
  BM25_PARAMS,
  type CollectionConfig,
  checkCollectionName,
  ensureCollection,
  FTS_TOKENIZER,
  loadVectorExtension,
  readFields,
  tableNames,
} from "./sqlite-tables.js";
import { checkDocumentInputs, principalKeys } from "./validate.js";

export interface OpenCollectionOptions extends CollectionOptions {
  /** The collection's name: lower-case letters, digits and underscores. */
  name: string;
  /** A SQLite file (created if missing) or an open better-sqlite3 database. */
  db: string | SqliteDatabase;
}

const QUERY_KEYS = new Set(["k", "mode", "filter", "principal", "rerank", "rerankDepth", "signal"]);

/**
 * Opens (creating on first use) a collection in a SQLite file: BM25 through FTS5, vectors through
 * sqlite-vec, metadata filters and access lists enforced inside every search.
 *
 * @example
 * const docs = openCollection({ db: "keel.db", name: "handbook", embedder: hashingEmbedder(), acl: true });
 * await docs.ingest([{ id: "refunds", text, metadata: { team: "billing" }, access: { groups: ["support"] } }]);
 * const { hits } = await docs.query("how long do refunds take", { k: 5, principal: { id: "ana", groups: ["support"] } });
 */
export function openCollection(options: OpenCollectionOptions): Collection {
  const name = checkCollectionName(options.name);
  const db = typeof options.db === "string" ? openSqlite(options.db) : options.db;
  const { embedder, acl = false, now = Date.now, maxK = 1000, maxQueryChars = 10_000 } = options;
  const chunking = resolveChunking(options.chunking);
  const hybrid = { rrfK: embedder?.fusion?.rrfK ?? 60, candidates: 100, ...options.hybrid };
  const weights = { bm25: 1, vector: embedder?.fusion?.weight ?? 1, ...options.hybrid?.weights };
  const commonShare = options.bm25?.commonTermShare ?? 0.05;
  if (!(commonShare > 0 && commonShare <= 1)) {
    throw new KeelError("INVALID_OPTION", `bm25.commonTermShare must be in (0, 1], got ${commonShare}.`);
  }
  checkLimits(maxK, maxQueryChars, hybrid.rrfK, hybrid.candidates, weights);
  loadVectorExtension(db);
  const wanted: CollectionConfig = {
    version: 1,
    embedder: embedder ? { id: embedder.id, dimensions: embedder.dimensions } : null,
    acl,
  };
  const config = ensureCollection(db, name, wanted, now());
  const t = tableNames(name);
  const hasVectors = config.embedder !== null;
  const statements = new StatementCache(db);
  const termStats = new TermStats(statements, t);

  function needEmbedder(action: string) {
    if (!embedder) {
      throw new KeelError(
        "NO_EMBEDDER",
        config.embedder
          ? `Collection "${name}" holds vectors from "${config.embedder.id}"; open it with that embedder to ${action}.`
          : `Collection "${name}" has no embedder, so it cannot ${action}; use mode "bm25", or create a collection with an embedder.`,
      );
    }
    return embedder;
  }

  async function vectorCandidates(
    text: string,
    where: ReturnType<typeof restrictionSql>,
    limit: number,
    signal?: AbortSignal,
  ) {
    const [vector] = await needEmbedder("search by vector").embed([text], { signal });
    if (!vector || vector.length !== config.embedder?.dimensions) {
      throw new KeelError(
        "EMBEDDING_INVALID",
        `The embedder returned no vector of length ${config.embedder?.dimensions} for the query.`,
      );
    }
    return vectorSearch(statements, t, vector, where, limit);
  }

  async function candidates(
    text: string,
    mode: SearchMode,
    where: ReturnType<typeof restrictionSql>,
    depth: number,
    signal?: AbortSignal,
  ) {
    if (mode === "bm25") return bm25Search(statements, t, termStats, text, where, depth, commonShare);
    if (mode === "vector") return vectorCandidates(text, where, depth, signal);
    const perList = Math.max(depth, hybrid.candidates);
    const lexical = bm25Search(statements, t, termStats, text, where, perList, commonShare);
    const semantic = await vectorCandidates(text, where, perList, signal);
    const known = new Map<number, Candidate>([...lexical, ...semantic].map((c) => [c.rowid, c]));
    const bm25 = new Map(lexical.map((c) => [c.rowid, c.score]));
    const cosine = new Map(semantic.map((c) => [c.rowid, c.score]));
    const fused = reciprocalRankFusion(
      [
        { candidates: lexical, weight: weights.bm25 },
        { candidates: semantic, weight: weights.vector },
      ],
      hybrid.rrfK,
    ).slice(0, depth);
    return fused.map((f) => ({
      ...f,
      row: known.get(f.rowid)?.row,
      bm25: bm25.get(f.rowid),
      cosine: cosine.get(f.rowid),
    }));
  }

  // Ingests and deletes through this object run one at a time, in call order. An ingest's prepare
  // phase is async and compares content hashes with what is stored: run concurrently, an older,
  // slower call could overwrite a newer one that found nothing to change, or undo a delete.
  let writes: Promise<unknown> = Promise.resolve();
  function inTurn<T>(task: () => Promise<T>): Promise<T> {
    const run = writes.then(task, task);
    writes = run.catch(() => undefined);
    return run;
  }

  return {
    name,

    ingest(documents, ingestOptions = {}) {
      return inTurn(async () => {
        const inputs = checkDocumentInputs(documents, acl);
        if (hasVectors) needEmbedder("ingest");
        const prepared = await prepare({ db, tables: t, embedder, chunking }, inputs, ingestOptions);
        ingestOptions.signal?.throwIfAborted();
        return write(db, t, prepared, { hasVectors, now: now(), options: ingestOptions });
      });
    },

    async ingestFiles(paths, fileOptions = {}) {
      if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string")) {
        throw new KeelError("INVALID_DOCUMENT", "ingestFiles takes an array of file paths.");
      }
      const { metadata, access, maxBytes, ...ingestOptions } = fileOptions;
      const inputs = [];
      for (const path of paths) {
        for (const { id, document } of await loadFile(path, { maxBytes })) {
          inputs.push({ id, document, metadata, access });
        }
      }
      return this.ingest(inputs, ingestOptions);
    },

    delete(selector) {
      return inTurn(async () => {
        const remove = db.prepare(`DELETE FROM ${t.docs} WHERE rowid = ?`);
        const deleted = db
          .transaction(() => {
            const rowids = deletionTargets(db, t, selector);
            for (const rowid of rowids) {
              deleteDocumentRows(db, t, rowid, hasVectors);
              remove.run(rowid);
            }
            return rowids.length;
          })
          .immediate();
        return { deleted };
      });
    },

    async query(text, queryOptions = {}) {
      const q = checkQuery(text, queryOptions, {
        maxK,
        maxQueryChars,
        defaultMode: embedder ? "hybrid" : "bm25",
      });
      if (acl && q.principal === undefined) {
        throw new KeelError(
          "PRINCIPAL_REQUIRED",
          `Collection "${name}" has access lists: pass principal (a user id, or { id, groups }) to query it.`,
        );
      }
      const keys = acl ? principalKeys(q.principal) : undefined;
      const where = restrictionSql(db, t, { filter: q.filter, principal: keys });
      const depth = q.rerank ? Math.max(q.k, q.rerankDepth ?? 50) : q.k;
      const found = await candidates(text, q.mode, where, depth, q.signal);
      let hits = found
        .filter((c) => c.row)
        .map((c) => {
          const extra = c as Candidate & { bm25?: number; cosine?: number };
          const scores =
            q.mode === "bm25"
              ? { bm25: c.score }
              : q.mode === "vector"
                ? { vector: c.score }
                : { bm25: extra.bm25, vector: extra.cosine };
          return toHit(c.row as NonNullable<Candidate["row"]>, c.score, dropUndefined(scores));
        });
      if (q.rerank) hits = await rerank(q.rerank, text, hits, q.signal);
      hits = hits.slice(0, q.k);
      return screen(options.guard, q.mode, hits);
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

    close() {
      if (typeof options.db === "string" && db.open) db.close();
    },

    async stats(): Promise<CollectionStats> {
      const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      const fields = Object.fromEntries(
        [...readFields(db, t)].map(([field, info]) => [
          field,
          { kinds: [...info.kinds].sort(), array: info.array },
        ]),
      );
      return {
        name,
        documents: count(t.docs),
        chunks: count(t.chunks),
        embedder: config.embedder,
        acl,
        fields,
        bm25: { ...BM25_PARAMS, tokenizer: FTS_TOKENIZER },
      };
    },
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function checkLimits(
  maxK: number,
  maxQueryChars: number,
  rrfK: number,
  candidates: number,
  weights: { bm25: number; vector: number },
) {
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(maxK, 1, 4096))
    throw new KeelError("INVALID_OPTION", `maxK must be a whole number from 1 to 4096, got ${maxK}.`);
  if (!whole(maxQueryChars, 1, 1_000_000))
    throw new KeelError(
      "INVALID_OPTION",
      `maxQueryChars must be a whole number from 1 to 1000000, got ${maxQueryChars}.`,
    );
  if (!(rrfK >= 0) || !whole(candidates, 1, 4096)) {
    throw new KeelError(
      "INVALID_OPTION",
      "hybrid.rrfK must be 0 or more and hybrid.candidates a whole number from 1 to 4096.",
    );
  }
  if (!(weights.bm25 >= 0) || !(weights.vector >= 0) || weights.bm25 + weights.vector === 0) {
    throw new KeelError("INVALID_OPTION", "hybrid.weights must be non-negative numbers, not both zero.");
  }
}

interface CheckedQuery extends QueryOptions {
  k: number;
  mode: SearchMode;
}

function checkQuery(
  text: unknown,
  options: QueryOptions,
  limits: { maxK: number; maxQueryChars: number; defaultMode: SearchMode },
): CheckedQuery {
  const bad = (message: string) => new KeelError("INVALID_QUERY", message);
  if (typeof text !== "string" || text.trim() === "") throw bad("The query text must be a non-empty string.");
  if (text.length > limits.maxQueryChars) {
    throw new KeelError(
      "QUERY_TOO_LONG",
      `The query is ${text.length} characters; this collection accepts at most ${limits.maxQueryChars} (maxQueryChars). Shorten it or search for its key passage.`,
    );
  }
  if (typeof options !== "object" || options === null) throw bad("Query options must be an object.");
  for (const key of Object.keys(options)) {
    if (!QUERY_KEYS.has(key))
      throw bad(`Unknown query option "${key}". Known: ${[...QUERY_KEYS].join(", ")}.`);
  }
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > limits.maxK) {
    throw bad(`k must be a whole number from 1 to ${limits.maxK} (maxK), got ${k}.`);
  }
  const mode = options.mode ?? limits.defaultMode;
  if (mode !== "bm25" && mode !== "vector" && mode !== "hybrid") {
    throw bad(`mode must be "bm25", "vector" or "hybrid", got ${JSON.stringify(mode)}.`);
  }
  if (options.rerank !== undefined && typeof options.rerank !== "function")
    throw bad("rerank must be a function.");
  const depth = options.rerankDepth;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1 || depth > limits.maxK)) {
    throw bad(`rerankDepth must be a whole number from 1 to ${limits.maxK}.`);
  }
  return { ...options, k, mode };
}

async function rerank(
  reranker: NonNullable<QueryOptions["rerank"]>,
  query: string,
  hits: Hit[],
  signal?: AbortSignal,
) {
  const scores = await reranker(query, hits, { signal });
  if (
    !Array.isArray(scores) ||
    scores.length !== hits.length ||
    scores.some((s) => typeof s !== "number" || Number.isNaN(s))
  ) {
    throw new KeelError(
      "RERANK_INVALID",
      `The reranker must return one number per hit (${hits.length}), in the order given.`,
    );
  }
  return hits
    .map((hit, i) => ({
      ...hit,
      score: scores[i] as number,
      scores: { ...hit.scores, rerank: scores[i] as number },
    }))
    .sort((a, b) => b.score - a.score);
}

/** Passes each hit through the guard as retrieved text: blocked ones are withheld, redacted ones rewritten. */
function screen(guard: CollectionOptions["guard"], mode: SearchMode, hits: Hit[]): QueryResult {
  if (!guard) return { mode, hits, withheld: [] };
  const result: QueryResult = { mode, hits: [], withheld: [] };
  for (const hit of hits) {
    const verdict = guard.scan(hit.text, { source: "retrieved" });
    if (verdict.action === "block" || verdict.text === null) {
      result.withheld.push({ documentId: hit.documentId, chunkIndex: hit.chunkIndex, verdict });
    } else {
      result.hits.push({ ...hit, text: verdict.text, verdict });
    }
  }
  return result;
}

function deletionTargets(db: SqliteDatabase, t: ReturnType<typeof tableNames>, selector: unknown): number[] {
  if (typeof selector !== "object" || selector === null) {
    throw new KeelError("INVALID_DOCUMENT", "delete takes { ids: [...] } or { filter: {...} }.");
  }
  const { ids, filter } = selector as { ids?: unknown; filter?: Filter };
  if ((ids === undefined) === (filter === undefined)) {
    throw new KeelError(
      "INVALID_DOCUMENT",
      "delete takes exactly one of { ids: [...] } or { filter: {...} }.",
    );
  }
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
      throw new KeelError("INVALID_DOCUMENT", "delete({ ids }) takes an array of document ids (strings).");
    }
    const find = db.prepare(`SELECT rowid FROM ${t.docs} WHERE id = ?`).pluck();
    return ids.map((id) => find.get(id) as number | undefined).filter((r): r is number => r !== undefined);
  }
  if (typeof filter !== "object" || filter === null || Object.keys(filter).length === 0) {
    throw new KeelError(
      "INVALID_FILTER",
      "delete({ filter }) needs a filter that names at least one field; an empty filter would delete every document.",
    );
  }
  const where = compileFilter(filter, readFields(db, t), "d.metadata");
  return db
    .prepare(`SELECT d.rowid FROM ${t.docs} d WHERE ${where.sql}`)
    .pluck()
    .all(...where.params) as number[];
}
