import { type Scanner, scanner } from "../guard/types.js";

/**
 * For tests: small deterministic scanners (two names, simple addresses, one attack phrase), so a
 * test of the guard's wiring does not depend on the built-in recognizers.
 */
function matches(id: string, type: string, pattern: RegExp, score: number): Scanner {
  return scanner(id, (text) =>
    [...text.matchAll(pattern)].map((m) => ({ type, start: m.index, end: m.index + m[0].length, score })),
  );
}

export const testEmails: Scanner = matches("test-email", "EMAIL", /[a-z]+@[a-z]+\.[a-z]+/g, 0.9);
export const testNames: Scanner = matches("test-name", "PERSON", /\b(?:Ada Lovelace|Alan Turing)\b/g, 0.8);
export const testAttacks: Scanner = matches("test-injection", "PROMPT_INJECTION", /IGNORE ALL RULES/g, 0.95);
