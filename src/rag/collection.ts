/**
 * The public collection object, the same over every backend: input checks, chunking and embedding,
 * hybrid fusion, reranking and guards live here; the tables live behind a `CollectionStore`.
 */
import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { resolveChunking } from "./chunk.js";
import type { Candidate, CollectionConfig, CollectionStore } from "./collection-store.js";
import type {
  Collection,
  CollectionOptions,
  CollectionStats,
  Hit,
  QueryOptions,
  QueryResult,
  SearchMode,
} from "./collection-types.js";
import { prepareDocuments } from "./ingest.js";
import { loadFile } from "./loaders/index.js";
import { reciprocalRankFusion, toHit } from "./search.js";
import { sqliteStore } from "./sqlite-store.js";
import { checkCollectionName } from "./sqlite-tables.js";
import {
  checkDeleteTarget,
  checkDocumentInputs,
  checkLimits,
  checkQuery,
  principalKeys,
} from "./validate.js";

export interface OpenCollectionOptions extends CollectionOptions {
  /** The collection's name: lower-case letters, digits and underscores. */
  name: string;
  /** A SQLite file (created if missing) or an open better-sqlite3 database. */
  db: string | SqliteDatabase;
}

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
  const settings = collectionSettings(options);
  const db = typeof options.db === "string" ? openSqlite(options.db) : options.db;
  const store = sqliteStore({
    db,
    name,
    wanted: settings.wanted,
    now: settings.now(),
    commonShare: settings.commonShare,
    ownsDb: typeof options.db === "string",
  });
  return collectionOver(store, name, options);
}

/** Checks the options every backend shares; what the store must be created with. */
export function collectionSettings(options: CollectionOptions) {
  const { embedder, acl = false, now = Date.now, maxK = 1000, maxQueryChars = 10_000 } = options;
  const hybrid = { rrfK: embedder?.fusion?.rrfK ?? 60, candidates: 100, ...options.hybrid };
  const weights = { bm25: 1, vector: embedder?.fusion?.weight ?? 1, ...options.hybrid?.weights };
  const commonShare = options.bm25?.commonTermShare ?? 0.05;
  if (!(commonShare > 0 && commonShare <= 1)) {
    throw new KeelError("INVALID_OPTION", `bm25.commonTermShare must be in (0, 1], got ${commonShare}.`);
  }
  checkLimits(maxK, maxQueryChars, hybrid.rrfK, hybrid.candidates, weights);
  const wanted: CollectionConfig = {
    version: 1,
    embedder: embedder ? { id: embedder.id, dimensions: embedder.dimensions } : null,
    acl,
  };
  return { embedder, acl, now, maxK, maxQueryChars, hybrid, weights, commonShare, wanted };
}

/** The public collection over a backend's store (options already checked by `collectionSettings`). */
export function collectionOver<R>(
  store: CollectionStore<R>,
  name: string,
  options: CollectionOptions,
): Collection {
  const { embedder, acl, now, maxK, maxQueryChars, hybrid, weights } = collectionSettings(options);
  const chunking = resolveChunking(options.chunking);
  const config = store.config;
  const hasVectors = config.embedder !== null;

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

  async function vectorCandidates(text: string, where: R, limit: number, signal?: AbortSignal) {
    const [vector] = await needEmbedder("search by vector").embed([text], { signal });
    if (!vector || vector.length !== config.embedder?.dimensions) {
      throw new KeelError(
        "EMBEDDING_INVALID",
        `The embedder returned no vector of length ${config.embedder?.dimensions} for the query.`,
      );
    }
    return store.vectorSearch(vector, where, limit);
  }

  async function candidates(text: string, mode: SearchMode, where: R, depth: number, signal?: AbortSignal) {
    if (mode === "bm25") return store.keywordSearch(text, where, depth);
    if (mode === "vector") return vectorCandidates(text, where, depth, signal);
    const perList = Math.max(depth, hybrid.candidates);
    const lexical = await store.keywordSearch(text, where, perList);
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
        const prepared = await prepareDocuments(
          { storedHashes: (ids) => store.storedHashes(ids), embedder, chunking },
          inputs,
          ingestOptions,
        );
        ingestOptions.signal?.throwIfAborted();
        const { onProgress } = ingestOptions;
        return store.write(prepared, {
          now: now(),
          onProgress: onProgress && ((done, total) => onProgress({ phase: "write", done, total })),
        });
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
      return inTurn(async () => ({ deleted: await store.deleteDocuments(checkDeleteTarget(selector)) }));
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
      const where = await store.restrict({ filter: q.filter, principal: keys });
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

    get: (id) => store.get(id),

    close() {
      store.close();
    },

    async stats(): Promise<CollectionStats> {
      const counts = await store.counts();
      const fields = Object.fromEntries(
        [...counts.fields].map(([field, info]) => [
          field,
          { kinds: [...info.kinds].sort(), array: info.array },
        ]),
      );
      return {
        name,
        documents: counts.documents,
        chunks: counts.chunks,
        embedder: config.embedder,
        acl,
        fields,
        bm25: { ...store.bm25 },
      };
    },
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
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
