/** Where a JSON text stops being valid JSON, in terms a model can act on. */
export interface JsonSyntaxError {
  /** 0-based offset of the first character that cannot be part of valid JSON (the length at an early end). */
  position: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** What was expected there, e.g. `expected a value but found "}"`. */
  reason: string;
}

const NUMBER_OR_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Finds the first syntax error in a JSON text, or undefined when it is valid. Node's JSON.parse does
 * not always say where it failed (Node 20: `Unexpected token '}', ..."ulation": }" is not valid JSON`),
 * and a repair request is only as good as its pointer, so this small recursive-descent checker does.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  let reason: string | undefined;

  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (expected: string): false => {
    reason =
      i >= text.length
        ? `the JSON ends early; expected ${expected}`
        : `expected ${expected} but found ${JSON.stringify(text[i])}`;
    return false;
  };
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return true;
      }
      if (c === "\\") {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) return fail('an escape such as \\n, \\" or \\u00e9');
        i = ESCAPE.lastIndex;
      } else if (c < " ") return fail("no raw control character inside a string (escape it)");
      else i++;
    }
    return fail('the closing quote (") of a string');
  };
  const members = (close: "}" | "]", member: () => boolean): boolean => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return true;
    }
    for (;;) {
      if (!member()) return false;
      skipSpace();
      if (text[i] === close) {
        i++;
        return true;
      }
      if (text[i] !== ",") return fail(`"," or "${close}"`);
      i++;
    }
  };
  const value = (): boolean => {
    skipSpace();
    const c = text[i];
    if (c === "{") {
      return members("}", () => {
        skipSpace();
        if (text[i] !== '"') return fail("a property name in double quotes");
        if (!string()) return false;
        skipSpace();
        if (text[i] !== ":") return fail('":"');
        i++;
        return value();
      });
    }
    if (c === "[") return members("]", value);
    if (c === '"') return string();
    NUMBER_OR_LITERAL.lastIndex = i;
    if (NUMBER_OR_LITERAL.test(text)) {
      i = NUMBER_OR_LITERAL.lastIndex;
      return true;
    }
    return fail("a value");
  };

  if (value()) {
    skipSpace();
    if (i === text.length) return undefined;
    fail("nothing after the JSON value");
  }
  const before = text.slice(0, i);
  return {
    position: i,
    line: before.split("\n").length,
    column: i - before.lastIndexOf("\n"),
    reason: reason ?? "invalid JSON",
  };
}
