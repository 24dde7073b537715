import type { Finding } from "../types.js";
import { ssnValid } from "./checksums.js";
import { nearby } from "./recognizer.js";

// 3-2-4 digits with the same separator twice (dash or space), or none.
const SSN = /(?<![\w\-.+])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-]|\.\d)/g;
const SSN_WORDS = /\b(?:ssn|ss#|ss no|social security|social sec|taxpayer|tin)\b/i;

/**
 * US Social Security numbers that the SSA could have issued (see `ssnValid`). "123-45-6789" reads as
 * an SSN on its own; nine bare digits or a spaced form only with "SSN" or "social security" nearby,
 * since both are far more often other numbers.
 */
export function findSsns(text: string): Finding[] {
  const found: Finding[] = [];
  SSN.lastIndex = 0;
  for (let m = SSN.exec(text); m !== null; m = SSN.exec(text)) {
    if (!ssnValid(m[1]! + m[3]! + m[4]!)) continue;
    const start = m.index;
    const end = start + m[0].length;
    const context = nearby(text, start, end, SSN_WORDS, 50);
    const separator = m[2];
    let score: number;
    if (separator === "-") score = context ? 0.95 : 0.85;
    else if (context) score = separator === " " ? 0.85 : 0.8;
    else continue;
    found.push({ type: "US_SSN", start, end, score, detail: "ssa-rules" });
  }
  return found;
}
