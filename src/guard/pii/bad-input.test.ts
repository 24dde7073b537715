import { describe, expect, it } from "vitest";
import { secretsScanner } from "../secrets/index.js";
import type { Finding } from "../types.js";
import { piiScanner } from "./index.js";

// Both input scanners against text that is empty, huge, broken or built to make a regular
// expression backtrack. Each must return well-formed findings (or none), never throw, and stay
// linear: a megabyte may take at most MAX_RATIO times as long as its first 64 KB (16x is linear,
// a quadratic pattern gives 256x; the slack absorbs a loaded machine). No wall-clock limit.
const MB = 1 << 20;
const SMALL = 1 << 16;
const MAX_RATIO = 100;
const repeat = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

function binaryJunk(length: number): string {
  let x = 42;
  let out = "";
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += String.fromCharCode((x >>> 16) & 0xff); // random bytes read as latin1
  }
  return out;
}

const inputs: Record<string, string> = {
  empty: "",
  "a megabyte of prose with entities": repeat(
    "Dear Sarah Whitfield, call (212) 555-0187 or mail sarah@example.com about card 4111 1111 1111 1111. ",
  ),
  "lone surrogates": repeat("\ud800 Anna \udfff 10.0.0.1 \udc00\ud83d"),
  "binary junk": binaryJunk(MB),
  "10k-deep nested JSON": `${'{"a":['.repeat(10_000)}"x"${"]}".repeat(10_000)}`,
  '"a@" repeated': repeat("a@"),
  '"1-" repeated': repeat("1-"),
  "one long digit run": repeat("8"),
  "capitalised words": repeat("Anna Berg "),
  "capitalised letters": repeat("Ab"),
  '"postgres://" repeated': repeat("postgres://"),
  "credential URLs": repeat("postgres://u:p@"),
  '"Password=x;" repeated': repeat("Password=x;"),
  "token characters": repeat("aB3-"),
  "JWT prefixes": repeat("eyJhbG."),
  "dotted quads": repeat("1.2.3."),
  "hex and colons": repeat("ab:"),
  "phone-like groups": repeat("+1 (212) 555-0187 "),
  "SSN-like groups": repeat("219-09-9998 "),
  "PEM headers": repeat("-----BEGIN RSA PRIVATE KEY-----\n"),
};

/** The findings that break the contract: offsets outside the text or out of order, scores outside [0, 1]. */
function malformed(findings: Finding[], text: string): Finding[] {
  return findings.filter(
    (f) =>
      !Number.isInteger(f.start) ||
      !Number.isInteger(f.end) ||
      f.start < 0 ||
      f.end <= f.start ||
      f.end > text.length ||
      !(f.score >= 0 && f.score <= 1),
  );
}

describe.each([
  ["pii", piiScanner()],
  ["secrets", secretsScanner()],
])("%s scanner on bad input", (_, scan) => {
  const timed = (text: string) => {
    const started = performance.now();
    const findings = scan(text, { source: "input" });
    return { findings, ms: performance.now() - started };
  };

  it.each(Object.entries(inputs))("%s", (_name, text) => {
    const { findings } = timed(text); // also the warm-up for the timing below
    expect(Array.isArray(findings)).toBe(true);
    expect(malformed(findings, text)).toEqual([]);
    if (text.length === MB) {
      const head = text.slice(0, SMALL);
      const small = Math.min(...[0, 1, 2].map(() => timed(head).ms));
      expect(timed(text).ms / Math.max(small, 0.05)).toBeLessThan(MAX_RATIO);
    }
  });

  it("returns nothing for empty text and for a non-string passed by mistake", () => {
    expect(scan("", { source: "input" })).toEqual([]);
    expect(scan(undefined as unknown as string, { source: "input" })).toEqual([]);
  });
});
