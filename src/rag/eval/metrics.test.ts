import { describe, expect, it } from "vitest";
import { ndcgAt, type Qrels, recallAt, reciprocalRankAt, scoreRankings } from "./metrics.js";

const judged = new Map([
  ["a", 3],
  ["b", 1],
  ["c", 0],
]);

describe("IR metrics", () => {
  it("gives a perfect ranking nDCG 1 and computes graded gains as trec_eval does", () => {
    expect(ndcgAt(["a", "b"], judged, 10)).toBe(1);
    // DCG of [b, a] = 1/log2(2) + 3/log2(3); ideal = 3 + 1/log2(3).
    expect(ndcgAt(["b", "a"], judged, 10)).toBeCloseTo((1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 10);
    expect(ndcgAt(["x", "y", "a"], judged, 2)).toBe(0);
  });

  it("counts recall over relevant documents only and MRR from the first relevant one", () => {
    expect(recallAt(["c", "a", "z"], judged, 100)).toBe(0.5);
    expect(reciprocalRankAt(["c", "z", "b"], judged, 10)).toBeCloseTo(1 / 3);
    expect(reciprocalRankAt(["c"], judged, 10)).toBe(0);
  });

  it("averages over queries with a relevant judgment, counting unanswered ones as zero", () => {
    const qrels: Qrels = new Map([
      ["q1", new Map([["a", 1]])],
      ["q2", new Map([["b", 1]])],
      ["q3", new Map([["c", 0]])],
    ]);
    const scores = scoreRankings(new Map([["q1", ["a"]]]), qrels);
    expect(scores).toEqual({ "ndcg@10": 0.5, "recall@100": 0.5, "mrr@10": 0.5, queries: 2 });
  });
});
