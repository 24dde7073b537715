import type { Finding } from "../types.js";

/**
 * Keeps one finding wherever findings overlap: the one whose type comes first in `precedence`, then
 * the higher score, then the longer span. Types missing from `precedence` rank last. Returns the
 * kept findings sorted by start.
 *
 * Overlapping findings are first gathered into clusters (a sweep by start), so the quadratic choice
 * inside a cluster stays small even when a megabyte of text yields many findings.
 */
export function resolveOverlaps(findings: Finding[], precedence: readonly string[]): Finding[] {
  if (findings.length < 2) return findings;
  const rank = (f: Finding) => {
    const i = precedence.indexOf(f.type);
    return i === -1 ? precedence.length : i;
  };
  const better = (a: Finding, b: Finding) =>
    rank(a) - rank(b) || b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start;
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  let cluster: Finding[] = [];
  let clusterEnd = -1;
  const flush = () => {
    const chosen: Finding[] = [];
    for (const f of cluster.sort(better)) {
      if (chosen.every((c) => f.end <= c.start || f.start >= c.end)) chosen.push(f);
    }
    kept.push(...chosen.sort((a, b) => a.start - b.start));
    cluster = [];
  };
  for (const f of sorted) {
    if (f.start >= clusterEnd && cluster.length > 0) flush();
    cluster.push(f);
    clusterEnd = Math.max(clusterEnd, f.end);
  }
  flush();
  return kept;
}
