import type { Guard, Verdict } from "../guard/guard.js";
import type { Embedder } from "./embedder.js";
import type { Filter } from "./filter.js";
import type { ChunkingOptions, LoadedDocument, Metadata } from "./types.js";

/** Who may read a document: user ids and group names (at least one entry in all). */
export interface Access {
  principals?: string[];
  groups?: string[];
}

/** Who is asking: a user id and the groups they belong to. A bare string is a user id with no groups. */
export type Principal = string | { id: string; groups?: string[] };

export interface DocumentInput {
  /** Stable id; ingesting the same id again replaces the document (or costs nothing if unchanged). */
  id: string;
  /** Plain text. Give either `text` or `document` (from a loader). */
  text?: string;
  document?: LoadedDocument;
  /** Merged over the loader's metadata. */
  metadata?: Metadata;
  /** Required in a collection opened with `acl: true`, refused in one without. */
  access?: Access;
}

export interface IngestProgress {
  phase: "chunk" | "embed" | "write";
  done: number;
  total: number;
}

export interface IngestOptions {
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestReport {
  added: number;
  updated: number;
  unchanged: number;
  /** Chunks written (unchanged documents write none). */
  chunks: number;
}

export type SearchMode = "bm25" | "vector" | "hybrid";

/** Scores for candidates, higher is better, in the order given; for a cross-encoder or an LLM judge. */
export type Reranker = (
  query: string,
  hits: readonly Hit[],
  options: { signal?: AbortSignal },
) => Promise<number[]> | number[];

export interface QueryOptions {
  /** Results wanted (default 10, at most the collection's maxK). */
  k?: number;
  /** Default "hybrid" when the collection has an embedder, else "bm25". */
  mode?: SearchMode;
  filter?: Filter;
  /** Required when the collection has access lists. */
  principal?: Principal;
  /** Re-scores the best candidates (up to `rerankDepth`, default max(k, 50)) before the top k are taken. */
  rerank?: Reranker;
  rerankDepth?: number;
  signal?: AbortSignal;
}

/** One retrieved chunk, with what a citation needs. */
export interface Hit {
  documentId: string;
  chunkIndex: number;
  /** The chunk's text (redacted if the collection's guard said so). */
  text: string;
  /** UTF-16 offsets of the chunk in its document's text. */
  start: number;
  end: number;
  headingPath: string[];
  page?: number;
  metadata: Metadata;
  /** The ranking score for the mode (BM25, cosine similarity, or fused), higher is better. */
  score: number;
  /** Per-index scores when known: BM25 (higher is better) and cosine similarity. */
  scores: { bm25?: number; vector?: number; rerank?: number };
  /** The guard's verdict on this chunk as retrieved text, when the collection has a guard. */
  verdict?: Verdict;
}

export interface QueryResult {
  mode: SearchMode;
  hits: Hit[];
  /** Chunks the guard blocked (indirect prompt injection, say): ranked, but not returned. */
  withheld: Array<{ documentId: string; chunkIndex: number; verdict: Verdict }>;
}

export interface HybridOptions {
  /** The RRF constant: each list adds weight / (rrfK + rank). Default: the embedder's `fusion.rrfK`, else 60. */
  rrfK?: number;
  /** Weight of each list in the fusion (default bm25 1, vector: the embedder's `fusion.weight`, else 1). */
  weights?: { bm25?: number; vector?: number };
  /** Candidates taken from each list before fusing (default max(k, 100)). */
  candidates?: number;
}

export interface CollectionOptions {
  /** Vectors for "vector" and "hybrid" search. A collection remembers its embedder's id. */
  embedder?: Embedder;
  /** Documents carry access lists and every query names a principal. Fixed when the collection is made. */
  acl?: boolean;
  chunking?: ChunkingOptions;
  hybrid?: HybridOptions;
  bm25?: {
    /**
     * Query terms found in more than this share of the chunks are "common": rows are matched on the
     * other terms and scored on all (Lucene's common-terms query), unless that finds fewer than k
     * rows. Default 0.05; 1 scores every row holding any term.
     */
    commonTermShare?: number;
  };
  /** Scans every returned chunk as retrieved text (indirect prompt injection); blocked chunks are withheld. */
  guard?: Pick<Guard, "scan">;
  /** Largest k a query may ask for (default 1000). */
  maxK?: number;
  /** Longest query text accepted, in characters (default 10 000). */
  maxQueryChars?: number;
  /** Clock for `updatedAt` (default Date.now). */
  now?: () => number;
}

export interface StoredDocument {
  id: string;
  text: string;
  metadata: Metadata;
  access?: Access;
  chunks: number;
  updatedAt: number;
}

export interface CollectionStats {
  name: string;
  documents: number;
  chunks: number;
  embedder: { id: string; dimensions: number } | null;
  acl: boolean;
  /** Metadata fields a filter may use, with the kinds of value seen. */
  fields: Record<string, { kinds: string[]; array: boolean }>;
  bm25: { k1: number; b: number; tokenizer: string };
}

export interface Collection {
  readonly name: string;
  ingest(documents: DocumentInput[], options?: IngestOptions): Promise<IngestReport>;
  /** Loads files (by extension) and ingests them as one transaction. */
  ingestFiles(
    paths: string[],
    options?: IngestOptions & { metadata?: Metadata; access?: Access; maxBytes?: number },
  ): Promise<IngestReport>;
  /** Deletes by document id or by metadata filter, in one transaction; returns how many went. */
  delete(selector: { ids: string[] } | { filter: Filter }): Promise<{ deleted: number }>;
  query(text: string, options?: QueryOptions): Promise<QueryResult>;
  get(id: string): Promise<StoredDocument | undefined>;
  stats(): Promise<CollectionStats>;
  /** Closes the SQLite connection if the collection opened it (given a path); a given database stays open. */
  close(): void;
}
