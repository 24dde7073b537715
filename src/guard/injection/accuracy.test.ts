import { describe, expect, it } from "vitest";
import { sharedDataFile } from "../../testkit/shared-data.js";
import { readInjectionRows } from "../data.js";
import type { TextSource } from "../types.js";
import { type DetectionFigures, evaluateInjection } from "./eval.js";
import { HARD_NEGATIVES } from "./hard-negatives.js";
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

describe("the hand-written training negatives", () => {
  it("share no sentence with any evaluation set (nothing of the test data is in the repository)", () => {
    const evaluation = [
      "injection-deepset-test.jsonl",
      "injection-jailbreak-test.jsonl",
      "injection-notinject.jsonl",
      "injection-giskard.jsonl",
      "injection-bipia-email-test.jsonl",
    ].flatMap((file) => readInjectionRows(sharedDataFile(file)).map((row) => row.text.toLowerCase()));
    const copied = HARD_NEGATIVES.filter((text) => {
      const probe = text.toLowerCase().slice(0, 40);
      return evaluation.some((row) => row.includes(probe));
    });
    expect(copied).toEqual([]);
  });
});
