import type { Finding } from "../types.js";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

/**
 * Email addresses, found from each "@" outwards rather than by one regular expression: a pattern
 * with an unbounded local part backtracks over every start position of a long word run, and walking
 * out from "@" with the RFC 5321 limits (64 and 253 characters) keeps the scan linear.
 */
export function findEmails(text: string): Finding[] {
  const found: Finding[] = [];
  let lastEnd = 0;
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    if (at < lastEnd) continue;
    let start = at;
    while (start > 0 && at - start < MAX_LOCAL && isLocalChar(text.charCodeAt(start - 1))) start--;
    if (start > 0 && isLocalChar(text.charCodeAt(start - 1))) continue; // longer than 64: not an address
    while (start < at && isEdgePunctuation(text.charCodeAt(start))) start++;
    if (start === at || text.charCodeAt(at - 1) === 46) continue; // empty, or a dot before "@"

    let end = at + 1;
    while (end < text.length && end - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(end))) end++;
    end = domainEnd(text, at + 1, end);
    if (end === -1) continue;
    found.push({ type: "EMAIL", start, end, score: 0.95, detail: "email" });
    lastEnd = end;
  }
  return found;
}

/** Where a well-formed domain (labels, a dot, an alphabetic top-level label) ends, or -1. */
function domainEnd(text: string, from: number, to: number): number {
  let end = to;
  while (end > from && isEdgePunctuation(text.charCodeAt(end - 1))) end--;
  const labels = text.slice(from, end).split(".");
  if (labels.length < 2) return -1;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith("-") || label.endsWith("-")) return -1;
  }
  const top = labels[labels.length - 1]!;
  return /^[A-Za-z]{2,24}$/.test(top) ? end : -1;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// Letters, digits and the punctuation people actually use in addresses: . _ % + -
function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

function isEdgePunctuation(c: number): boolean {
  return c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
