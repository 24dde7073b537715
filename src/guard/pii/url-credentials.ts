import type { Finding } from "../types.js";

/** A URL whose userinfo carries a password (`scheme://user:password@host/...`). */
export interface CredentialUrl {
  start: number;
  end: number;
  /** Lower-case scheme, e.g. "https", "postgres", "mongodb+srv". */
  scheme: string;
}

const MAX_SCHEME = 32;
const MAX_USERINFO = 256;
const MAX_REST = 2048;

/**
 * URLs with a user and a password, whole: from the scheme to the end of the URL, so redacting the
 * finding removes the host along with the password. Found from each "://" outwards with bounded
 * walks, so "postgres://" repeated a million times stays linear. A password that is a placeholder
 * ("password", "<password>", "${DB_PASS}", "****") is not a credential and is not reported.
 */
export function findCredentialUrls(text: string): CredentialUrl[] {
  const found: CredentialUrl[] = [];
  for (let sep = text.indexOf("://"); sep !== -1; sep = text.indexOf("://", sep + 3)) {
    let start = sep;
    while (start > 0 && sep - start < MAX_SCHEME && isSchemeChar(text.charCodeAt(start - 1))) start--;
    while (start < sep && !isLetter(text.charCodeAt(start))) start++;
    if (start === sep) continue;

    const userStart = sep + 3;
    let at = -1;
    let colon = -1;
    for (let i = userStart; i < text.length && i - userStart <= MAX_USERINFO; i++) {
      const c = text.charCodeAt(i);
      if (c === 64 /* @ */) {
        at = i;
        break;
      }
      if (c === 58 /* : */ && colon === -1) colon = i;
      if (isUrlStop(c) || c === 47 || c === 63 || c === 35) break; // whitespace, "/", "?", "#"
    }
    if (at === -1 || colon === -1 || colon + 1 === at) continue;
    if (isPlaceholderSecret(text.slice(colon + 1, at))) continue;

    let end = at + 1;
    while (end < text.length && end - at <= MAX_REST && !isUrlStop(text.charCodeAt(end))) end++;
    while (end > at + 1 && isTrailingPunctuation(text.charCodeAt(end - 1))) end--;
    if (end === at + 1) continue; // no host
    found.push({ start, end, scheme: text.slice(start, sep).toLowerCase() });
    sep = end - 3;
  }
  return found;
}

export function findUrlsWithCredentials(text: string): Finding[] {
  return findCredentialUrls(text).map(({ start, end }) => ({
    type: "URL_WITH_CREDENTIALS",
    start,
    end,
    score: 0.95,
    detail: "userinfo",
  }));
}

const PLACEHOLDER_WORDS = new Set([
  "password",
  "passwd",
  "pass",
  "pwd",
  "secret",
  "changeme",
  "your-password",
]);

/**
 * Values that stand for a secret instead of being one: template variables (`${X}`, `{{x}}`, `<x>`,
 * `%X%`, `$X`), masks (`***`, `xxxx`) and the words people put in examples.
 */
export function isPlaceholderSecret(value: string): boolean {
  if (PLACEHOLDER_WORDS.has(value.toLowerCase())) return true;
  if (/^(?:\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]*>|%[^%]*%|\$[A-Za-z_]\w*|\[[^\]]*\])$/.test(value)) return true;
  return /^(?:\*+|x+|X+|\.+|_+|-+)$/.test(value);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

// Whitespace, quotes and brackets end a URL written in prose, JSON or markup.
function isUrlStop(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96 || c === 127;
}

function isTrailingPunctuation(c: number): boolean {
  return (
    c === 46 || c === 44 || c === 59 || c === 58 || c === 33 || c === 63 || c === 41 || c === 93 || c === 125
  );
}
