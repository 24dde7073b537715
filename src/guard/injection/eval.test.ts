import { describe, expect, it } from "vitest";
import { scanner } from "../types.js";
import { evaluateInjection, figures } from "./eval.js";

describe("evaluateInjection", () => {
  const flagsWordAttack = scanner("test", (text) =>
    text.includes("attack") ? [{ type: "PROMPT_INJECTION", start: 0, end: text.length, score: 1 }] : [],
  );

  it("counts a row as flagged when the scanner returns a PROMPT_INJECTION finding", () => {
    const rows = [
      { text: "an attack", label: 1 as const },
      { text: "another attack", label: 1 as const },
      { text: "quiet", label: 1 as const },
      { text: "attack on a benign row", label: 0 as const },
      { text: "benign", label: 0 as const },
    ];
    const f = evaluateInjection(rows, flagsWordAttack, "input");
    expect(f).toEqual({ n: 5, precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, fpr: 0.5 });
  });

  it("passes the source to the scanner", () => {
    const seen: string[] = [];
    const spy = scanner("spy", (_, ctx) => {
      seen.push(ctx.source);
      return [];
    });
    evaluateInjection([{ text: "x", label: 0 }], spy, "retrieved");
    expect(seen).toEqual(["retrieved"]);
  });

  it("reports fpr 0 without negatives and precision 0 without predicted positives", () => {
    expect(figures([true, false], [1, 1]).fpr).toBe(0);
    expect(figures([false, false], [1, 0])).toEqual({ n: 2, precision: 0, recall: 0, f1: 0, fpr: 0 });
    expect(figures([], [])).toEqual({ n: 0, precision: 0, recall: 0, f1: 0, fpr: 0 });
  });
});
