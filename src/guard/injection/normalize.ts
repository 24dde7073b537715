/**
 * Folds text into one canonical form before rules and the classifier see it, so that the usual
 * disguises (full-width letters, zero-width joiners inside a word, Cyrillic look-alikes, mixed
 * case) cannot split a phrase. Every unit of the folded text remembers the original character it
 * came from, so a match can be reported at its place in the text the caller passed.
 */

/** Text after folding, with a map back to the original. */
export interface NormalizedText {
  /** Compatibility-folded, invisible characters removed, homoglyphs folded, lowercased, whitespace runs collapsed. */
  readonly text: string;
  /** For each UTF-16 unit of `text`, the offset in the original of the character it came from. */
  readonly starts: Int32Array;
  /** For each UTF-16 unit of `text`, the offset just past the original character it came from. */
  readonly ends: Int32Array;
  /** Length of the original text. */
  readonly originalLength: number;
}

/** A span in the original text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Cyrillic and Greek letters that render like Latin ones, after lowercasing. Folded only inside a
 * word that also holds Latin letters (the mixed-script test of Unicode TS #39), so Russian or Greek
 * text stays itself while "іgnоrе" with two Cyrillic letters reads "ignore".
 */
const HOMOGLYPHS = new Map<number, number>(
  Object.entries({
    а: "a",
    в: "b",
    е: "e",
    ё: "e",
    к: "k",
    м: "m",
    н: "h",
    о: "o",
    р: "p",
    с: "c",
    т: "t",
    у: "y",
    х: "x",
    і: "i",
    ї: "i",
    ј: "j",
    ѕ: "s",
    ԁ: "d",
    ԛ: "q",
    ԝ: "w",
    һ: "h",
    ӏ: "l",
    ɡ: "g",
    ɑ: "a",
    α: "a",
    β: "b",
    ε: "e",
    η: "n",
    ι: "i",
    κ: "k",
    ν: "v",
    ο: "o",
    ρ: "p",
    τ: "t",
    υ: "u",
    χ: "x",
    γ: "y",
    ϲ: "c",
    ı: "i",
    ℓ: "l",
  }).map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)]),
);

/** Typographic quotes and dashes, so "don’t" and "don't" read the same. */
const PUNCTUATION: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201b": "'",
  "\u2032": "'",
  "\u201c": '"',
  "\u201d": '"',
  "\u201e": '"',
  "\u2033": '"',
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2212": "-",
};

const COMBINING_MARK = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const CACHE_LIMIT = 8192;
const foldCache = new Map<number, string>();

/** True for characters that render as nothing and are used to split words invisibly. */
export function isInvisible(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0x3164 ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    cp === 0xffa0 ||
    (cp >= 0x1bca0 && cp <= 0x1bca3) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

function isLineBreak(cp: number): boolean {
  return (
    cp === 0x0a || cp === 0x0d || cp === 0x0b || cp === 0x0c || cp === 0x85 || cp === 0x2028 || cp === 0x2029
  );
}

function isSpace(cp: number): boolean {
  return (
    cp <= 0x20 ||
    (cp >= 0x7f && cp <= 0xa0) ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000 ||
    cp === 0xfffd
  );
}

/**
 * The folded form of one non-ASCII code point: compatibility decomposition (the mapping NFKC
 * applies: full-width, ligatures, mathematical alphabets, circled letters...), diacritics dropped,
 * lowercased, homoglyphs folded. Decomposing one code point at a time rather than the whole string
 * is what lets every output unit keep its original offset.
 */
function foldCodePoint(cp: number): string {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  let folded = String.fromCodePoint(cp).normalize("NFKD").replace(COMBINING_MARK, "").toLowerCase();
  let out = "";
  for (const ch of folded) {
    const cpi = ch.codePointAt(0)!;
    out += isInvisible(cpi) ? "" : isSpace(cpi) ? " " : (PUNCTUATION[ch] ?? ch);
  }
  folded = out;
  if (foldCache.size < CACHE_LIMIT) foldCache.set(cp, folded);
  return folded;
}

/** A growable buffer of UTF-16 units with their original spans. */
class FoldBuffer {
  units: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.units = new Uint16Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  push(unit: number, start: number, end: number): void {
    if (this.length === this.units.length) this.grow();
    this.units[this.length] = unit;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  private grow(): void {
    const size = this.units.length * 2 + 16;
    const units = new Uint16Array(size);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    units.set(this.units);
    starts.set(this.starts);
    ends.set(this.ends);
    this.units = units;
    this.starts = starts;
    this.ends = ends;
  }
}

const utf16 = new TextDecoder("utf-16le");

/** Turns UTF-16 units into a string (lone surrogates never reach here: they are folded to spaces). */
export function unitsToString(units: Uint16Array): string {
  return utf16.decode(units);
}

/**
 * Folds `input` for matching. Whitespace runs become one space, or one newline when the run holds a
 * line break (indirect-injection scoring works line by line). Control characters and lone
 * surrogates count as spaces. Never throws.
 *
 * @example
 * normalizeText("I\u200Bgnore ＡＬＬ").text // "ignore all"
 */
export function normalizeText(input: string): NormalizedText {
  const n = input.length;
  const buf = new FoldBuffer(n + 16);
  // 0 = nothing pending, 1 = a space is pending, 2 = a line break is pending.
  let pendingSpace = 0;
  let spaceStart = 0;
  let spaceEnd = 0;
  for (let i = 0; i < n; ) {
    let cp = input.charCodeAt(i);
    let width = 1;
    if (cp < 0x80) {
      if (cp > 0x20 && cp !== 0x7f) {
        if (pendingSpace !== 0) {
          if (buf.length > 0) buf.push(pendingSpace === 2 ? 10 : 32, spaceStart, spaceEnd);
          pendingSpace = 0;
        }
        buf.push(cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp, i, i + 1);
        i++;
        continue;
      }
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < n ? input.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        width = 2;
      } else {
        cp = 0x20; // a lone surrogate separates words like a space would
      }
    }
    const end = i + width;
    if (isInvisible(cp)) {
      i = end;
      continue;
    }
    if (isSpace(cp) || isLineBreak(cp)) {
      if (pendingSpace === 0) spaceStart = i;
      spaceEnd = end;
      if (isLineBreak(cp)) pendingSpace = 2;
      else if (pendingSpace === 0) pendingSpace = 1;
      i = end;
      continue;
    }
    const folded = foldCodePoint(cp);
    if (folded.length > 0 && pendingSpace !== 0) {
      if (buf.length > 0) buf.push(pendingSpace === 2 ? 10 : 32, spaceStart, spaceEnd);
      pendingSpace = 0;
    }
    for (let k = 0; k < folded.length; k++) {
      const unit = folded.charCodeAt(k);
      if (unit === 32) {
        if (pendingSpace === 0) {
          pendingSpace = 1;
          spaceStart = i;
        }
        spaceEnd = end;
      } else {
        if (pendingSpace !== 0) {
          if (buf.length > 0) buf.push(pendingSpace === 2 ? 10 : 32, spaceStart, spaceEnd);
          pendingSpace = 0;
        }
        buf.push(unit, i, end);
      }
    }
    i = end;
  }
  foldMixedScriptWords(buf.units, buf.length);
  return {
    text: unitsToString(buf.units.subarray(0, buf.length)),
    starts: buf.starts.subarray(0, buf.length),
    ends: buf.ends.subarray(0, buf.length),
    originalLength: n,
  };
}

/** Folds look-alike letters in words that mix them with Latin letters; one unit for one, in place. */
function foldMixedScriptWords(units: Uint16Array, length: number): void {
  let start = 0;
  let latin = false;
  let lookalike = false;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? units[i]! : 0x20;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      latin = true;
    } else if (c >= 0x80 && !isSpace(c)) {
      if (HOMOGLYPHS.has(c)) lookalike = true;
    } else {
      if (latin && lookalike) {
        for (let k = start; k < i; k++) units[k] = HOMOGLYPHS.get(units[k]!) ?? units[k]!;
      }
      start = i + 1;
      latin = false;
      lookalike = false;
    }
  }
}

/** Maps a span of the folded text back to the original text. */
export function toOriginalSpan(norm: NormalizedText, start: number, end: number): Span {
  const len = norm.text.length;
  if (len === 0) return { start: 0, end: 0 };
  const s = Math.min(Math.max(start, 0), len - 1);
  const e = Math.min(Math.max(end, s + 1), len);
  return { start: norm.starts[s]!, end: norm.ends[e - 1]! };
}
