/**
 * Retrieval quality of a Keel collection on an IR test collection: ingest the corpus into a fresh
 * in-memory collection, run every judged query, rank documents by their best chunk, and score.
 */
import type { SqliteDatabase } from "../../db/index.js";
import { openSqlite } from "../../db/index.js";
import { openCollection } from "../collection.js";
import type { DocumentInput, HybridOptions, IngestProgress, SearchMode } from "../collection-types.js";
import type { Embedder } from "../embedder.js";
import type { ChunkingOptions } from "../types.js";
import type { IrDataset } from "./datasets.js";
import { type RetrievalScores, scoreRankings } from "./metrics.js";

export interface EvaluateOptions {
  mode?: SearchMode;
  embedder?: Embedder;
  chunking?: ChunkingOptions;
  hybrid?: HybridOptions;
  /** Where to build the collection (default a fresh in-memory database). */
  db?: SqliteDatabase;
  onProgress?: (progress: IngestProgress | { phase: "query"; done: number; total: number }) => void;
  signal?: AbortSignal;
}

export interface RetrievalEvaluation extends RetrievalScores {
  docs: number;
  chunks: number;
  mode: SearchMode;
  /** Milliseconds per query as run here (k sized for recall@100), median and 95th percentile. */
  latencyMs: { p50: number; p95: number };
  ingestMs: number;
}

/** Documents ranked for recall@100. */
const DEPTH = 100;

export async function evaluateRetrieval(
  dataset: IrDataset,
  options: EvaluateOptions = {},
): Promise<RetrievalEvaluation> {
  const mode = options.mode ?? (options.embedder ? "hybrid" : "bm25");
  const db = options.db ?? openSqlite(":memory:");
  try {
    const collection = openCollection({
      db,
      name: "eval",
      embedder: options.embedder,
      chunking: options.chunking,
      hybrid: options.hybrid,
    });
    const started = performance.now();
    const docs = dataset.docs
      .map(
        (d): DocumentInput => ({
          id: d.id,
          text: d.title ? `${d.title}\n\n${d.text}` : d.text,
          metadata: d.title ? { title: d.title } : {},
        }),
      )
      .filter((d) => (d.text ?? "").trim() !== "");
    const report = await collection.ingest(docs, { signal: options.signal, onProgress: options.onProgress });
    const ingestMs = performance.now() - started;
    // A document may have several chunks: ask for enough chunks to rank DEPTH distinct documents.
    const k = Math.min(1000, Math.ceil(DEPTH * Math.max(1, report.chunks / Math.max(1, docs.length)) * 1.5));
    const rankings = new Map<string, string[]>();
    const times: number[] = [];
    for (const [i, query] of dataset.queries.entries()) {
      options.signal?.throwIfAborted();
      const t0 = performance.now();
      const { hits } = await collection.query(query.text, { k, mode });
      times.push(performance.now() - t0);
      rankings.set(query.id, [...new Set(hits.map((h) => h.documentId))].slice(0, DEPTH));
      options.onProgress?.({ phase: "query", done: i + 1, total: dataset.queries.length });
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    return {
      ...scoreRankings(rankings, dataset.qrels),
      docs: docs.length,
      chunks: report.chunks,
      mode,
      latencyMs: { p50: at(0.5), p95: at(0.95) },
      ingestMs,
    };
  } finally {
    if (!options.db) db.close();
  }
}
