import type { Finding, ScanContext } from "../types.js";

export interface LabelledSpan {
  start: number;
  end: number;
  type: string;
}

/** One evaluation row, as in the keel-format PII files. */
export interface LabelledText {
  text: string;
  spans: readonly LabelledSpan[];
}

export interface Score {
  precision: number;
  recall: number;
  f1: number;
}

export interface TypeScore extends Score {
  /** Gold spans of this type. */
  support: number;
}

export interface PiiEvaluation {
  types: Record<string, TypeScore>;
  micro: Score;
}

/** The types the presidio-derived files label; everything else in them is unlabelled text. */
export const LABELLED_TYPES: readonly string[] = [
  "EMAIL",
  "PHONE",
  "CREDIT_CARD",
  "IBAN",
  "US_SSN",
  "IP_ADDRESS",
  "PERSON",
];

/**
 * Span-level precision, recall and F1 of a scanner against labelled rows.
 *
 * Matching rule: a predicted span is a true positive when its type equals a gold span's type and
 * their overlap covers at least half of the gold span AND at least half of the predicted span (so
 * neither a fragment nor an over-long prediction counts). Predictions are taken in order of start;
 * each takes the first still-unmatched gold span it matches, so each gold span matches at most one
 * prediction. Unmatched predictions are false positives, unmatched gold spans false negatives.
 *
 * `types` lists every type that occurs in the gold spans or in the predictions. Precision with no
 * prediction of a type is 0 (not undefined), and so is recall with no gold span of it. `micro` sums
 * counts over `labelledTypes` only (by default the seven the data labels): predictions of a type the
 * data never labels (SECRET, DATE_OF_BIRTH, URL_WITH_CREDENTIALS) cannot be judged there, so they are
 * reported per type and kept out of the micro average.
 */
export function evaluatePii(
  rows: Iterable<LabelledText>,
  scan: (text: string, ctx: ScanContext) => readonly Finding[],
  labelledTypes: readonly string[] = LABELLED_TYPES,
): PiiEvaluation {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const count = (type: string) => {
    let c = counts.get(type);
    if (c === undefined) counts.set(type, (c = { tp: 0, fp: 0, fn: 0 }));
    return c;
  };
  for (const row of rows) {
    const gold = [...row.spans].sort((a, b) => a.start - b.start);
    const matched = new Array<boolean>(gold.length).fill(false);
    const predicted = [...scan(row.text, { source: "input" })].sort((a, b) => a.start - b.start);
    for (const p of predicted) {
      const i = gold.findIndex((g, j) => !matched[j] && g.type === p.type && halfOverlap(g, p));
      if (i === -1) count(p.type).fp++;
      else {
        matched[i] = true;
        count(p.type).tp++;
      }
    }
    gold.forEach((g, j) => {
      if (!matched[j]) count(g.type).fn++;
    });
  }

  const types: Record<string, TypeScore> = {};
  const micro = { tp: 0, fp: 0, fn: 0 };
  for (const [type, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    types[type] = { ...score(c), support: c.tp + c.fn };
    if (labelledTypes.includes(type)) {
      micro.tp += c.tp;
      micro.fp += c.fp;
      micro.fn += c.fn;
    }
  }
  return { types, micro: score(micro) };
}

function halfOverlap(gold: LabelledSpan, predicted: LabelledSpan): boolean {
  const overlap = Math.min(gold.end, predicted.end) - Math.max(gold.start, predicted.start);
  return (
    overlap * 2 >= gold.end - gold.start && overlap * 2 >= predicted.end - predicted.start && overlap > 0
  );
}

function score({ tp, fp, fn }: { tp: number; fp: number; fn: number }): Score {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
