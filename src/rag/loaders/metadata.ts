import type { Metadata, MetadataScalar, MetadataValue } from "../types.js";

/**
 * Turns parsed front matter or a record's fields into filterable metadata: nested objects become
 * dotted keys (`{ a: { b: 1 } }` → `{ "a.b": 1 }`), Dates ISO strings, null and undefined are dropped,
 * arrays of scalars stay arrays, and anything else (arrays of objects, Maps, non-finite numbers) becomes
 * its JSON text so that no field is silently lost.
 */
export function flattenMetadata(fields: Record<string, unknown>, prefix = ""): Metadata {
  const out: Metadata = {};
  for (const [key, value] of Object.entries(fields)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) Object.assign(out, flattenMetadata(value, name));
    else {
      const converted = toMetadataValue(value);
      if (converted !== undefined) out[name] = converted;
    }
  }
  return out;
}

function toMetadataValue(value: unknown): MetadataValue | undefined {
  if (value === null || value === undefined) return undefined;
  const scalar = toScalar(value);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== null && v !== undefined).map(toScalar);
    if (items.every((v) => v !== undefined)) return items as MetadataScalar[];
  }
  return JSON.stringify(value) ?? String(value);
}

function toScalar(value: unknown): MetadataScalar | undefined {
  if (typeof value === "string" || typeof value === "boolean") return value;
  // YAML can produce NaN and Infinity, which a JSON column or filter cannot hold as numbers.
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
