import type { Finding } from "../types.js";
import { knownCardRange, luhnValid } from "./checksums.js";
import { nearby } from "./recognizer.js";

// Runs of digit groups joined by one space or dash. Each repetition starts with its mandatory
// separator, so the pattern cannot split a run two ways (no catastrophic backtracking), and the
// look-behind keeps it from starting again inside a run it already rejected.
const DIGIT_GROUPS = /(?<![\w+\-.,])\d{1,19}(?:[ -]\d{1,19}){0,7}(?!\w)/g;
const CARD_WORDS = /\b(?:card|credit|debit|visa|master ?card|amex|american express|discover|cc|pan)\b/i;

/**
 * Payment card numbers: 12 to 19 digits, written together or in groups of 3 to 6, with a valid
 * Luhn digit, and either in a known brand's range and length (score 0.95, 0.99 with a card word
 * nearby) or with a card word nearby ("card", "visa", "cc"...; score 0.8): issuers outside the
 * table exist, but a Luhn-valid number alone is right one time in ten by chance. A longer run of
 * groups (a card followed by its expiry or CVV) is tried group by group, longest first.
 */
export function findCards(text: string): Finding[] {
  const found: Finding[] = [];
  DIGIT_GROUPS.lastIndex = 0;
  for (let m = DIGIT_GROUPS.exec(text); m !== null; m = DIGIT_GROUPS.exec(text)) {
    const run = m[0];
    if (run.length < 12) continue;
    const start = m.index;
    let context: boolean | undefined;
    const hasContext = () => (context ??= nearby(text, start, start + run.length, CARD_WORDS, 40));
    for (const { digits, length } of numbersIn(run)) {
      if (!luhnValid(digits)) continue;
      const known = knownCardRange(digits);
      if (!known && !hasContext()) continue;
      const score = known ? (hasContext() ? 0.99 : 0.95) : 0.8;
      found.push({ type: "CREDIT_CARD", start, end: start + length, score, detail: "luhn" });
      break;
    }
  }
  return found;
}

/** Candidate numbers at the start of a run of groups: longest first, whole groups, 12-19 digits. */
function numbersIn(run: string): Array<{ digits: string; length: number }> {
  const groups = run.split(/[ -]/);
  const first = groups[0]!;
  if (first.length >= 12) return first.length <= 19 ? [{ digits: first, length: first.length }] : [];
  const separator = run[first.length];
  const prefixes: Array<{ digits: string; length: number }> = [];
  let digits = "";
  let length = -1;
  for (const group of groups) {
    if (group.length < 3 || group.length > 6) break;
    if (length >= 0 && run[length] !== separator) break; // mixed separators: not one number
    digits += group;
    length += group.length + 1;
    if (digits.length > 19) break;
    if (digits.length >= 12) prefixes.push({ digits, length });
  }
  return prefixes.reverse();
}
