import type { Finding } from "../types.js";

const MIN_TOKEN = 24;
const MAX_TOKEN = 512;
// Object ids with a type prefix (Stripe's "in_", "cus_", "pi_"...; the secret ones, "sk_" and
// "rk_", have their own rule): random, but an id, not a credential.
const PREFIXED_ID = /^[a-z]{2,6}_[A-Za-z0-9]{14,}$/;
const HEX_OR_UUID =
  /^(?:[0-9a-f]+|[0-9A-F]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/**
 * Tokens that look random: at least 24 characters of a base64/base64url alphabet with upper case,
 * lower case and digits, a Shannon entropy close to the most a string of its length can have, and
 * no long run of letters (which random strings rarely have, and identifiers, words glued together
 * and file paths always have). Hex strings and UUIDs are left alone on purpose: they are commit
 * hashes, checksums and ids far more often than secrets in prompts, and the known hex-shaped
 * credentials are caught by their provider rule.
 */
export function findHighEntropyTokens(text: string): Finding[] {
  const found: Finding[] = [];
  // One pass over the characters, run by run: cheaper than a regular expression tried at every
  // offset (most offsets start a short word), and linear whatever the input.
  let i = 0;
  while (i < text.length) {
    if (!isTokenChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
    if (i - start < MIN_TOKEN) continue;
    while (i < text.length && text.charCodeAt(i) === 61 /* = */ && i - start < MAX_TOKEN + 2) i++;
    // A run glued to a "." is a domain, a file name or a version, not a token on its own.
    const dotted =
      text.charCodeAt(start - 1) === 46 || (text.charCodeAt(i) === 46 && isTokenChar(text.charCodeAt(i + 1)));
    if (i - start > MAX_TOKEN + 2 || dotted || !looksRandom(text.slice(start, i))) continue;
    found.push({ type: "SECRET", start, end: i, score: 0.6, detail: "high-entropy" });
  }
  return found;
}

// Base64 and base64url letters: A-Z a-z 0-9 + / _ -
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
  TOKEN_CHARS[c.charCodeAt(0)] = 1;

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_CHARS[c] === 1;
}

export function looksRandom(token: string): boolean {
  const body = token.replace(/=+$/, "");
  if (body.length < MIN_TOKEN || HEX_OR_UUID.test(body) || PREFIXED_ID.test(body)) return false;
  const counts = [0, 0, 0, 0]; // upper, lower, digit, other
  const longestRun = [0, 0, 0, 0];
  let run = 0;
  let switches = 0;
  let previous = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const kind = c >= 65 && c <= 90 ? 0 : c >= 97 && c <= 122 ? 1 : c >= 48 && c <= 57 ? 2 : 3;
    counts[kind]!++;
    run = kind === previous ? run + 1 : 1;
    if (run > longestRun[kind]!) longestRun[kind] = run;
    if (previous !== -1 && kind !== previous) switches++;
    previous = kind;
  }
  if (counts[0]! < 2 || counts[1]! < 2 || counts[2]! < 1) return false;
  // Random base62 switches between upper case, lower case and digits at ~60% of its characters,
  // and seldom has more than 6 lower-case or upper-case letters in a row; words, camelCase
  // identifiers and codes such as "INV-2024-ACME-Ltd" have long runs and switch far less.
  const maxRun = body.length > 40 ? 7 : 6;
  if (longestRun[0]! > maxRun || longestRun[1]! > maxRun || switches < body.length * 0.35) return false;
  if (wordCoverage(body) >= 0.5) return false;
  return shannonEntropy(body) >= entropyThreshold(body.length);
}

// Word-like pieces: "Account", "settings". In random base62 they cover about 13% of the string
// (3% of strings reach 40%); in camelCase and PascalCase identifiers ("ThisIsAVeryLongName123")
// half or more.
const WORDLIKE = /[A-Z][a-z]{3,}|[a-z]{5,}/g;

function wordCoverage(body: string): number {
  let covered = 0;
  for (const m of body.matchAll(WORDLIKE)) covered += m[0].length;
  return covered / body.length;
}

/** Bits per character of the string's own character distribution. */
export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) counts.set(s.charCodeAt(i), (counts.get(s.charCodeAt(i)) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// A string of n characters has at most log2(n) bits per character (all distinct); a random base62
// one has about 0.9 of that up to n = 64 (4.2 bits at 24 characters, 5.2 at 64).
function entropyThreshold(length: number): number {
  return 0.8 * Math.log2(Math.min(length, 64));
}
