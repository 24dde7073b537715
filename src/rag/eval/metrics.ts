/**
 * The IR measures BEIR reports, computed as trec_eval / pytrec_eval do: graded gains used as given
 * (linear), the ideal ranking built from all judged documents, and queries without a single
 * relevant judgment left out of every average.
 */

/** Graded relevance per query: query id → document id → grade (0 is judged not relevant). */
export type Qrels = Map<string, Map<string, number>>;

export interface RetrievalScores {
  "ndcg@10": number;
  "recall@100": number;
  "mrr@10": number;
  /** Queries that were scored: those with at least one relevant document. */
  queries: number;
}

/** nDCG at `k` of one ranking against one query's judgments. */
export function ndcgAt(ranking: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  ranking.slice(0, k).forEach((doc, i) => {
    const gain = judged.get(doc) ?? 0;
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  });
  const ideal = [...judged.values()]
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const idcg = ideal.reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
  return idcg === 0 ? 0 : dcg / idcg;
}

export function recallAt(ranking: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const relevant = [...judged].filter(([, g]) => g > 0).map(([d]) => d);
  if (relevant.length === 0) return 0;
  const top = new Set(ranking.slice(0, k));
  return relevant.filter((d) => top.has(d)).length / relevant.length;
}

export function reciprocalRankAt(
  ranking: readonly string[],
  judged: ReadonlyMap<string, number>,
  k: number,
): number {
  const i = ranking.slice(0, k).findIndex((d) => (judged.get(d) ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Mean nDCG@10, recall@100 and MRR@10 of `rankings` (query id → ranked document ids) over `qrels`. */
export function scoreRankings(
  rankings: ReadonlyMap<string, readonly string[]>,
  qrels: Qrels,
): RetrievalScores {
  let ndcg = 0;
  let recall = 0;
  let mrr = 0;
  let queries = 0;
  for (const [query, judged] of qrels) {
    if (![...judged.values()].some((g) => g > 0)) continue;
    const ranking = rankings.get(query) ?? [];
    ndcg += ndcgAt(ranking, judged, 10);
    recall += recallAt(ranking, judged, 100);
    mrr += reciprocalRankAt(ranking, judged, 10);
    queries++;
  }
  const mean = (x: number) => (queries === 0 ? 0 : x / queries);
  return { "ndcg@10": mean(ndcg), "recall@100": mean(recall), "mrr@10": mean(mrr), queries };
}
