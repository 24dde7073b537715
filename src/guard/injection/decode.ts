/**
 * Decoding attempts: the same text read as base64, rot13, leetspeak, spaced-out letters or Unicode
 * tag characters. Each variant is folded like the text itself and keeps a way back to the original
 * span, so a rule that only matches the decoded form is still reported where the encoded part sits.
 * Work is bounded: a few runs of base64 and of tag characters at most; rot13 is always read (one
 * pass), leetspeak and spaced letters only when the text shows the trait they undo.
 */
import { type KeywordScan, keywordScanner } from "./keywords.js";
import { type NormalizedText, normalizeText, type Span, toOriginalSpan, unitsToString } from "./normalize.js";
import { TRIGGERS } from "./rules.js";

export type VariantKind = "base64" | "rot13" | "leetspeak" | "spaced-letters" | "tag-characters";

/** One decoded reading of the text. */
export interface TextVariant {
  readonly kind: VariantKind;
  /** The decoded text, folded. */
  readonly text: string;
  /** Maps a span of `text` back to the original text. */
  toOriginal(start: number, end: number): Span;
}

const MAX_BASE64_RUNS = 16;
const MAX_BASE64_CHARS = 64 * 1024;
const MAX_TAG_RUNS = 16;
const BASE64_MIN = 20;
/**
 * Leetspeak puts digits inside words ("1gn0r3", "pr3v10u5"): a digit or "$" between two letters.
 * Not "@" (e-mail addresses) and not digits at a word's edge ("mp3", "5th", "ts2345"), which
 * ordinary text is full of; every attack phrase spelt in leetspeak has at least one inner digit.
 */
const LEET_HINT = /[a-z][0-9$]{1,2}[a-z]/;
const SPACED_RUN = /(?:^|[^a-z0-9])([a-z0-9@$](?:[ .\-_*]{1,3}[a-z0-9@$](?![a-z0-9])){3,})/g;

let rot13Triggers: KeywordScan | undefined;

/** Variants of `original` (already folded as `norm`) worth scanning. Never throws. */
export function decodeVariants(original: string, norm: NormalizedText): TextVariant[] {
  const variants: TextVariant[] = [];
  base64Variants(original, variants);
  tagVariants(original, variants);
  if (norm.text.length === 0) return variants;
  const sameLength = (text: string, kind: VariantKind): TextVariant => ({
    kind,
    text,
    toOriginal: (s, e) => toOriginalSpan(norm, s, e),
  });
  // A rule runs on a reading only when one of its trigger words occurs in it, so the rot13 reading
  // is worth building only when the text holds the rot13 form of a trigger (one pass, no copy).
  rot13Triggers ??= keywordScanner(TRIGGERS.map(rot13));
  if (rot13Triggers(norm.text).includes(1)) variants.push(sameLength(rot13(norm.text), "rot13"));
  if (LEET_HINT.test(norm.text)) {
    variants.push(sameLength(unleet(norm.text, 0x69), "leetspeak"));
    if (norm.text.includes("1")) variants.push(sameLength(unleet(norm.text, 0x6c), "leetspeak"));
  }
  const spaced = unspace(norm);
  if (spaced) variants.push(spaced);
  return variants;
}

function isBase64Unit(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x2d ||
    c === 0x5f
  );
}

/**
 * Runs of base64 (or base64url) of at least BASE64_MIN characters, with their padding. A plain loop
 * rather than a regex: a regex retried at every position inside every word is quadratic in word
 * length and dominated the cost of a benign prompt.
 */
function base64Runs(text: string): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && isBase64Unit(text.charCodeAt(i))) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= BASE64_MIN) {
      let end = i;
      while (end < text.length && end - i < 2 && text.charCodeAt(end) === 0x3d) end++;
      runs.push({ start, end });
      if (runs.length >= MAX_BASE64_RUNS * 4) break;
    }
    start = -1;
  }
  return runs;
}

/** Runs of base64 that decode to mostly printable text, each read as a text of its own. */
function base64Variants(original: string, out: TextVariant[]): void {
  let runs = 0;
  let chars = 0;
  for (const span of base64Runs(original)) {
    const run = original.slice(span.start, span.end);
    // Long runs of letters alone are words or identifiers, not base64.
    if (!/[0-9+/=]/.test(run) || !/[A-Z]/.test(run) || !/[a-z]/.test(run)) continue;
    if (++runs > MAX_BASE64_RUNS || (chars += run.length) > MAX_BASE64_CHARS) break;
    const bytes = Buffer.from(run, "base64");
    if (bytes.length < 12 || !mostlyPrintable(bytes)) continue;
    out.push({ kind: "base64", text: normalizeText(bytes.toString("utf8")).text, toOriginal: () => span });
  }
}

function mostlyPrintable(bytes: Uint8Array): boolean {
  let printable = 0;
  for (const b of bytes) {
    if ((b >= 0x20 && b < 0x7f) || b === 9 || b === 10 || b === 13) printable++;
  }
  return printable >= bytes.length * 0.95;
}

/**
 * Unicode tag characters (U+E0020..U+E007E) mirror ASCII and render as nothing: text hidden in them
 * ("ASCII smuggling") is read back as ASCII.
 */
function tagVariants(original: string, out: TextVariant[]): void {
  if (!original.includes("\udb40")) return;
  let units: number[] = [];
  let runStart = -1;
  let runEnd = -1;
  let runs = 0;
  const flush = () => {
    if (units.length >= 4) {
      runs++;
      const span = { start: runStart, end: runEnd };
      out.push({
        kind: "tag-characters",
        text: normalizeText(String.fromCharCode(...units)).text,
        toOriginal: () => span,
      });
    }
    units = [];
    runStart = -1;
  };
  for (let i = 0; i < original.length && runs < MAX_TAG_RUNS; i++) {
    const low = original.charCodeAt(i + 1);
    if (original.charCodeAt(i) === 0xdb40 && low >= 0xdc20 && low <= 0xdc7e) {
      if (runStart < 0) runStart = i;
      if (units.length < 16384) units.push(low - 0xdc00);
      runEnd = i + 2;
      i++;
    } else if (runStart >= 0) {
      flush();
    }
  }
  if (runStart >= 0) flush();
}

function mapUnits(text: string, f: (unit: number) => number): string {
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = f(text.charCodeAt(i));
  return unitsToString(units);
}

/** rot13 of the lowercase ASCII letters; the folded text has no uppercase left. */
export function rot13(text: string): string {
  return mapUnits(text, (c) => (c >= 0x61 && c <= 0x7a ? ((c - 0x61 + 13) % 26) + 0x61 : c));
}

const LEET: Record<number, number> = {
  48: 0x6f, // 0 → o
  51: 0x65, // 3 → e
  52: 0x61, // 4 → a
  53: 0x73, // 5 → s
  55: 0x74, // 7 → t
  64: 0x61, // @ → a
  36: 0x73, // $ → s
};

/** Leetspeak read back to letters; `one` is what "1" becomes (i or l: both readings are tried). */
export function unleet(text: string, one: number): string {
  return mapUnits(text, (c) => (c === 0x31 ? one : (LEET[c] ?? c)));
}

/**
 * Letters spelled out one at a time ("i g n o r e  a l l") joined back into words. A gap wider than
 * one character in the original (two spaces, " / ") is read as a word break.
 */
function unspace(norm: NormalizedText): TextVariant | undefined {
  const text = norm.text;
  SPACED_RUN.lastIndex = 0;
  let m = SPACED_RUN.exec(text);
  if (m === null) return undefined;
  // The output is never longer than the input: a word break replaces at least one separator.
  const units = new Uint16Array(text.length);
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  let n = 0;
  const emit = (unit: number, at: number) => {
    units[n] = unit;
    starts[n] = norm.starts[at]!;
    ends[n] = norm.ends[at]!;
    n++;
  };
  let copied = 0;
  while (m !== null) {
    const runStart = m.index + m[0].length - m[1]!.length;
    const runEnd = m.index + m[0].length;
    for (let i = copied; i < runStart; i++) emit(text.charCodeAt(i), i);
    let last = -1;
    for (let i = runStart; i < runEnd; i++) {
      const c = text.charCodeAt(i);
      const isChar = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24;
      if (!isChar) continue;
      if (last >= 0 && norm.starts[i]! - norm.ends[last]! > 1) emit(0x20, last);
      emit(c, i);
      last = i;
    }
    copied = runEnd;
    m = SPACED_RUN.exec(text);
  }
  for (let i = copied; i < text.length; i++) emit(text.charCodeAt(i), i);
  const folded: NormalizedText = {
    text: unitsToString(units.subarray(0, n)),
    starts: starts.subarray(0, n),
    ends: ends.subarray(0, n),
    originalLength: norm.originalLength,
  };
  return { kind: "spaced-letters", text: folded.text, toOriginal: (s, e) => toOriginalSpan(folded, s, e) };
}
