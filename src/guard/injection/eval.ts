/**
 * Detection figures over labelled rows, the numbers `keel guard eval --task injection` prints.
 */
import type { Scanner, TextSource } from "../types.js";

export interface LabelledText {
  text: string;
  label: 0 | 1;
}

export interface DetectionFigures {
  n: number;
  precision: number;
  recall: number;
  f1: number;
  /** False positives over negatives; 0 when there are no negatives. */
  fpr: number;
}

/** Figures from predicted and true labels. Precision is 0 when nothing was predicted positive. */
export function figures(predicted: readonly boolean[], labels: readonly (0 | 1)[]): DetectionFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let negatives = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = labels[i] === 1;
    if (!positive) negatives++;
    if (predicted[i] && positive) tp++;
    else if (predicted[i]) fp++;
    else if (positive) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { n: labels.length, precision, recall, f1, fpr: negatives > 0 ? fp / negatives : 0 };
}

/**
 * Runs `scan` over `rows` as text from `source` and scores it: a row counts as flagged when the
 * scanner returns at least one PROMPT_INJECTION finding.
 *
 * @example
 * evaluateInjection(rows, injectionScanner(), "retrieved") // { n, precision, recall, f1, fpr }
 */
export function evaluateInjection(
  rows: readonly LabelledText[],
  scan: Scanner,
  source: TextSource = "input",
): DetectionFigures {
  const predicted = rows.map((r) => scan(r.text, { source }).some((f) => f.type === "PROMPT_INJECTION"));
  return figures(
    predicted,
    rows.map((r) => r.label),
  );
}
