/**
 * Prose out of a Markdown chunk, as sentences that can be quoted exactly. Headings, code and tables
 * are skipped; list markers are dropped; whitespace (hard line wraps, indentation) is collapsed so a
 * sentence reads as one line, while every character keeps its offset in the chunk. A quote is then
 * the chunk's own text between the first and last character of a sentence: verbatim, line breaks
 * and all.
 */

/** A paragraph or list item, whitespace collapsed; `origin[i]` is the chunk offset of `text[i]`. */
export interface Passage {
  text: string;
  origin: number[];
}

/** A sentence of a passage, and the span of the chunk it came from (end exclusive). */
export interface Sentence {
  text: string;
  start: number;
  end: number;
}

const HEADING = /^ {0,3}#{1,6}(\s|$)/;
const FENCE = /^ {0,3}(```|~~~)/;
const TABLE_ROW = /^\s*\|/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,3}[.)])\s+/;

export function passagesOf(chunk: string): Passage[] {
  const passages: Passage[] = [];
  let current: Passage | null = null;
  let inCode = false;
  const close = () => {
    if (current && current.text.length > 0) passages.push(current);
    current = null;
  };
  let lineStart = 0;
  while (lineStart <= chunk.length) {
    const newline = chunk.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? chunk.length : newline;
    const line = chunk.slice(lineStart, lineEnd);
    if (FENCE.test(line)) {
      close();
      inCode = !inCode;
    } else if (inCode || line.trim() === "" || HEADING.test(line) || TABLE_ROW.test(line)) {
      close();
    } else {
      const item = LIST_ITEM.exec(line);
      if (item) close();
      const from = lineStart + (item ? item[0].length : 0);
      current ??= { text: "", origin: [] };
      append(current, chunk, from, lineEnd);
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  close();
  return passages;
}

/** Adds chunk[from, to) to a passage, one space for each run of whitespace (and for the line break before it). */
function append(p: Passage, chunk: string, from: number, to: number): void {
  let space = p.text.length > 0 ? from - 1 : -1;
  for (let i = from; i < to; i++) {
    const c = chunk[i]!;
    if (/\s/.test(c)) {
      if (space === -1) space = i;
      continue;
    }
    if (space !== -1 && p.text.length > 0) {
      p.text += " ";
      p.origin.push(space);
    }
    space = -1;
    p.text += c;
    p.origin.push(i);
  }
}

const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** The sentences of a chunk's passages, each with its exact span in the chunk. */
export function sentencesOf(chunk: string): Sentence[] {
  const out: Sentence[] = [];
  for (const p of passagesOf(chunk)) {
    for (const s of sentenceSegmenter.segment(p.text)) {
      const lead = s.segment.length - s.segment.trimStart().length;
      const text = s.segment.trim();
      if (!text) continue;
      const first = s.index + lead;
      const last = first + text.length - 1;
      out.push({ text, start: p.origin[first]!, end: p.origin[last]! + 1 });
    }
  }
  return out;
}

/** Whitespace collapsed to single spaces, for comparing a model's quote with a chunk's text. */
export function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Where a quote (as a model wrote it, whitespace collapsed) sits in a chunk: the chunk's own span,
 * or undefined when the chunk does not contain it.
 */
export function locate(chunk: string, quote: string): { start: number; end: number } | undefined {
  const wanted = collapse(quote);
  if (!wanted) return undefined;
  for (const p of passagesOf(chunk)) {
    const at = p.text.indexOf(wanted);
    if (at !== -1) return { start: p.origin[at]!, end: p.origin[at + wanted.length - 1]! + 1 };
  }
  return undefined;
}
