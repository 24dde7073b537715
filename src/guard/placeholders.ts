/**
 * Typed, numbered placeholders (`<EMAIL_1>`): one number per distinct value of a type, shared by
 * the redaction modes and the vault, so both number the same way and never reuse a taken number.
 */

/** A placeholder anywhere in a text: type name and number. */
export const PLACEHOLDER = /<([A-Z][A-Z0-9_]*?)_(\d{1,6})>/g;

/** Which value got which placeholder, and the last number used per type. */
export interface Numbering {
  byValue: Map<string, string>;
  counts: Map<string, number>;
}

export function createNumbering(byValue: Map<string, string> = new Map()): Numbering {
  return { byValue, counts: new Map() };
}

/**
 * The placeholder of `value` (the one it already has, else the type's next number). `scope`
 * separates values numbered in the same sequence but kept apart (restorable or not).
 */
export function numberFor(
  numbering: Numbering,
  type: string,
  value: string,
  scope = "",
): { placeholder: string; isNew: boolean } {
  const key = `${scope}${type}\u0000${value}`;
  const known = numbering.byValue.get(key);
  if (known !== undefined) return { placeholder: known, isNew: false };
  const n = (numbering.counts.get(type) ?? 0) + 1;
  numbering.counts.set(type, n);
  const placeholder = `<${type}_${n}>`;
  numbering.byValue.set(key, placeholder);
  return { placeholder, isNew: true };
}

/** Moves the numbering past every placeholder in `text`, so none is handed out again; returns them. */
export function reserveNumbers(numbering: Numbering, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const type = match[1] as string;
    numbering.counts.set(type, Math.max(numbering.counts.get(type) ?? 0, Number(match[2])));
    found.push(match[0]);
  }
  return found;
}
