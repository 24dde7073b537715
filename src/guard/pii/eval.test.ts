import { describe, expect, it } from "vitest";
import type { Finding } from "../types.js";
import { evaluatePii, type LabelledText } from "./eval.js";

/** A scanner that returns fixed findings for each text. */
function fixed(byText: Record<string, Array<Pick<Finding, "type" | "start" | "end">>>) {
  return (text: string): Finding[] => (byText[text] ?? []).map((f) => ({ ...f, score: 1 }));
}

describe("evaluatePii", () => {
  it("counts an exact match as a true positive", () => {
    const rows: LabelledText[] = [{ text: "a", spans: [{ start: 0, end: 10, type: "PERSON" }] }];
    const r = evaluatePii(rows, fixed({ a: [{ type: "PERSON", start: 0, end: 10 }] }));
    expect(r.types.PERSON).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(r.micro).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it("needs half of the gold span and half of the prediction to overlap", () => {
    const rows: LabelledText[] = [{ text: "a", spans: [{ start: 0, end: 10, type: "PHONE" }] }];
    const half = evaluatePii(rows, fixed({ a: [{ type: "PHONE", start: 5, end: 10 }] }));
    expect(half.types.PHONE!.recall).toBe(1);
    const fragment = evaluatePii(rows, fixed({ a: [{ type: "PHONE", start: 6, end: 10 }] }));
    expect(fragment.types.PHONE).toMatchObject({ precision: 0, recall: 0 });
    const overLong = evaluatePii(rows, fixed({ a: [{ type: "PHONE", start: 0, end: 21 }] }));
    expect(overLong.types.PHONE).toMatchObject({ precision: 0, recall: 0 });
  });

  it("requires the same type, and matches each gold span at most once", () => {
    const rows: LabelledText[] = [{ text: "a", spans: [{ start: 0, end: 10, type: "PERSON" }] }];
    const wrongType = evaluatePii(rows, fixed({ a: [{ type: "EMAIL", start: 0, end: 10 }] }));
    expect(wrongType.types.PERSON).toMatchObject({ recall: 0, support: 1 });
    expect(wrongType.types.EMAIL).toMatchObject({ precision: 0, support: 0 });
    const twice = evaluatePii(
      rows,
      fixed({
        a: [
          { type: "PERSON", start: 0, end: 10 },
          { type: "PERSON", start: 1, end: 10 },
        ],
      }),
    );
    expect(twice.types.PERSON).toMatchObject({ precision: 0.5, recall: 1 });
  });

  it("gives precision 0 to a type with no prediction, and F1 0 with it", () => {
    const rows: LabelledText[] = [{ text: "a", spans: [{ start: 0, end: 4, type: "IBAN" }] }];
    expect(evaluatePii(rows, fixed({})).types.IBAN).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it("reports types the data does not label but keeps them out of the micro average", () => {
    const rows: LabelledText[] = [
      { text: "a", spans: [{ start: 0, end: 4, type: "EMAIL" }] },
      { text: "b", spans: [] },
    ];
    const r = evaluatePii(
      rows,
      fixed({ a: [{ type: "EMAIL", start: 0, end: 4 }], b: [{ type: "SECRET", start: 0, end: 4 }] }),
    );
    expect(Object.keys(r.types)).toEqual(["EMAIL", "SECRET"]);
    expect(r.types.SECRET).toMatchObject({ precision: 0, support: 0 });
    expect(r.micro).toEqual({ precision: 1, recall: 1, f1: 1 });
  });

  it("computes F1 as the harmonic mean per type and over all labelled types", () => {
    const rows: LabelledText[] = [
      {
        text: "a",
        spans: [
          { start: 0, end: 4, type: "EMAIL" },
          { start: 10, end: 14, type: "EMAIL" },
          { start: 20, end: 24, type: "PHONE" },
        ],
      },
    ];
    const r = evaluatePii(
      rows,
      fixed({
        a: [
          { type: "EMAIL", start: 0, end: 4 },
          { type: "PHONE", start: 20, end: 24 },
          { type: "PHONE", start: 30, end: 34 },
        ],
      }),
    );
    expect(r.types.EMAIL).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(r.types.EMAIL!.f1).toBeCloseTo(2 / 3);
    expect(r.micro.precision).toBeCloseTo(2 / 3);
    expect(r.micro.recall).toBeCloseTo(2 / 3);
  });
});
