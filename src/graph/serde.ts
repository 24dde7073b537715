import * as devalue from "devalue";

/**
 * Checkpoint serialization.
 *
 * Most state is plain JSON (strings, numbers, arrays, plain objects), and JSON.stringify is several
 * times faster than any richer format, so such values are stored as JSON behind a "j" tag. Anything
 * JSON would change (Date, Map, Set, BigInt, typed arrays, undefined, -0, NaN, cycles) goes through
 * devalue behind a "d" tag, which round-trips all of them. Plain objects referenced twice are stored
 * twice (state is data; identity is not part of it).
 */
export function serialize(value: unknown): string {
  return isPlainJson(value, 0)
    ? `j${JSON.stringify(value)}`
    : `d${escapeLoneSurrogates(devalue.stringify(value))}`;
}

// devalue writes a lone surrogate (half an emoji, as a stream cut mid-character leaves) raw; stores
// that encode text as UTF-8 would turn it into U+FFFD. JSON escapes inside its strings keep it exact,
// and they can only occur inside string literals, where devalue's JSON-based parser reads them back.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

export function deserialize(text: string): unknown {
  const tag = text.charCodeAt(0);
  if (tag === 106 /* j */) return JSON.parse(text.slice(1));
  if (tag === 100 /* d */) return devalue.parse(text.slice(1));
  throw new Error(`unknown serialization tag "${text.slice(0, 1)}"`);
}

// Deep structures and cycles are left to devalue, which handles both.
const MAX_JSON_DEPTH = 64;

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth > MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
