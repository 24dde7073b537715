/**
 * The seam between a collection (validation, chunking, embedding, fusion, reranking, guards) and
 * the tables that hold it. One implementation per backend: `sqlite-store.ts` (FTS5 + sqlite-vec)
 * and `postgres-store.ts` (tsvector + pgvector). Everything here is async so a networked database
 * fits; the SQLite store answers synchronously inside its promises.
 */
import { KeelError } from "../errors/index.js";
import type { Access, IngestReport, StoredDocument } from "./collection-types.js";
import type { FieldInfo, Filter } from "./filter.js";
import type { Chunk, Metadata } from "./types.js";

/** What a collection is built with, stored once and checked on every open. */
export interface CollectionConfig {
  version: 1;
  embedder: { id: string; dimensions: number } | null;
  acl: boolean;
}

/** Who may see what in one query: a metadata filter and the principal's ACL keys. */
export interface Restriction {
  filter?: Filter;
  /** ACL keys of the principal (`u:id`, `g:group`); undefined when the collection has no ACLs. */
  principal?: string[];
}

/** A chunk as a search returns it, with its document's id and metadata. */
export interface ChunkRow {
  rowid: number;
  idx: number;
  start: number;
  end: number;
  /** The heading path as JSON text (`["Billing","Refunds"]`). */
  heading: string;
  page: number | null;
  text: string;
  documentId: string;
  /** The document's metadata as JSON text. */
  metadata: string;
}

/** One ranked chunk: `rowid` identifies it within the collection for fusion. Higher score is better. */
export interface Candidate {
  rowid: number;
  score: number;
  row?: ChunkRow;
}

/** A document ready to write: chunked and, when the collection has an embedder, embedded. */
export interface PreparedDocument {
  id: string;
  hash: string;
  text: string;
  metadata: Metadata;
  access?: Access;
  chunks: Chunk[];
  vectors?: Float32Array[];
}

export interface Preparation {
  changed: PreparedDocument[];
  unchanged: number;
}

/**
 * Storage for one collection. `R` is the backend's compiled form of a restriction: `restrict`
 * checks the filter against the fields the collection has seen (an `INVALID_FILTER` error before
 * any embedding is paid for) and the searches of one query reuse it.
 *
 * Both searches apply the restriction inside the query that picks the top `limit`, never to its
 * results, so a caller gets `limit` rows whenever that many readable, matching chunks exist.
 */
export interface CollectionStore<R = unknown> {
  readonly config: CollectionConfig;
  /** Reported by `stats()`: the lexical ranking's parameters and tokenizer. */
  readonly bm25: { k1: number; b: number; tokenizer: string };
  /** The content hash stored for each of `ids` that exists. */
  storedHashes(ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Replaces every changed document's rows in all indexes (chunks, lexical, vectors, ACL, fields)
   * in one transaction; `unchanged` is only carried into the report.
   */
  write(
    prepared: Preparation,
    context: { now: number; onProgress?: (done: number, total: number) => void },
  ): Promise<IngestReport>;
  /** Deletes documents by id or by filter (already checked non-empty), in one transaction. */
  deleteDocuments(target: { ids: string[] } | { filter: Filter }): Promise<number>;
  restrict(restriction: Restriction): Promise<R>;
  keywordSearch(query: string, where: R, limit: number): Promise<Candidate[]>;
  vectorSearch(vector: Float32Array, where: R, limit: number): Promise<Candidate[]>;
  get(id: string): Promise<StoredDocument | undefined>;
  counts(): Promise<{ documents: number; chunks: number; fields: Map<string, FieldInfo> }>;
  close(): void;
}

/** Refuses to open a collection with settings other than those it was built with. */
export function checkCompatible(name: string, stored: CollectionConfig, wanted: CollectionConfig): void {
  if (stored.acl !== wanted.acl) {
    throw new KeelError(
      "COLLECTION_MISMATCH",
      `Collection "${name}" was made with acl: ${stored.acl}; open it with acl: ${stored.acl} (access control cannot be switched on an existing collection).`,
    );
  }
  if (wanted.embedder && !stored.embedder) {
    throw new KeelError(
      "COLLECTION_MISMATCH",
      `Collection "${name}" was made without an embedder, so it has no vectors; open it without one, or ingest into a new collection.`,
    );
  }
  if (wanted.embedder && stored.embedder && wanted.embedder.id !== stored.embedder.id) {
    throw new KeelError(
      "COLLECTION_MISMATCH",
      `Collection "${name}" holds vectors from embedder "${stored.embedder.id}", not "${wanted.embedder.id}"; vectors of different models cannot be compared. Open it with the same embedder, or ingest into a new collection.`,
    );
  }
}
