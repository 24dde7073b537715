/**
 * The trained classifier as the detector uses it: three linear heads over the same hashed features.
 * "direct" scores a whole prompt (user input), "short" a prompt under `shortPromptChars`; "indirect" scores each segment of a retrieved
 * document or tool output, where an instruction to the model is the anomaly.
 */
import { createFeaturizer, type FeatureConfig, type Featurizer } from "./features.js";
import { sigmoid } from "./logistic.js";
import type { Segment } from "./segments.js";

export const WEIGHTS_FORMAT = "keel-injection-weights/1";

/** One linear head as stored: int8 weights (base64) times `scale`, plus a bias. */
export interface StoredHead {
  bias: number;
  scale: number;
  /** base64 of an Int8Array of 2^hashBits weights. */
  weights: string;
}

/** Per-file fingerprint of the training data: enough to tell which data built the weights, none of it. */
export interface DataFingerprint {
  file: string;
  sha256: string;
  rows: number;
  positives: number;
}

export interface CvFigures {
  n: number;
  precision: number;
  recall: number;
  f1: number;
  fpr: number;
}

/** The committed weights file (weights.json). */
export interface InjectionWeights {
  format: typeof WEIGHTS_FORMAT;
  features: FeatureConfig;
  /**
   * direct scores prompts of at least `shortPromptChars` folded characters, short the ones below,
   * indirect the segments of retrieved text.
   */
  heads: { direct: StoredHead; short: StoredHead; indirect: StoredHead };
  shortPromptChars: number;
  /**
   * Decision thresholds on the combined score: `input` for prompts scored by the direct head,
   * `short` for prompts under `shortPromptChars` (the short head's scores run on another scale),
   * `indirect` for retrieved and tool text.
   */
  thresholds: { input: number; short: number; indirect: number };
  training: {
    seed: number;
    hyperparameters: Record<string, number | boolean>;
    data: DataFingerprint[];
    /** Out-of-fold figures at the chosen thresholds, per training file. */
    cv: Record<string, CvFigures>;
  };
}

/** A head ready to score. */
interface Head {
  bias: number;
  scale: number;
  values: Int8Array;
}

export interface InjectionModel {
  readonly weights: InjectionWeights;
  /** Probability that a whole (folded) prompt is an injection. */
  scoreDirect(text: string): number;
  /** The default threshold for a (folded) text from a direct source: the short or the long one. */
  directThreshold(text: string): number;
  /** The highest-scoring segment of a (folded) document and its probability. */
  scoreSegments(text: string, segments: readonly Segment[]): { probability: number; segment?: Segment };
}

function loadHead(head: StoredHead, size: number): Head {
  const bytes = Buffer.from(head.weights, "base64");
  if (bytes.length !== size) {
    throw new Error(
      `Injection weights hold ${bytes.length} values where the feature config needs ${size}; re-run \`npm run train:guard\`.`,
    );
  }
  return {
    bias: head.bias,
    scale: head.scale,
    values: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length),
  };
}

function probability(head: Head, f: Featurizer, count: number): number {
  if (count === 0) return sigmoid(head.bias);
  const buckets = f.buckets;
  let sum = 0;
  for (let k = 0; k < count; k++) sum += head.values[buckets[k]!]!;
  return sigmoid(head.bias + (head.scale * sum) / Math.sqrt(count));
}

/** Builds a model from a weights object (the committed one or one just trained). */
export function loadModel(weights: InjectionWeights): InjectionModel {
  if (weights.format !== WEIGHTS_FORMAT) {
    throw new Error(`Unknown injection weights format "${weights.format}"; expected "${WEIGHTS_FORMAT}".`);
  }
  const size = 1 << weights.features.hashBits;
  const direct = loadHead(weights.heads.direct, size);
  const short = loadHead(weights.heads.short, size);
  const indirect = loadHead(weights.heads.indirect, size);
  const shortChars = weights.shortPromptChars;
  const f = createFeaturizer(weights.features);
  return {
    weights,
    scoreDirect(text) {
      return probability(text.length < shortChars ? short : direct, f, f.collect(text));
    },
    directThreshold(text) {
      return text.length < shortChars ? weights.thresholds.short : weights.thresholds.input;
    },
    scoreSegments(text, segments) {
      let best = 0;
      let bestSegment: Segment | undefined;
      for (const s of segments) {
        const p = probability(indirect, f, f.collect(text, s.start, s.end, true));
        if (p > best) {
          best = p;
          bestSegment = s;
        }
      }
      return bestSegment ? { probability: best, segment: bestSegment } : { probability: 0 };
    },
  };
}
