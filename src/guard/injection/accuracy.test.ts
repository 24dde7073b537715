import { describe, expect, it } from "vitest";
import { sharedDataFile } from "../../testkit/shared-data.js";
import { readInjectionRows } from "../data.js";
import type { TextSource } from "../types.js";
import { BENIGN_RETRIEVED } from "./benign-retrieved.js";
import { type DetectionFigures, evaluateInjection } from "./eval.js";
import { HARD_NEGATIVES } from "./hard-negatives.js";
import { RETRIEVED_HARD_NEGATIVES } from "./hard-negatives-retrieved.js";
import { injectionScanner } from "./index.js";

const scan = injectionScanner();
const figuresOf = (file: string, source: TextSource): DetectionFigures => {
  return evaluateInjection(readInjectionRows(sharedDataFile(file)), scan, source);
};

// One scanner, the same settings for every file: "input" for prompts, "retrieved" for emails.
describe("injection accuracy on the public evaluation sets", () => {
  // Issue 4 asks for F1 >= 0.90 here; the detector reaches 0.879 (precision 1.0, recall 0.78) and
  // that target is open (see BENCHMARKS.md). This floor guards what is reached against regressions.
  it("deepset test: F1 >= 0.87 (target 0.90 not yet reached)", () => {
    expect(figuresOf("injection-deepset-test.jsonl", "input").f1).toBeGreaterThanOrEqual(0.87);
  });

  it("jailbreak-classification test: F1 >= 0.95", () => {
    expect(figuresOf("injection-jailbreak-test.jsonl", "input").f1).toBeGreaterThanOrEqual(0.95);
  });

  it("NotInject (benign prompts full of trigger words): false-positive rate <= 5%", () => {
    expect(figuresOf("injection-notinject.jsonl", "input").fpr).toBeLessThanOrEqual(0.05);
  });

  it("BIPIA email test (indirect injection): recall >= 0.80 with false-positive rate <= 5%", () => {
    const f = figuresOf("injection-bipia-email-test.jsonl", "retrieved");
    expect(f.recall).toBeGreaterThanOrEqual(0.8);
    expect(f.fpr).toBeLessThanOrEqual(0.05);
  });

  it("giskard: every known attack flagged", () => {
    expect(figuresOf("injection-giskard.jsonl", "input").recall).toBe(1);
  });
});

describe("injection false positives on ordinary knowledge-base documents", () => {
  // A held-out set written for this repo (benign-retrieved.ts), never trained on: help-centre
  // articles, policies, how-tos and API docs full of instructions to the human reader.
  it("benign knowledge-base passages scanned as retrieved: false-positive rate <= 5%", () => {
    const rows = BENIGN_RETRIEVED.map((text) => ({ text, label: 0 as const }));
    const { fpr } = evaluateInjection(rows, scan, "retrieved");
    console.info(
      `benign knowledge-base set: FPR ${fpr.toFixed(3)} (${Math.round(fpr * rows.length)} of ${rows.length} flagged)`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(150);
    expect(fpr).toBeLessThanOrEqual(0.05);
  });
});

/** The sentences of a text (lowercased, whitespace collapsed), the ones long enough to be telling. */
const sentences = (text: string) =>
  text
    .toLowerCase()
    .split(/[.!?\n]+/)
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => s.length >= 20);

describe("the hand-written texts", () => {
  const rowsOf = (files: string[]) =>
    files.flatMap((file) => readInjectionRows(sharedDataFile(file)).map((row) => row.text.toLowerCase()));
  const evaluation = rowsOf([
    "injection-deepset-test.jsonl",
    "injection-jailbreak-test.jsonl",
    "injection-notinject.jsonl",
    "injection-giskard.jsonl",
    "injection-bipia-email-test.jsonl",
  ]);
  const copiedFrom = (texts: readonly string[], rows: readonly string[]) =>
    texts.filter((text) => {
      const probe = text.toLowerCase().slice(0, 40);
      return rows.some((row) => row.includes(probe));
    });

  it("share no sentence with any evaluation set (nothing of the test data is in the repository)", () => {
    expect(copiedFrom(HARD_NEGATIVES, evaluation)).toEqual([]);
    expect(copiedFrom(RETRIEVED_HARD_NEGATIVES, evaluation)).toEqual([]);
    expect(copiedFrom(BENIGN_RETRIEVED, evaluation)).toEqual([]);
  });

  it("the held-out benign set shares no sentence with the training data (hard negatives and train files)", () => {
    const training = [
      ...HARD_NEGATIVES,
      ...RETRIEVED_HARD_NEGATIVES,
      ...rowsOf([
        "injection-deepset-train.jsonl",
        "injection-jailbreak-train.jsonl",
        "injection-bipia-email-train.jsonl",
      ]),
    ];
    const trainingSentences = new Set(training.flatMap(sentences));
    const shared = BENIGN_RETRIEVED.flatMap(sentences).filter((s) => trainingSentences.has(s));
    expect(shared).toEqual([]);
    expect(
      copiedFrom(
        BENIGN_RETRIEVED,
        training.map((t) => t.toLowerCase()),
      ),
    ).toEqual([]);
    const benign = new Set(BENIGN_RETRIEVED);
    expect([...HARD_NEGATIVES, ...RETRIEVED_HARD_NEGATIVES].filter((t) => benign.has(t))).toEqual([]);
  });
});
