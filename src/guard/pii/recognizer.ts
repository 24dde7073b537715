import type { Finding } from "../types.js";

export type { PiiType } from "../types.js";

export interface RecognizerContext {
  /** Region for national-format phone numbers (ISO 3166-1 alpha-2). */
  region: string;
  /** Regions tried after `region` for a national-format number next to a phone word. */
  phoneRegions: readonly string[];
  /**
   * Whether a type that wins over the caller's already holds characters of [start, end): lets an
   * expensive recognizer skip a candidate that would lose anyway.
   */
  taken(start: number, end: number): boolean;
}

/** One recognizer family: finds its own type in the text, with no regard to the others. */
export type Recognizer = (text: string, ctx: RecognizerContext) => Finding[];

/**
 * Whether `pattern` occurs in the `before` characters preceding `start` or the `after` characters
 * following `end`. Context words raise a score; they are looked up per candidate, so cheaply.
 */
export function nearby(
  text: string,
  start: number,
  end: number,
  pattern: RegExp,
  before: number,
  after = 0,
): boolean {
  if (pattern.test(text.slice(Math.max(0, start - before), start))) return true;
  return after > 0 && pattern.test(text.slice(end, end + after));
}
