// Retrieval: loaders, chunking, collections (BM25 + vectors + hybrid, filters and access control
// inside the query) on SQLite or PostgreSQL, embedders, and IR evaluation. The storage seam
// (`CollectionStore`) stays internal until a third backend needs it.
export { chunkDocument, DEFAULT_CHUNKING, resolveChunking } from "./chunk.js";
export { type OpenCollectionOptions, openCollection } from "./collection.js";
export type {
  Access,
  Collection,
  CollectionOptions,
  CollectionStats,
  DocumentInput,
  Hit,
  HybridOptions,
  IngestOptions,
  IngestProgress,
  IngestReport,
  Principal,
  QueryOptions,
  QueryResult,
  Reranker,
  SearchMode,
  StoredDocument,
} from "./collection-types.js";
export {
  type Embedder,
  type HashingEmbedderOptions,
  hashingEmbedder,
  type OpenAIEmbedderOptions,
  openAIEmbedder,
} from "./embedder.js";
export { type IrDataset, readBeir, readCranfield, readIrDataset } from "./eval/datasets.js";
export { type EvaluateOptions, evaluateRetrieval, type RetrievalEvaluation } from "./eval/evaluate.js";
export {
  ndcgAt,
  type Qrels,
  type RetrievalScores,
  recallAt,
  reciprocalRankAt,
  scoreRankings,
} from "./eval/metrics.js";
export type { Filter, Operators } from "./filter.js";
export * from "./loaders/index.js";
export { type OpenPostgresCollectionOptions, openPostgresCollection } from "./postgres-collection.js";
export { dropPostgresCollection, type PostgresClient } from "./postgres-tables.js";
export { dropCollection } from "./sqlite-tables.js";
export type {
  Chunk,
  ChunkingOptions,
  LoadedDocument,
  Metadata,
  MetadataScalar,
  MetadataValue,
  Section,
} from "./types.js";
