/**
 * RFC 8785 canonical JSON for the values an audit envelope holds (objects, arrays, strings, finite
 * numbers, booleans, null). For those, RFC 8785 is ECMAScript's JSON serialisation of strings and
 * numbers with every object's keys sorted by UTF-16 code units (JavaScript's default sort). Objects
 * are written key by key because JavaScript iterates integer-like keys ("0") before the others,
 * whatever the insertion order. The `canonicalize` package gives the same bytes (a property test
 * checks) but is several times slower on the append path. A value JSON cannot hold (a function, a
 * symbol, a bigint, a cycle) throws rather than be written as text that does not parse.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      // ECMAScript's Number::toString is RFC 8785's number form; JSON has no NaN or Infinity.
      return Number.isFinite(value) ? `${value}` : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      // Dates and other objects with toJSON are written as JSON.stringify (and `canonicalize`) write them.
      if (typeof (value as { toJSON?: unknown }).toJSON === "function")
        return canonicalJson((value as { toJSON: () => unknown }).toJSON());
      return Array.isArray(value) ? array(value) : object(value as Record<string, unknown>);
    }
    default: {
      const text = JSON.stringify(value) as string | undefined;
      if (text === undefined) throw new TypeError(`A ${typeof value} is not JSON.`);
      return text;
    }
  }
}

function array(values: readonly unknown[]): string {
  let out = "[";
  for (let i = 0; i < values.length; i++)
    out += (i ? "," : "") + (values[i] === undefined ? "null" : canonicalJson(values[i]));
  return `${out}]`;
}

function object(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  // Most objects are written in order already (the envelope is): sorting is then skipped.
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = "{";
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}
