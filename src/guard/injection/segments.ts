/**
 * Segments of a document for indirect-injection scoring. An instruction planted in an email or a web
 * page is usually one line or one sentence among many benign ones; scored as part of the whole
 * document it is diluted, scored on its own it stands out. Lines are the segments, and a long line
 * is cut at sentence ends.
 */

export interface Segment {
  start: number;
  end: number;
}

const MAX_LINE = 320;
const MIN_SEGMENT = 8;

/** Segments of folded `text` (line breaks are "\n" there), at most `limit` of them. */
export function segmentsOf(text: string, limit = 4096): Segment[] {
  const out: Segment[] = [];
  let lineStart = 0;
  while (lineStart <= text.length && out.length < limit) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd - lineStart <= MAX_LINE) {
      if (lineEnd - lineStart >= MIN_SEGMENT) out.push({ start: lineStart, end: lineEnd });
    } else {
      splitSentences(text, lineStart, lineEnd, out, limit);
    }
    lineStart = lineEnd + 1;
  }
  return out;
}

/** Cuts a long line after ". ", "? " or "! ", packing sentences into pieces of up to MAX_LINE. */
function splitSentences(text: string, start: number, end: number, out: Segment[], limit: number): void {
  let pieceStart = start;
  let lastCut = -1;
  for (let i = start; i < end && out.length < limit; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x2e || c === 0x3f || c === 0x21) && text.charCodeAt(i + 1) === 0x20) lastCut = i + 1;
    if (i - pieceStart >= MAX_LINE) {
      const cut = lastCut > pieceStart ? lastCut : i;
      if (cut - pieceStart >= MIN_SEGMENT) out.push({ start: pieceStart, end: cut });
      pieceStart = cut;
      lastCut = -1;
    }
  }
  if (end - pieceStart >= MIN_SEGMENT && out.length < limit) out.push({ start: pieceStart, end });
}

/**
 * The part of `withInsert` that is not in `carrier`, when `withInsert` is `carrier` with one piece
 * of text inserted (at the start, in the middle or at the end); undefined when it is not.
 */
export function insertedPart(carrier: string, withInsert: string): string | undefined {
  const max = Math.min(carrier.length, withInsert.length);
  let prefix = 0;
  while (prefix < max && carrier.charCodeAt(prefix) === withInsert.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    carrier.charCodeAt(carrier.length - 1 - suffix) === withInsert.charCodeAt(withInsert.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (prefix + suffix < carrier.length || withInsert.length <= carrier.length) return undefined;
  return withInsert.slice(prefix, withInsert.length - suffix);
}
