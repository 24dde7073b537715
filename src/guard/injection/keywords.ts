/**
 * Aho-Corasick over UTF-16 units: finds which of a fixed set of keywords occur in a text in one pass,
 * whatever their number. The rules use it as their prefilter, so a benign prompt costs one scan
 * instead of one `includes` per keyword.
 */

/** Which keywords occur in a text. */
export type KeywordScan = (text: string) => Uint8Array;

const ASCII = 128;

/** Builds the automaton for `keywords`; the scan returns flags indexed like `keywords`. */
export function keywordScanner(keywords: readonly string[]): KeywordScan {
  const next: Map<number, number>[] = [new Map()];
  const outputs: number[][] = [[]];
  keywords.forEach((word, index) => {
    let node = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      let child = next[node]!.get(c);
      if (child === undefined) {
        child = next.length;
        next.push(new Map());
        outputs.push([]);
        next[node]!.set(c, child);
      }
      node = child;
    }
    outputs[node]!.push(index);
  });

  // Failure links in breadth-first order; each node inherits the outputs of its failure node.
  const fail = new Int32Array(next.length);
  const queue: number[] = [...next[0]!.values()];
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!;
    for (const [c, child] of next[node]!) {
      let f = fail[node]!;
      while (f !== 0 && !next[f]!.has(c)) f = fail[f]!;
      const target = next[f]!.get(c);
      fail[child] = target !== undefined && target !== child ? target : 0;
      outputs[child]!.push(...outputs[fail[child]!]!);
      queue.push(child);
    }
  }

  // A full transition table for ASCII (the common case); other units walk the failure links. In
  // breadth-first order a node's failure node already has its row: copy it, then set the children.
  const delta = new Int32Array(next.length * ASCII);
  for (const node of [0, ...queue]) {
    if (node !== 0) delta.copyWithin(node * ASCII, fail[node]! * ASCII, fail[node]! * ASCII + ASCII);
    for (const [c, child] of next[node]!) if (c < ASCII) delta[node * ASCII + c] = child;
  }
  const step = (node: number, c: number): number => {
    let n = node;
    while (n !== 0 && !next[n]!.has(c)) n = fail[n]!;
    return next[n]!.get(c) ?? 0;
  };
  const hasOutput = Uint8Array.from(outputs, (o) => (o.length > 0 ? 1 : 0));

  return (text) => {
    const found = new Uint8Array(keywords.length);
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      node = c < ASCII ? delta[node * ASCII + c]! : step(node, c);
      if (hasOutput[node] === 1) for (const k of outputs[node]!) found[k] = 1;
    }
    return found;
  };
}
