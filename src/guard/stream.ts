/**
 * Streaming output scanning with a sliding window. Text is passed on as soon as no finding could
 * still reach back into it: everything but the last `holdback` characters, cut back further to the
 * start of an unfinished word (an e-mail address, key or token has no spaces, so it is never split),
 * to the start of any finding that crosses the cut, and to an unterminated PEM block. Each push
 * re-scans only a bounded window (the held text plus a little already-sent context), so the cost
 * stays linear in the length of the stream.
 */
import type { DecidedFinding, Guard, ScanOptions } from "./guard.js";
import { createNumbering } from "./placeholders.js";
import { strictest } from "./policy.js";

export interface StreamScanner {
  /** Feeds a chunk; returns the text that is safe to show now (possibly redacted, possibly ""). */
  push(chunk: string): string;
  /** Ends the stream; returns the rest of the text. */
  end(): string;
  /** True once a finding with action "block" cut the stream; nothing more is returned after that. */
  readonly blocked: boolean;
  /** Every finding decided so far (offsets into the whole streamed text). */
  readonly findings: readonly DecidedFinding[];
}

/** Characters held back by default: longer than any phone number, IBAN, card number or name. */
export const DEFAULT_HOLDBACK = 64;
/** Already-sent characters re-scanned as context (e.g. "my name is" before a name). */
const CONTEXT = 64;
/** Letters and digits always kept in the context, as a canary's partial match needs 8 of them. */
const CONTEXT_ALNUM = 24;
/** A word longer than this is passed on anyway, so a stream with no spaces cannot grow without bound. */
const MAX_WORD = 16_384;

export function streamScanner(
  guard: Guard,
  options: ScanOptions & { holdback?: number },
  scannerIds: () => string[],
): StreamScanner {
  const holdback = Math.max(0, options.holdback ?? DEFAULT_HOLDBACK);
  let context = ""; // the last CONTEXT characters already passed on (original text)
  let pending = ""; // received, not yet passed on
  let sent = 0; // offset of `pending` in the whole stream
  let blocked = false;
  let ended = false;
  const findings: DecidedFinding[] = [];
  const byKey = new Map<string, DecidedFinding>();
  const numbering = createNumbering();
  /** Values redacted so far, looked for again in later text (a name found once, then repeated). */
  const remembered = new Map<string, DecidedFinding>();

  const record = (f: DecidedFinding, offset: number): void => {
    const start = f.start - offset + sent;
    const end = f.end - offset + sent;
    const key = `${f.type}:${start}:${f.scanner}`;
    const known = byKey.get(key);
    if (known !== undefined) {
      known.end = Math.max(known.end, end);
      return;
    }
    const absolute = { ...f, start, end };
    byKey.set(key, absolute);
    findings.push(absolute);
  };

  const step = (final: boolean): string => {
    if (blocked || pending === "") return "";
    const window = context + pending;
    const offset = context.length;
    // Nothing could be passed on yet (the held text is one unfinished word or shorter than the
    // holdback): wait for more rather than re-scan the same window for every small chunk.
    if (!final && safeCut(window, offset, [], holdback) <= offset) return "";
    const decided = guard.evaluate(window, options).filter((f) => f.end > offset);
    for (const f of decided) remember(window, f);
    decided.push(...repeats(window, offset, decided));
    const blocking = decided.find((f) => f.action === "block");
    const cut =
      blocking !== undefined ? offset : final ? window.length : safeCut(window, offset, decided, holdback);
    // Findings that touch what is passed on now (or everything, when blocked) are final.
    const settled = decided.filter((f) => blocking !== undefined || f.start < cut);
    for (const f of settled) record(f, offset);
    if (blocking !== undefined) {
      blocked = true;
      report(window.length - offset);
      pending = "";
      return "";
    }
    if (cut <= offset) return "";
    const part = window.slice(offset, cut);
    const local = settled.map((f) => ({
      ...f,
      start: Math.max(f.start, offset) - offset,
      end: Math.min(f.end, cut) - offset,
    }));
    const out = guard.redact(part, local, options.source, options.vault, numbering);
    // Keep as context everything from the start of a finding that reaches the cut: one that began
    // in text already passed on (found only once later text gave the evidence) stays in view, so
    // the rest of it is redacted too.
    let keepFrom = cut - CONTEXT;
    for (const f of decided) if (f.end >= cut && f.start < keepFrom) keepFrom = f.start;
    // ...and at least CONTEXT_ALNUM letters and digits, however much punctuation or space lies
    // between them: a canary spelt out with wide gaps is still seen whole.
    let alnum = 0;
    let back = cut;
    while (back > 0 && alnum < CONTEXT_ALNUM && cut - back < MAX_WORD) {
      back--;
      if (isWordChar(window.charCodeAt(back))) alnum++;
    }
    keepFrom = Math.min(keepFrom, back);
    context = window.slice(Math.max(0, keepFrom, cut - MAX_WORD), cut);
    pending = window.slice(cut);
    sent += part.length;
    return out;
  };

  const remember = (window: string, f: DecidedFinding): void => {
    if (f.action !== "redact" || f.end - f.start < 3 || f.end - f.start > 256) return;
    const keep = (value: string) => {
      if (remembered.size < 256 && !remembered.has(value)) remembered.set(value, f);
    };
    const value = window.slice(f.start, f.end);
    keep(value);
    // A person is mentioned again by one of the names ("Dr. Ada King" ... "King said").
    if (f.type === "PERSON") {
      for (const word of value.split(/\s+/)) if (/^\p{Lu}\p{Ll}{2,}$/u.test(word)) keep(word);
    }
  };

  /** Findings for the later mentions of a remembered value that the scanners did not report again. */
  const repeats = (window: string, offset: number, decided: readonly DecidedFinding[]): DecidedFinding[] => {
    const found: DecidedFinding[] = [];
    for (const [value, template] of remembered) {
      for (let at = window.indexOf(value, offset); at !== -1; at = window.indexOf(value, at + 1)) {
        const end = at + value.length;
        const bounded = !isWordChar(window.charCodeAt(at - 1)) && !isWordChar(window.charCodeAt(end));
        const overlaps = (f: DecidedFinding) => f.start < end && f.end > at;
        const covered = decided.some(overlaps) || found.some(overlaps);
        if (bounded && !covered) found.push({ ...template, start: at, end, detail: "repeated" });
      }
    }
    return found;
  };

  const report = (length: number): void => {
    const record = {
      source: options.source,
      action: strictest(findings.map((f) => f.action)),
      policy: { id: guard.policy.id, version: guard.policy.version },
      scanners: scannerIds(),
      findings: [...findings],
      textLength: sent + length,
      redaction: guard.redaction,
    };
    guard.report(record);
    options.onVerdict?.(record);
  };

  return {
    get blocked() {
      return blocked;
    },
    get findings() {
      return findings;
    },
    push(chunk) {
      if (ended) throw new TypeError("push() after end(): this stream scanner has finished.");
      if (blocked) return "";
      pending += chunk;
      return step(false);
    },
    end() {
      if (ended) return "";
      ended = true;
      if (blocked) return "";
      const out = step(true);
      if (!blocked) report(0);
      return out;
    },
  };
}

/** The end of the prefix of `window` (at or after `offset`) that no finding can still reach into. */
function safeCut(
  window: string,
  offset: number,
  decided: readonly DecidedFinding[],
  holdback: number,
): number {
  let cut = window.length - holdback;
  if (cut <= offset) return offset;
  // Never split a word: back up to the whitespace before the word that straddles the cut.
  const wordStart = cut;
  while (cut > offset && !isSpace(window.charCodeAt(cut - 1)) && !isSpace(window.charCodeAt(cut))) cut--;
  if (cut === offset && wordStart - offset > MAX_WORD) cut = wordStart;
  // Never split a finding.
  for (let moved = true; moved; ) {
    moved = false;
    for (const f of decided) {
      if (f.start < cut && f.end > cut && f.start >= offset) {
        cut = f.start;
        moved = true;
      }
    }
  }
  // Never pass on part of a PEM block before its END line has arrived.
  const begin = window.lastIndexOf("-----BEGIN", cut);
  if (begin !== -1 && cut - begin <= MAX_WORD && !pemEnded(window, begin)) cut = Math.max(offset, begin);
  return Math.max(cut, offset);
}

/** Whether the PEM block starting at `begin` has its whole END line ("-----END ... -----"). */
function pemEnded(window: string, begin: number): boolean {
  const end = window.indexOf("-----END", begin);
  return end !== -1 && window.indexOf("-----", end + 8) !== -1;
}

function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 0x7f
  );
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 12 || code === 0xa0;
}
