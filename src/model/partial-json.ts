/**
 * Parsing JSON that is still arriving: the text so far is cut back to the last point where a value was
 * complete, the open arrays and objects are closed, and the result parsed. A string value being written
 * is kept (closed where it stops), so text fields grow as they stream; a number or literal is shown only
 * once a delimiter ends it, so a partial object never holds a number that is still growing (`1` of `150`).
 */

type Frame = { kind: "object" | "array"; phase: "key" | "colon" | "value" | "after" };

const CLOSER = { object: "}", array: "]" } as const;
const TOKEN = /[^\s,\]}]*/y;

/**
 * The value of a JSON prefix, or undefined when nothing is complete yet (or the text is not JSON).
 *
 * @example
 * parsePartialJson('{"name": "Ad') // { value: { name: "Ad" } }
 * parsePartialJson('{"tags": ["a", "b') // { value: { tags: ["a", "b"] } }
 */
export function parsePartialJson(text: string): { value: unknown } | undefined {
  // A model that opens a ```json fence while streaming: skip the fence line.
  const start = /^\s*```[\w-]*[^\S\n]*\n/.exec(text)?.[0].length ?? 0;
  const stack: Frame[] = [];
  let safe: { end: number; closers: string } | undefined;
  let inString = false;
  let stringIsKey = false;
  let escapeAt = -1;
  let done = false;

  const closers = () =>
    stack
      .map((f) => CLOSER[f.kind])
      .reverse()
      .join("");
  const valueDone = (end: number) => {
    const top = stack.at(-1);
    if (top) top.phase = "after";
    else done = true;
    safe = { end, closers: closers() };
  };

  let i = start;
  for (; i < text.length && !done; i++) {
    const c = text[i]!;
    if (inString) {
      if (escapeAt >= 0) {
        // \uXXXX is complete six characters after the backslash; every other escape after two.
        const length = text[escapeAt + 1] === "u" ? 6 : 2;
        if (i >= escapeAt + length - 1) escapeAt = -1;
      } else if (c === "\\") escapeAt = i;
      else if (c === '"') {
        inString = false;
        if (stringIsKey) stack.at(-1)!.phase = "colon";
        else valueDone(i + 1);
      }
      continue;
    }
    if (/\s/.test(c)) continue;
    const top = stack.at(-1);
    if (c === "{" || c === "[") {
      stack.push(c === "{" ? { kind: "object", phase: "key" } : { kind: "array", phase: "value" });
      safe = { end: i + 1, closers: closers() };
    } else if (c === "}" || c === "]") {
      stack.pop();
      valueDone(i + 1);
    } else if (c === '"') {
      inString = true;
      stringIsKey = top?.kind === "object" && top.phase === "key";
    } else if (c === ":") {
      if (top) top.phase = "value";
    } else if (c === ",") {
      if (top) top.phase = top.kind === "object" ? "key" : "value";
    } else {
      // A number or literal: complete once something after it ends it (a literal also when whole).
      TOKEN.lastIndex = i;
      TOKEN.test(text);
      const end = TOKEN.lastIndex;
      const complete = end < text.length || /^(?:true|false|null)$/.test(text.slice(i, end));
      if (!complete) break;
      valueDone(end);
      i = end - 1;
    }
  }

  if (inString && !stringIsKey && i >= text.length) {
    const cut = escapeAt >= 0 ? text.slice(0, escapeAt) : text;
    const value = tryParse(`${cut.slice(start)}"${closers()}`);
    if (value) return value;
  }
  if (!safe) return undefined;
  return tryParse(text.slice(start, safe.end) + safe.closers);
}

function tryParse(json: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(json) };
  } catch {
    return undefined;
  }
}

/** A value of T as it may look while its JSON is still arriving: any property may be missing yet. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
