import type { Finding } from "../types.js";
import { ibanLength, ibanValid } from "./checksums.js";

// A country code, two check digits, then alphanumerics with at most one space between each (the
// printed form groups by four). One character per repetition keeps the pattern unambiguous.
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,34}/g;

/**
 * IBANs, compact or grouped, in either case: exactly the country's registered length, and the
 * ISO 13616 mod-97 check. The candidate run may continue into the next word; only the country's
 * length of characters is taken, and the characters must end there.
 */
export function findIbans(text: string): Finding[] {
  const found: Finding[] = [];
  IBAN_CANDIDATE.lastIndex = 0;
  for (let m = IBAN_CANDIDATE.exec(text); m !== null; m = IBAN_CANDIDATE.exec(text)) {
    const run = m[0];
    const length = ibanLength(run.slice(0, 2).toUpperCase());
    if (length === undefined) continue;
    let compact = "";
    let end = 0;
    while (end < run.length && compact.length < length) {
      if (run[end] !== " ") compact += run[end];
      end++;
    }
    if (compact.length < length) continue;
    if (isAlnum(text.charCodeAt(m.index + end))) continue; // the number goes on: not this IBAN
    if (!ibanValid(compact)) continue;
    found.push({ type: "IBAN", start: m.index, end: m.index + end, score: 0.95, detail: "mod97" });
    IBAN_CANDIDATE.lastIndex = m.index + end;
  }
  return found;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
