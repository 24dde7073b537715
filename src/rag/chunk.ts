import { KeelError } from "../errors/index.js";
import { countTextTokens } from "../model/tokens.js";
import type { Chunk, ChunkingOptions, LoadedDocument, Section } from "./types.js";

export const DEFAULT_CHUNKING: Readonly<Required<ChunkingOptions>> = Object.freeze({
  maxTokens: 512,
  overlapTokens: 64,
});

/**
 * A stretch of a section that is never split across chunks: a paragraph, or when that is too long a
 * sentence, a word, or a piece of a word. Offsets are into the document's text and exclude whitespace.
 */
interface Unit {
  start: number;
  end: number;
  tokens: number;
  /** Estimated tokens of the whitespace before this unit; Infinity when the units must not share a chunk. */
  gap: number;
}

// Counting a long run without a pre-token break (`aaaa…`, a wall of spaces) is quadratic in the
// tokenizer, and no real unit of `maxTokens` tokens is much longer than this many characters per
// token; longer spans are split before being counted. Splitting a span that would have fit is harmless.
const COUNT_CHARS_PER_TOKEN = 8;
// The first cut tried for a piece of an overlong word; most such words (base64, hashes) run 1–3
// characters per token, so this lands above the budget and a binary search brings it down.
const PIECE_CHARS_PER_TOKEN = 4;

// Characters segmented at a time (see forEachSegment): a few dozen sentences, or a couple of hundred words.
const SEGMENT_WINDOW = { sentence: 4096, word: 1024 };

type Level = "paragraph" | "sentence" | "word";

let sentences: Intl.Segmenter | undefined;
let words: Intl.Segmenter | undefined;

/**
 * Splits a loaded document into chunks of at most `maxTokens` tokens, within sections (so each chunk
 * has one heading path and one page). Paragraphs are kept whole when they fit, else split at sentences,
 * then words. Each chunk after the first in a section starts with the last whole units of the previous
 * one, up to `overlapTokens`, so a fact cut at a boundary is still found with its context.
 *
 * @example
 * const chunks = chunkDocument(loadMarkdown(source), { maxTokens: 256, overlapTokens: 32 });
 * chunks[0].text === source.slice(chunks[0].start, chunks[0].end); // always true
 */
export function chunkDocument(doc: LoadedDocument, options: ChunkingOptions = {}): Chunk[] {
  const settings = resolveChunking(options);
  checkSections(doc);
  const chunks: Chunk[] = [];
  for (const section of doc.sections) {
    const units = sectionUnits(doc.text, section, settings.maxTokens);
    packSection(doc.text, section, units, settings, chunks);
  }
  return chunks;
}

/**
 * The options with defaults filled in and checked. Without `overlapTokens`, the overlap is 64 tokens
 * or an eighth of `maxTokens`, whichever is smaller.
 */
export function resolveChunking(options: ChunkingOptions = {}): Required<ChunkingOptions> {
  const maxTokens = options.maxTokens ?? DEFAULT_CHUNKING.maxTokens;
  const overlapTokens =
    options.overlapTokens ?? Math.min(DEFAULT_CHUNKING.overlapTokens, Math.floor(maxTokens / 8));
  if (!Number.isInteger(maxTokens) || maxTokens < 16 || maxTokens > 8192) {
    throw new KeelError("INVALID_OPTION", `maxTokens must be an integer from 16 to 8192, got ${maxTokens}`);
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= maxTokens / 2) {
    throw new KeelError(
      "INVALID_OPTION",
      `overlapTokens must be an integer from 0 to below half of maxTokens (${maxTokens}), got ${overlapTokens}; ` +
        `try ${Math.floor(maxTokens / 8)}`,
    );
  }
  return { maxTokens, overlapTokens };
}

// Loaders guarantee this; a hand-built document may not, and bad spans would make wrong chunks quietly.
function checkSections(doc: LoadedDocument): void {
  let previousEnd = 0;
  for (const [i, s] of doc.sections.entries()) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < previousEnd || s.end < s.start) {
      throw new KeelError(
        "INVALID_DOCUMENT",
        `Section ${i} (${s.start}..${s.end}) is out of order, overlaps the one before or is reversed; sections must be ordered, disjoint spans`,
      );
    }
    if (s.end > doc.text.length) {
      throw new KeelError(
        "INVALID_DOCUMENT",
        `Section ${i} ends at ${s.end}, past the end of the text (${doc.text.length}); fix the loader's offsets`,
      );
    }
    previousEnd = s.end;
  }
}

/** The section's units in order, each within budget, with the whitespace between them estimated. */
function sectionUnits(text: string, section: Section, maxTokens: number): Unit[] {
  const units: Unit[] = [];
  // Searched within a copy of the section: on the whole text, a section without a blank line would
  // have the search run on to the next one, possibly far past the section's end.
  const body = text.slice(section.start, section.end);
  let from = 0;
  // A blank line (possibly holding spaces) ends a paragraph.
  for (const separator of body.matchAll(/\n[^\S\n]*\n\s*/g)) {
    addUnits(text, section.start + from, section.start + separator.index!, "paragraph", maxTokens, units);
    from = separator.index! + separator[0].length;
  }
  addUnits(text, section.start + from, section.end, "paragraph", maxTokens, units);
  for (let i = 1; i < units.length; i++) {
    units[i]!.gap = gapTokens(text, units[i - 1]!.end, units[i]!.start, maxTokens);
  }
  return units;
}

/** Adds `text[start, end)`, trimmed, as one unit if it fits, else split at the next finer level. */
function addUnits(
  text: string,
  start: number,
  end: number,
  level: Level,
  maxTokens: number,
  out: Unit[],
): void {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  if (s === e) return;
  if (e - s <= maxTokens * COUNT_CHARS_PER_TOKEN) {
    const tokens = countTextTokens(text.slice(s, e));
    if (tokens <= maxTokens) {
      out.push({ start: s, end: e, tokens, gap: 0 });
      return;
    }
  }
  if (level === "word") {
    addPieces(text, s, e, maxTokens, out);
    return;
  }
  const next: Level = level === "paragraph" ? "sentence" : "word";
  forEachSegment(text, s, e, next, (from, to) => addUnits(text, from, to, next, maxTokens, out));
}

/**
 * Calls `visit` with each sentence or word span of `text[start, end)`. V8's segment iterator costs
 * time in proportion to the string for every segment, so a long string is segmented in windows; a
 * window's last segment may run past it, so it is left to start the next window.
 */
function forEachSegment(
  text: string,
  start: number,
  end: number,
  granularity: "sentence" | "word",
  visit: (start: number, end: number) => void,
): void {
  const segmenter =
    granularity === "sentence"
      ? (sentences ??= new Intl.Segmenter("en", { granularity }))
      : (words ??= new Intl.Segmenter("en", { granularity }));
  const window = SEGMENT_WINDOW[granularity];
  let at = start;
  while (at < end) {
    const limit = pairSafe(text, Math.min(end, at + window), end);
    const spans: number[] = [];
    for (const { index, segment } of segmenter.segment(text.slice(at, limit))) {
      spans.push(at + index, at + index + segment.length);
    }
    if (limit < end && spans.length > 2) spans.length -= 2;
    for (let i = 0; i < spans.length; i += 2) visit(spans[i]!, spans[i + 1]!);
    at = spans[spans.length - 1]!;
  }
}

/** Cuts a word longer than the budget (a base64 blob, a minified line) into pieces that fit. */
function addPieces(text: string, start: number, end: number, maxTokens: number, out: Unit[]): void {
  let at = start;
  while (at < end) {
    const piece = fittingPrefix(
      text,
      at,
      pairSafe(text, Math.min(end, at + maxTokens * PIECE_CHARS_PER_TOKEN), end),
      maxTokens,
    );
    out.push({ start: at, end: piece.end, tokens: piece.tokens, gap: 0 });
    at = piece.end;
  }
}

/** The longest prefix of `text[start, limit)` within budget, by binary search on its length. */
function fittingPrefix(
  text: string,
  start: number,
  limit: number,
  maxTokens: number,
): { end: number; tokens: number } {
  const whole = countTextTokens(text.slice(start, limit));
  if (whole <= maxTokens) return { end: limit, tokens: whole };
  let good = { end: start, tokens: 0 };
  let bad = limit;
  while (bad - good.end > 1) {
    const mid = pairSafe(text, good.end + Math.floor((bad - good.end) / 2), limit);
    if (mid <= good.end) break;
    const tokens = countTextTokens(text.slice(start, mid));
    if (tokens <= maxTokens) good = { end: mid, tokens };
    else bad = mid;
  }
  if (good.end > start) return good;
  // Unreachable with maxTokens >= 16 (a code point is at most 4 tokens), but the loop must advance.
  const end = pairSafe(text, start + 1, limit) === start ? start + 2 : start + 1;
  return { end, tokens: countTextTokens(text.slice(start, end)) };
}

/** Moves a cut back off the middle of a surrogate pair; a cut at `end` is left alone. */
function pairSafe(text: string, cut: number, end: number): number {
  const splitsPair =
    cut < end && isHighSurrogate(text.charCodeAt(cut - 1)) && isLowSurrogate(text.charCodeAt(cut));
  return splitsPair ? cut - 1 : cut;
}

function gapTokens(text: string, start: number, end: number, maxTokens: number): number {
  const length = end - start;
  // A single space joins the next word's token (" word"); a short run of blank lines is one token.
  if (length === 0 || (length === 1 && text.charCodeAt(start) === 32)) return 0;
  if (length <= 4) return 1;
  if (length > maxTokens * COUNT_CHARS_PER_TOKEN) return Number.POSITIVE_INFINITY;
  return countTextTokens(text.slice(start, end));
}

interface Budget {
  maxTokens: number;
  overlapTokens: number;
}

/**
 * Packs units greedily into chunks by their estimated tokens, then counts each chunk once exactly and
 * drops trailing units if the estimate was short (a concatenation can tokenize into a few more tokens
 * than its parts). The next chunk starts with the previous chunk's trailing units within the overlap.
 */
function packSection(text: string, section: Section, units: Unit[], budget: Budget, chunks: Chunk[]): void {
  const { maxTokens } = budget;
  let next = 0; // first unit not yet in any chunk
  let from = 0; // first unit of the chunk being built (< next when it overlaps the previous chunk)
  while (next < units.length) {
    // Overlap gives way to new content: the first new unit must fit with it.
    while (from < next && estimate(units, from, next) > maxTokens) from++;
    let to = next;
    let estimated = estimate(units, from, to);
    while (to + 1 < units.length && estimated + units[to + 1]!.gap + units[to + 1]!.tokens <= maxTokens) {
      to++;
      estimated += units[to]!.gap + units[to]!.tokens;
    }
    let tokens = countTextTokens(text.slice(units[from]!.start, units[to]!.end));
    while (tokens > maxTokens) {
      if (to > next) {
        let excess = tokens - maxTokens;
        while (to > next && excess > 0) {
          excess -= units[to]!.tokens + units[to]!.gap;
          to--;
        }
      } else from++; // a single new unit always fits on its own
      tokens = countTextTokens(text.slice(units[from]!.start, units[to]!.end));
    }
    chunks.push(makeChunk(text, section, units[from]!.start, units[to]!.end, tokens, chunks.length));
    next = to + 1;
    from = overlapStart(units, from, to, budget.overlapTokens);
  }
}

function estimate(units: Unit[], from: number, to: number): number {
  let total = units[from]!.tokens;
  for (let i = from + 1; i <= to; i++) total += units[i]!.gap + units[i]!.tokens;
  return total;
}

/** The first of the trailing whole units of `units[from..to]` within the overlap; never `from` itself. */
function overlapStart(units: Unit[], from: number, to: number, overlapTokens: number): number {
  let start = to + 1;
  let total = 0;
  while (start - 1 > from) {
    const unit = units[start - 1]!;
    const added = unit.tokens + (start <= to ? units[start]!.gap : 0);
    if (total + added > overlapTokens) break;
    total += added;
    start--;
  }
  return start;
}

function makeChunk(
  text: string,
  section: Section,
  start: number,
  end: number,
  tokens: number,
  index: number,
): Chunk {
  const chunk: Chunk = {
    index,
    text: text.slice(start, end),
    start,
    end,
    headingPath: [...section.headingPath],
    tokens,
  };
  if (section.page !== undefined) chunk.page = section.page;
  return chunk;
}

// What String.prototype.trim() removes, tested per code unit so large texts are not sliced to trim them.
function isSpace(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  return code >= 128 && /\s/.test(String.fromCharCode(code));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
