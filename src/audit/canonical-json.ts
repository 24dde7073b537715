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
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`A ${typeof value} is not JSON.`);
    return text;
  }
  // Dates and other objects with toJSON are written as JSON.stringify (and `canonicalize`) write them.
  if (typeof (value as { toJSON?: unknown }).toJSON === "function")
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++)
      out += (i ? "," : "") + canonicalJson(value[i] === undefined ? null : value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = "{";
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}
