import OpenAI from "openai";
import { KeelError } from "../errors/index.js";
import { contentWords } from "./text-terms.js";

/**
 * Turns texts into vectors. `id` names the model and its settings: a collection remembers the id it
 * was built with and refuses another, because vectors of two models cannot be compared.
 */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /**
   * How hybrid search fuses this embedder's ranking with BM25's when the collection does not say:
   * its RRF weight (BM25's is 1) and the RRF constant. Default weight 1, rrfK 60.
   */
  readonly fusion?: { weight?: number; rrfK?: number };
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}

export interface HashingEmbedderOptions {
  /** Vector length (default 1024). More dimensions, fewer hash collisions (see README). */
  dimensions?: number;
}

/**
 * An embedder that needs no model: feature hashing of words (stopwords dropped) and of the
 * character 3- to 5-grams of each word, with sublinear term frequency, into a signed, L2-normalised
 * vector. Deterministic and offline, for tests and for machines with no embedding model; it matches
 * words and their variants (`refund`, `refunds`, `refunded`), not meanings.
 *
 * Its ranking mostly repeats BM25's, so in hybrid search it breaks near-ties rather than votes as an
 * equal: RRF weight 0.1 with rrfK 10, chosen on SciFact's train queries (BENCHMARKS.md).
 */
export function hashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 1024;
  if (!Number.isInteger(dimensions) || dimensions < 8 || dimensions > 8192) {
    throw new KeelError(
      "INVALID_OPTION",
      `dimensions must be a whole number from 8 to 8192, got ${dimensions}.`,
    );
  }
  return {
    id: `keel-hashing-v1:${dimensions}`,
    dimensions,
    fusion: { weight: 0.1, rrfK: 10 },
    async embed(texts) {
      return texts.map((t) => hashEmbed(t, dimensions));
    },
  };
}

const WORD_WEIGHT = 1;
const NGRAM_WEIGHT = 0.35;

/** The hashing embedder's vector of one text (exported for the mock LLM server's `/v1/embeddings`). */
export function hashEmbed(text: string, dimensions: number): Float32Array {
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  for (const word of contentWords(text)) {
    add(`w ${word}`);
    const padded = `<${word}>`;
    for (let n = 3; n <= 5; n++) {
      for (let i = 0; i + n <= padded.length; i++) add(padded.slice(i, i + n));
    }
  }
  const vector = new Float32Array(dimensions);
  for (const [feature, count] of counts) {
    const h = fnv1a(feature);
    const weight = (feature.startsWith("w ") ? WORD_WEIGHT : NGRAM_WEIGHT) * (1 + Math.log(count));
    // The top bit picks the sign, so collisions cancel out on average instead of piling up.
    const i = h % dimensions;
    vector[i] = (vector[i] as number) + (h & 0x80000000 ? -weight : weight);
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) * scale;
  }
  return vector;
}

/** 32-bit FNV-1a over UTF-16 code units: fast, well spread, and the same on every machine. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface OpenAIEmbedderOptions {
  /** The embedding model, e.g. "text-embedding-3-small". */
  model: string;
  /** Vector length the model returns (or is asked for, with models that accept `dimensions`). */
  dimensions: number;
  /** Send `dimensions` in the request (text-embedding-3 models shorten their vectors); default false. */
  requestDimensions?: boolean;
  baseURL?: string;
  apiKey?: string;
  /** Texts per request (default 128). */
  batchSize?: number;
  /** Per request (default 60 000 ms); the client retries 429s and 5xx twice. */
  timeoutMs?: number;
  /** Use this client instead of building one (its baseURL, key and retries apply). */
  client?: OpenAI;
}

/**
 * Embeddings from any OpenAI-compatible `POST /v1/embeddings` (OpenAI, Azure, vLLM, Ollama,
 * LiteLLM...). Batches the texts and checks every vector has the promised length.
 */
export function openAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  const { model, dimensions, batchSize = 128 } = options;
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new KeelError("INVALID_OPTION", `dimensions must be a positive whole number, got ${dimensions}.`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new KeelError("INVALID_OPTION", `batchSize must be a positive whole number, got ${batchSize}.`);
  }
  const client =
    options.client ??
    new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? "missing",
      timeout: options.timeoutMs ?? 60_000,
      maxRetries: 2,
    });
  return {
    id: `openai:${model}:${dimensions}`,
    dimensions,
    async embed(texts, { signal } = {}) {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const input = texts.slice(i, i + batchSize);
        let response: OpenAI.CreateEmbeddingResponse;
        try {
          response = await client.embeddings.create(
            { model, input, ...(options.requestDimensions ? { dimensions } : {}) },
            { signal },
          );
        } catch (cause) {
          throw new KeelError(
            "EMBEDDING_FAILED",
            `The embeddings endpoint failed for model ${model}: ${(cause as Error).message}`,
            { cause, retryable: true },
          );
        }
        vectors.push(...checkedVectors(response, input.length, dimensions, model));
      }
      return vectors;
    },
  };
}

function checkedVectors(
  response: OpenAI.CreateEmbeddingResponse,
  expected: number,
  dimensions: number,
  model: string,
): Float32Array[] {
  const data = [...(response.data ?? [])].sort((a, b) => a.index - b.index);
  if (data.length !== expected) {
    throw new KeelError(
      "EMBEDDING_INVALID",
      `The embeddings endpoint returned ${data.length} vectors for ${expected} texts (model ${model}).`,
    );
  }
  return data.map((d) => {
    if (!Array.isArray(d.embedding) || d.embedding.length !== dimensions) {
      throw new KeelError(
        "EMBEDDING_INVALID",
        `Model ${model} returned a vector of length ${Array.isArray(d.embedding) ? d.embedding.length : "?"}, but the embedder was set up with dimensions: ${dimensions}. Set dimensions to the model's size.`,
      );
    }
    return Float32Array.from(d.embedding);
  });
}
