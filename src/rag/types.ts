/** Metadata values a filter can compare: scalars, or arrays of scalars (matched by membership). */
export type MetadataScalar = string | number | boolean;
export type MetadataValue = MetadataScalar | MetadataScalar[];
export type Metadata = Record<string, MetadataValue>;

/**
 * A stretch of a loaded document's text with the structure it sits in. Sections are in text order,
 * never overlap, and cover only content (front matter, navigation and page furniture are outside
 * every section).
 */
export interface Section {
  /** UTF-16 offsets into `LoadedDocument.text`, `end` exclusive. */
  start: number;
  end: number;
  /** Enclosing headings, outermost first (`["Billing", "Refunds"]`); empty when there are none. */
  headingPath: string[];
  /** 1-based page number, for paged sources (PDF). */
  page?: number;
}

/** What a loader returns: the text that chunk spans point into, its metadata and its structure. */
export interface LoadedDocument {
  text: string;
  metadata: Metadata;
  sections: Section[];
}

/** One piece of a document as it is indexed and returned by a query. */
export interface Chunk {
  /** Position of the chunk in its document, from 0. */
  index: number;
  text: string;
  /** UTF-16 offsets into the document's text: `text === document.text.slice(start, end)`. */
  start: number;
  end: number;
  headingPath: string[];
  page?: number;
  /** Tokens of `text` (o200k_base, the project's tokenizer). */
  tokens: number;
}

export interface ChunkingOptions {
  /** Most tokens in a chunk (default 512). */
  maxTokens?: number;
  /** Tokens of the previous chunk repeated at the start of the next one, within a section (default 64). */
  overlapTokens?: number;
}
