/**
 * Builds the weights file from labelled rows: pure and deterministic (same rows and seed give a
 * byte-identical file). Three logistic-regression heads are trained over the same hashed features,
 * each feature scaled by its IDF over the head's training examples:
 *
 * - direct: on whole prompts (rows with source "input"). Attack prompts the rules alone already
 *   decide weigh less (`ruleDecidedWeight`), so the classifier spends its capacity on what the rules
 *   miss instead of re-learning "ignore" and "forget" as words, which is what makes a small
 *   classifier flag benign prompts that merely use them.
 * - short: the same, on the prompts under `shortPromptChars` only, so long jailbreak templates do not
 *   set the weights that judge short questions and commands.
 * - indirect: on segments of documents (rows with source "retrieved"), with the cue features of
 *   cues.ts added. When a positive document is a negative one with text inserted, as in BIPIA, only
 *   the inserted segments are labelled positive and every segment of the clean documents negative.
 *   Attack-free documents (benign ones written as over-defence examples) are negatives throughout.
 *
 * Thresholds on the combined score (rules noisy-OR classifier, see detect.ts) are chosen on
 * out-of-fold predictions: for input (once for the direct head over every prompt, once for the short
 * head over the short prompts), the one maximising the mean F1 over the direct files that
 * have attacks while keeping the false-positive rate of every attack-free file (the over-defence
 * set) at most `maxOverdefenceFpr`; for indirect, the one maximising F1 while keeping the
 * false-positive rate of the files with attacks at most `maxIndirectFpr` and that of attack-free
 * document files at most `maxIndirectOverdefenceFpr`. Indirect folds of a file with attacks are
 * grouped by carrier document, in contiguous blocks, so a held-out fold holds documents (and, in
 * BIPIA, attack categories) the head never saw; attack-free documents are dealt round-robin.
 */
import type { TextSource } from "../types.js";
import { combineScores, ruleEvidence } from "./detect.js";
import { createFeaturizer, type FeatureConfig, type Featurizer } from "./features.js";
import {
  idfWeights,
  type LinearModel,
  margin,
  quantize,
  type SparseExample,
  sigmoid,
  trainLogistic,
} from "./logistic.js";
import {
  type CvFigures,
  type DataFingerprint,
  type InjectionWeights,
  type StoredHead,
  WEIGHTS_FORMAT,
} from "./model.js";
import { normalizeText } from "./normalize.js";
import { insertedPart, segmentsOf } from "./segments.js";
import { chooseThreshold, perFile, round, stratifiedFolds } from "./thresholds.js";

export interface TrainingRow {
  text: string;
  label: 0 | 1;
  /** "input" rows train the direct head, "retrieved" rows the indirect one. */
  source: "input" | "retrieved";
  /** The file the row came from; CV figures are reported per file. */
  file: string;
}

export interface TrainOptions {
  seed: number;
  features?: Partial<FeatureConfig>;
  epochs?: number;
  l2?: number;
  learningRate?: number;
  folds?: number;
  /** Weight of a direct attack whose rule score alone is at least RULE_DECIDED. */
  ruleDecidedWeight?: number;
  /** Highest out-of-fold false-positive rate allowed on attack-free (over-defence) direct files. */
  maxOverdefenceFpr?: number;
  /** Highest out-of-fold false-positive rate allowed when choosing the indirect threshold. */
  maxIndirectFpr?: number;
  /**
   * Highest out-of-fold false-positive rate allowed on attack-free indirect files (benign documents
   * written as over-defence examples) when choosing the indirect threshold.
   */
  maxIndirectOverdefenceFpr?: number;
  /** Prompts shorter than this (folded) are scored by the short head; 0 turns it off. */
  shortPromptChars?: number;
  /** Files whose rows (under shortPromptChars) train the short head; every direct file when absent. */
  shortFiles?: readonly string[];
  /** Loss weight of the direct rows of each file (by file name); 1 for files not listed. */
  fileWeights?: Record<string, number>;
  /** Fingerprints of the files the rows came from, recorded in the weights file. */
  data?: DataFingerprint[];
}

export const DEFAULT_FEATURES: FeatureConfig = {
  hashBits: 17,
  charMin: 3,
  charMax: 4,
  wordMax: 2,
  headChars: 4096,
  tailChars: 1024,
  indirectCues: 32,
};

/** Chosen by 5-fold CV on the training files (see README.md). */
const DEFAULTS = {
  epochs: 12,
  l2: 1e-5,
  learningRate: 0.05,
  folds: 5,
  ruleDecidedWeight: 0.3,
  maxOverdefenceFpr: 0.04,
  maxIndirectFpr: 0.02,
  maxIndirectOverdefenceFpr: 0.02,
  shortPromptChars: 500,
};

/** A rule score at which the rules decide alone under any threshold the CV has picked so far. */
const RULE_DECIDED = 0.6;

export interface TrainResult {
  weights: InjectionWeights;
  /** Out-of-fold figures per file at the chosen thresholds (also stored in the weights). */
  cv: Record<string, CvFigures>;
  /**
   * Every training row's out-of-fold score and the threshold it was judged against, for looking at
   * what the CV misses (train-cli's `--misses`). Not stored in the weights.
   */
  oof: { file: string; text: string; label: 0 | 1; score: number; threshold: number }[];
}

/** A row folded, featurised and scored by the rules for its source. */
interface Prepared {
  file: string;
  label: 0 | 1;
  text: string;
  folded: string;
  buckets: Int32Array;
  ruleScore: number;
}

/** A document of the indirect data with its labelled segments and its carrier group. */
interface IndirectDoc extends Prepared {
  group: number;
  segments: SparseExample[];
}

/**
 * Trains both heads and picks thresholds. Pure: reads nothing but its arguments.
 *
 * @example
 * const { weights, cv } = trainInjectionModel(rows, { seed: 1 });
 * writeFileSync("weights.json", serializeWeights(weights));
 */
export function trainInjectionModel(rows: readonly TrainingRow[], options: TrainOptions): TrainResult {
  const features: FeatureConfig = { ...DEFAULT_FEATURES, ...options.features };
  const hp = {
    epochs: options.epochs ?? DEFAULTS.epochs,
    l2: options.l2 ?? DEFAULTS.l2,
    learningRate: options.learningRate ?? DEFAULTS.learningRate,
    folds: options.folds ?? DEFAULTS.folds,
    ruleDecidedWeight: options.ruleDecidedWeight ?? DEFAULTS.ruleDecidedWeight,
    maxOverdefenceFpr: options.maxOverdefenceFpr ?? DEFAULTS.maxOverdefenceFpr,
    maxIndirectFpr: options.maxIndirectFpr ?? DEFAULTS.maxIndirectFpr,
    maxIndirectOverdefenceFpr: options.maxIndirectOverdefenceFpr ?? DEFAULTS.maxIndirectOverdefenceFpr,
    shortPromptChars: options.shortPromptChars ?? DEFAULTS.shortPromptChars,
  };
  const shortFiles = options.shortFiles;
  const isShort = (p: Prepared) => p.folded.length < hp.shortPromptChars;
  const shortRows = (ps: readonly Prepared[]) =>
    ps.filter((p) => isShort(p) && (!shortFiles || shortFiles.includes(p.file)));
  const fileWeights = options.fileWeights ?? {};
  const f = createFeaturizer(features);
  const dimensions = 1 << features.hashBits;
  const trainHead = (examples: SparseExample[], salt: number): LinearModel =>
    trainLogistic(examples, {
      dimensions,
      epochs: hp.epochs,
      l2: hp.l2,
      learningRate: hp.learningRate,
      seed: (options.seed ^ salt) >>> 0,
      balanced: true,
      featureScale: idfWeights(examples, dimensions),
    });

  const direct = rows.filter((r) => r.source === "input").map((r) => prepare(r, "input", f));
  const directExamples = (ps: readonly Prepared[]): SparseExample[] =>
    ps.map((p) => ({
      buckets: p.buckets,
      label: p.label,
      weight:
        (p.label === 1 && p.ruleScore >= RULE_DECIDED ? hp.ruleDecidedWeight : 1) *
        (fileWeights[p.file] ?? 1),
    }));
  const docs = indirectDocs(
    rows.filter((r) => r.source === "retrieved").map((r) => prepare(r, "retrieved", f)),
    f,
  );
  const indirectExamples = (ds: readonly IndirectDoc[]) => ds.flatMap((d) => d.segments);

  // Out-of-fold scores of the combined detector, from which the thresholds are chosen: every prompt
  // scored by the direct head, and the short ones by the short head too.
  const longOof = new Float64Array(direct.length);
  const shortOof = new Float64Array(direct.length);
  const directFold = stratifiedFolds(direct, hp.folds, options.seed);
  for (let k = 0; k < hp.folds && direct.length > 0; k++) {
    const seen = direct.filter((_, i) => directFold[i] !== k);
    const model = trainHead(directExamples(seen), 0x1000 + k);
    const short = hp.shortPromptChars > 0 ? trainHead(directExamples(shortRows(seen)), 0x3000 + k) : model;
    direct.forEach((p, i) => {
      if (directFold[i] !== k) return;
      longOof[i] = combineScores(p.ruleScore, sigmoid(margin(model, p.buckets)));
      shortOof[i] = combineScores(p.ruleScore, sigmoid(margin(short, p.buckets)));
    });
  }
  const directOof = direct.map((p, i) => (isShort(p) ? shortOof[i]! : longOof[i]!));
  const indirectOof = new Float64Array(docs.length);
  const indirectFold = indirectFolds(docs, hp.folds);
  for (let k = 0; k < hp.folds && docs.length > 0; k++) {
    const model = trainHead(indirectExamples(docs.filter((_, i) => indirectFold[i] !== k)), 0x2000 + k);
    docs.forEach((d, i) => {
      if (indirectFold[i] === k) indirectOof[i] = combineScores(d.ruleScore, maxSegment(model, d.folded, f));
    });
  }
  const overdefenceFiles = [...new Set(direct.map((p) => p.file))].filter(
    (file) => !direct.some((p) => p.file === file && p.label === 1),
  );
  // The short head's scores run on their own scale, so it gets its own threshold, chosen on the
  // short prompts alone; the direct head's is chosen over every prompt, as if it scored them all, so
  // that all the over-defence examples constrain it.
  const overdefenceOk = (byFile: Record<string, CvFigures>) =>
    overdefenceFiles.every((file) => (byFile[file]?.fpr ?? 0) <= hp.maxOverdefenceFpr);
  const inputThreshold = chooseThreshold(longOof, direct, overdefenceOk);
  const shortIdx = direct.flatMap((p, i) => (isShort(p) ? [i] : []));
  const shortThreshold =
    shortIdx.length > 0
      ? chooseThreshold(
          Float64Array.from(shortIdx, (i) => shortOof[i]!),
          shortIdx.map((i) => direct[i]!),
          overdefenceOk,
        )
      : inputThreshold;
  // Documents of files with attacks (their clean carriers) keep the false-positive budget the
  // indirect threshold always had; attack-free files (benign documents written as over-defence
  // examples) get their own budget.
  const indirectAttackFiles = new Set(docs.filter((d) => d.label === 1).map((d) => d.file));
  const indirectThreshold = chooseThreshold(indirectOof, docs, (byFile) =>
    Object.entries(byFile).every(([file, fig]) =>
      indirectAttackFiles.has(file) ? fig.fpr <= hp.maxIndirectFpr : fig.fpr <= hp.maxIndirectOverdefenceFpr,
    ),
  );
  const cv = {
    ...perFile(direct, Float64Array.from(directOof), (i) =>
      isShort(direct[i]!) ? shortThreshold : inputThreshold,
    ),
    ...perFile(docs, indirectOof, indirectThreshold),
  };

  const directHead = trainHead(directExamples(direct), 0x100);
  const weights: InjectionWeights = {
    format: WEIGHTS_FORMAT,
    features,
    heads: {
      direct: storeHead(directHead),
      short: storeHead(
        hp.shortPromptChars > 0 ? trainHead(directExamples(shortRows(direct)), 0x300) : directHead,
      ),
      indirect: storeHead(trainHead(indirectExamples(docs), 0x200)),
    },
    shortPromptChars: hp.shortPromptChars,
    thresholds: {
      input: round(inputThreshold),
      short: round(shortThreshold),
      indirect: round(indirectThreshold),
    },
    training: {
      seed: options.seed,
      hyperparameters: {
        ...hp,
        idf: true,
        balancedClasses: true,
        ruleDecidedAt: RULE_DECIDED,
        ...Object.fromEntries(Object.entries(fileWeights).map(([file, w]) => [`weight:${file}`, w])),
      },
      data: options.data ?? [],
      cv,
    },
  };
  const oof = [
    ...direct.map((p, i) => ({
      file: p.file,
      text: p.text,
      label: p.label,
      score: directOof[i]!,
      threshold: isShort(p) ? shortThreshold : inputThreshold,
    })),
    ...docs.map((d, i) => ({
      file: d.file,
      text: d.text,
      label: d.label,
      score: indirectOof[i]!,
      threshold: indirectThreshold,
    })),
  ];
  return { weights, cv, oof };
}

/** The weights file's text: fixed key order, rounded numbers, a final newline. */
export function serializeWeights(weights: InjectionWeights): string {
  return `${JSON.stringify(weights, null, 2)}\n`;
}

function prepare(row: TrainingRow, source: TextSource, f: Featurizer): Prepared {
  const norm = normalizeText(row.text);
  return {
    file: row.file,
    label: row.label,
    text: row.text,
    folded: norm.text,
    buckets: bucketsOf(f, norm.text),
    ruleScore: ruleEvidence(row.text, norm, source).score,
  };
}

function segmentExamples(folded: string, label: 0 | 1, f: Featurizer): SparseExample[] {
  const segments = segmentsOf(folded);
  if (segments.length === 0 && folded.length > 0) segments.push({ start: 0, end: folded.length });
  return segments.map((s) => ({ buckets: bucketsOf(f, folded, s.start, s.end, true), label }));
}

/**
 * A copy of the buckets of `text[from, to)`. `collect` runs first: it may replace the featuriser's
 * buffer, so `f.buckets` read before the call (as in `f.buckets.slice(0, f.collect(t))`) can be a
 * stale buffer holding an earlier text's buckets.
 */
function bucketsOf(f: Featurizer, text: string, from = 0, to = text.length, cues = false): Int32Array {
  const count = f.collect(text, from, to, cues);
  return f.buckets.slice(0, count);
}

/**
 * Documents grouped by carrier: a positive that is a negative document plus an insertion joins that
 * negative's group with only its inserted part labelled; any other positive is a group of its own,
 * all of it positive.
 */
function indirectDocs(rows: readonly Prepared[], f: Featurizer): IndirectDoc[] {
  const carriers = rows.filter((p) => p.label === 0);
  const docs: IndirectDoc[] = carriers.map((p, group) => ({
    ...p,
    group,
    segments: segmentExamples(p.folded, 0, f),
  }));
  let nextGroup = carriers.length;
  for (const p of rows) {
    if (p.label === 0) continue;
    let group = -1;
    let inserted: string | undefined;
    for (let c = 0; c < carriers.length && inserted === undefined; c++) {
      inserted = insertedPart(carriers[c]!.text, p.text);
      if (inserted !== undefined) group = c;
    }
    const positive = inserted !== undefined ? normalizeText(inserted).text : p.folded;
    docs.push({ ...p, group: group >= 0 ? group : nextGroup++, segments: segmentExamples(positive, 1, f) });
  }
  return docs;
}

/**
 * Cross-validation fold of each indirect document. In a file with attacks, its carrier groups are
 * cut into contiguous blocks, so a held-out fold holds carrier documents (and, in BIPIA, attack
 * categories) the head never saw. An attack-free file's documents are independent of each other
 * and are dealt round-robin, so every fold holds some of each kind.
 */
function indirectFolds(docs: readonly IndirectDoc[], folds: number): Int32Array {
  const fold = new Int32Array(docs.length);
  for (const file of new Set(docs.map((d) => d.file))) {
    const idx = docs.flatMap((d, i) => (d.file === file ? [i] : []));
    const groups = [...new Set(idx.map((i) => docs[i]!.group))].sort((a, b) => a - b);
    const rank = new Map(groups.map((g, r) => [g, r]));
    const attacks = idx.some((i) => docs[i]!.label === 1);
    for (const i of idx) {
      const r = rank.get(docs[i]!.group)!;
      fold[i] = attacks ? Math.floor((r * folds) / groups.length) : r % folds;
    }
  }
  return fold;
}

/** A document's indirect score: its most suspicious segment, as the detector computes it. */
function maxSegment(model: LinearModel, folded: string, f: Featurizer): number {
  let best = 0;
  for (const s of segmentsOf(folded)) {
    const count = f.collect(folded, s.start, s.end, true);
    best = Math.max(best, sigmoid(margin(model, f.buckets.subarray(0, count))));
  }
  return best;
}

function storeHead(model: LinearModel): StoredHead {
  const q = quantize(model.weights);
  return {
    bias: round(model.bias, 6),
    scale: Number(q.scale.toPrecision(8)),
    weights: Buffer.from(q.values.buffer, q.values.byteOffset, q.values.byteLength).toString("base64"),
  };
}
