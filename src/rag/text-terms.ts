/**
 * Words as retrieval sees them, shared by the BM25 query builder and the hashing embedder so both
 * agree on what a term is.
 */

/**
 * Lucene's English stop set (the default of its EnglishAnalyzer), plus the most common English
 * function words that FTS5 would otherwise match in nearly every chunk. Dropping them from queries
 * changes nDCG on SciFact by less than 0.005 (see BENCHMARKS.md) and cuts BM25 query time, because
 * their posting lists are the longest in the index.
 */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be but by for if in into is it no not of on or such that the their then there " +
    "these they this to was will with from has have had were been being its i you he she we our your " +
    "his her them which who whom what when where why how do does did so than too very can could would " +
    "should may might must shall all any each both more most other some own same only also just about"
  ).split(" "),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased words of `text`, in order (letters and digits; everything else separates). */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** The words of `text` worth searching for: stopwords dropped unless nothing else is left. */
export function contentWords(text: string): string[] {
  const all = words(text);
  const kept = all.filter((w) => !ENGLISH_STOPWORDS.has(w));
  return kept.length > 0 ? kept : all;
}
