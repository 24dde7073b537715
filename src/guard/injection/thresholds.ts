/**
 * Choosing decision thresholds on out-of-fold scores, and the per-file figures reported with them.
 */
import { figures } from "./eval.js";
import { mulberry32, shuffled } from "./logistic.js";
import type { CvFigures } from "./model.js";

/** A scored row: its file, its label and its out-of-fold score. */
export interface ScoredRow {
  file: string;
  label: 0 | 1;
}

/** Fold of each row: rows shuffled with the seed, then dealt out per class so folds stay balanced. */
export function stratifiedFolds(rows: readonly ScoredRow[], folds: number, seed: number): Int32Array {
  const fold = new Int32Array(rows.length);
  const dealt = [0, 0];
  for (const i of shuffled(rows.length, mulberry32(seed ^ 0x5eed))) {
    fold[i] = dealt[rows[i]!.label]!++ % folds;
  }
  return fold;
}

/** Figures per file at `threshold` (one for all rows, or one per row index), rounded for the weights file. */
export function perFile(
  rows: readonly ScoredRow[],
  scores: Float64Array,
  threshold: number | ((row: number) => number),
): Record<string, CvFigures> {
  const at = typeof threshold === "number" ? () => threshold : threshold;
  const byFile = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = byFile.get(r.file) ?? [];
    list.push(i);
    byFile.set(r.file, list);
  });
  const out: Record<string, CvFigures> = {};
  for (const file of [...byFile.keys()].sort()) {
    const idx = byFile.get(file)!;
    const f = figures(
      idx.map((i) => scores[i]! >= at(i)),
      idx.map((i) => rows[i]!.label),
    );
    out[file] = {
      n: f.n,
      precision: round(f.precision),
      recall: round(f.recall),
      f1: round(f.f1),
      fpr: round(f.fpr),
    };
  }
  return out;
}

/**
 * The threshold maximising the mean F1 over the files that have positives (F1 says nothing about a
 * file of negatives only) among the thresholds `allowed` accepts, tried at the midpoints between
 * consecutive distinct scores; ties go to the lowest. 0.5 when no threshold is allowed.
 */
export function chooseThreshold(
  scores: Float64Array,
  rows: readonly ScoredRow[],
  allowed: (byFile: Record<string, CvFigures>, pooled: CvFigures) => boolean,
): number {
  const candidates = [...new Set(scores)].sort((a, b) => a - b);
  const files = [...new Set(rows.filter((r) => r.label === 1).map((r) => r.file))];
  const labels = rows.map((r) => r.label);
  let best = 0.5;
  let bestValue = -1;
  for (let i = 0; i + 1 < candidates.length; i++) {
    const t = (candidates[i]! + candidates[i + 1]!) / 2;
    if (t < 0.01 || t > 0.999) continue;
    const byFile = perFile(rows, scores, t);
    const pooled = figures(
      Array.from(scores, (s) => s >= t),
      labels,
    );
    if (!allowed(byFile, pooled)) continue;
    const value = files.reduce((sum, f) => sum + byFile[f]!.f1, 0) / Math.max(1, files.length);
    if (value > bestValue) {
      bestValue = value;
      best = t;
    }
  }
  return best;
}

export function round(x: number, digits = 4): number {
  return Number(x.toFixed(digits));
}
