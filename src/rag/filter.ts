/**
 * Metadata filters: validated against the fields the collection has actually seen, then compiled to
 * a SQL condition that runs inside the search query (never applied to results afterwards, so a
 * filter can neither leak rows nor shrink a page below k).
 */
import { KeelError } from "../errors/index.js";
import type { MetadataScalar } from "./types.js";

export type ScalarKind = "string" | "number" | "boolean";

/** What a collection knows about one metadata field. */
export interface FieldInfo {
  kinds: Set<ScalarKind>;
  /** Some document holds an array here: conditions then match any element. */
  array: boolean;
}

export interface Operators {
  $eq?: MetadataScalar;
  $ne?: MetadataScalar;
  $gt?: number | string;
  $gte?: number | string;
  $lt?: number | string;
  $lte?: number | string;
  $in?: MetadataScalar[];
  $nin?: MetadataScalar[];
  $exists?: boolean;
}

/**
 * `{ field: value }` is equality (membership for array fields); `{ field: { $gte: 2020 } }` applies
 * operators, all of which must hold; `$and`, `$or` and `$not` combine filters.
 *
 * @example
 * { $or: [{ team: "billing" }, { year: { $gte: 2024, $lt: 2026 } }], lang: { $in: ["en", "fr"] } }
 */
export type Filter = {
  $and?: Filter[];
  $or?: Filter[];
  $not?: Filter;
} & { [field: string]: MetadataScalar | Operators | Filter[] | Filter | undefined };

export interface CompiledFilter {
  sql: string;
  params: Array<string | number>;
}

const OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"]);
const MAX_DEPTH = 32;
const MAX_PARAMS = 10_000;

function invalid(message: string): KeelError {
  return new KeelError("INVALID_FILTER", message);
}

function kindOf(value: unknown): ScalarKind | undefined {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isFinite(value) ? "number" : undefined;
  if (typeof value === "boolean") return "boolean";
  return undefined;
}

/**
 * How one SQL dialect writes the leaves of a filter. The walk over the filter (and every check on
 * it) is shared; a backend only says how to test a field. Each method pushes its parameters onto
 * `params` in the order its placeholders appear.
 */
export interface FilterDialect {
  /** A condition that always holds, and one that never does. */
  readonly always: string;
  readonly never: string;
  /** The field is present (`present` true) or absent. */
  exists(field: string, present: boolean, params: Array<string | number>): string;
  /** Some value of the field (any element, for an array field) equals one of `values`, type included. */
  equalsAny(field: string, info: FieldInfo, values: MetadataScalar[], params: Array<string | number>): string;
  /** Some value of the field, of the operand's type, compares with it by `sign`. */
  compares(
    field: string,
    info: FieldInfo,
    sign: ">" | ">=" | "<" | "<=",
    operand: number | string,
    params: Array<string | number>,
  ): string;
}

/**
 * Equality to one value, written against `value` and `type` (as in `json_each`). SQLite reads JSON
 * booleans as 1 and 0, so numbers and booleans are told apart by their JSON type: otherwise
 * `{ flag: true }` would match `flag: 1`.
 */
function equals(value: MetadataScalar, values: Array<string | number>): string {
  if (typeof value === "boolean") return `type = '${value}'`;
  values.push(value);
  return typeof value === "number" ? "(value = ? AND type IN ('integer', 'real'))" : "value = ?";
}

/** JSON path of a top-level metadata key; keys with dots are literal keys, quoted. */
export function fieldPath(field: string): string {
  return `$."${field}"`;
}

/** SQLite's JSON functions on the text column `column`. */
function sqliteDialect(column: string): FilterDialect {
  return {
    always: "1",
    never: "0",
    exists(field, present, params) {
      params.push(fieldPath(field));
      return `json_type(${column}, ?) IS ${present ? "NOT NULL" : "NULL"}`;
    },
    equalsAny(field, info, values, params) {
      const own: Array<string | number> = [];
      const predicate = values.map((v) => equals(v, own)).join(" OR ");
      return anyElement(field, info, column, params, predicate, own);
    },
    compares(field, info, sign, operand, params) {
      // SQLite orders every number before every string, and reads booleans as numbers: keep ranges
      // within the operand's JSON type.
      const types = typeof operand === "number" ? "('integer', 'real')" : "('text')";
      return anyElement(field, info, column, params, `value ${sign} ? AND type IN ${types}`, [operand]);
    },
  };
}

/**
 * Compiles `filter` to a SQLite condition on the JSON column `column`. Unknown fields, unknown
 * operators, operands of the wrong type and malformed combinations are `INVALID_FILTER` errors.
 */
export function compileFilter(
  filter: Filter,
  fields: ReadonlyMap<string, FieldInfo>,
  column: string,
): CompiledFilter {
  return compileFilterWith(filter, fields, sqliteDialect(column));
}

/** Checks `filter` against the collection's fields and writes it in `dialect`. */
export function compileFilterWith(
  filter: Filter,
  fields: ReadonlyMap<string, FieldInfo>,
  dialect: FilterDialect,
): CompiledFilter {
  const params: Array<string | number> = [];
  const sql = compileNode(filter, { fields, dialect, params }, 0, "filter");
  if (params.length > MAX_PARAMS) {
    throw invalid(`The filter has ${params.length} values; at most ${MAX_PARAMS} are allowed. Narrow it.`);
  }
  return { sql, params };
}

interface Context {
  fields: ReadonlyMap<string, FieldInfo>;
  dialect: FilterDialect;
  params: Array<string | number>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function compileNode(node: unknown, ctx: Context, depth: number, where: string): string {
  if (depth > MAX_DEPTH) throw invalid(`The filter nests deeper than ${MAX_DEPTH} levels.`);
  if (!isPlainObject(node)) {
    throw invalid(`${where} must be an object like { field: value }, got ${describe(node)}.`);
  }
  const parts: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    // An undefined condition (`{ tenant: user.tenant }` with no tenant) would otherwise match everything.
    if (value === undefined) {
      throw invalid(`${where}.${key} is undefined; leave it out to not filter on it.`);
    }
    if (key === "$and" || key === "$or") parts.push(compileList(key, value, ctx, depth, where));
    else if (key === "$not") parts.push(`NOT (${compileNode(value, ctx, depth + 1, `${where}.$not`)})`);
    else if (key.startsWith("$")) {
      throw invalid(`Unknown operator ${key} in ${where}. Combine filters with $and, $or or $not.`);
    } else parts.push(compileField(key, value, ctx));
  }
  if (parts.length === 0) {
    if (depth > 0)
      throw invalid(`${where} is empty; an empty filter inside $and, $or or $not matches everything.`);
    return ctx.dialect.always;
  }
  return parts.map((p) => `(${p})`).join(" AND ");
}

function compileList(
  key: "$and" | "$or",
  value: unknown,
  ctx: Context,
  depth: number,
  where: string,
): string {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid(`${key} in ${where} must be a non-empty array of filters.`);
  }
  const joined = value
    .map((f, i) => `(${compileNode(f, ctx, depth + 1, `${where}.${key}[${i}]`)})`)
    .join(key === "$and" ? " AND " : " OR ");
  return joined;
}

function compileField(field: string, condition: unknown, ctx: Context): string {
  const info = ctx.fields.get(field);
  if (!info) {
    const known = [...ctx.fields.keys()].sort();
    throw invalid(
      `No document in this collection has the metadata field "${field}". ${
        known.length ? `Known fields: ${known.slice(0, 30).join(", ")}.` : "No document has metadata yet."
      }`,
    );
  }
  if (!isPlainObject(condition)) return compileOperator(field, info, "$eq", condition, ctx);
  const ops = Object.entries(condition);
  if (ops.length === 0) throw invalid(`The condition on "${field}" has no operator.`);
  return ops.map(([op, operand]) => `(${compileOperator(field, info, op, operand, ctx)})`).join(" AND ");
}

function checkOperand(field: string, info: FieldInfo, op: string, operand: unknown): MetadataScalar {
  const kind = kindOf(operand);
  if (!kind) {
    throw invalid(
      `${op} on "${field}" needs a string, a finite number or a boolean, got ${describe(operand)}.`,
    );
  }
  if (info.kinds.size === 0) {
    throw invalid(
      `"${field}" has only ever held empty arrays, so ${op} ${describe(operand)} can never match; use $exists to test for the field.`,
    );
  }
  if (!info.kinds.has(kind)) {
    throw invalid(
      `"${field}" holds ${[...info.kinds].map((k) => `${k}s`).join(" and ")}, so ${op} ${describe(operand)} can never match. Compare it with a value of that type.`,
    );
  }
  if ((op === "$gt" || op === "$gte" || op === "$lt" || op === "$lte") && kind === "boolean") {
    throw invalid(`${op} on "${field}" cannot compare booleans; use $eq.`);
  }
  return operand as MetadataScalar;
}

function compileOperator(field: string, info: FieldInfo, op: string, operand: unknown, ctx: Context): string {
  if (!OPERATORS.has(op)) {
    throw invalid(`Unknown operator ${op} on "${field}". Use one of ${[...OPERATORS].join(", ")}.`);
  }
  const { dialect, params } = ctx;
  if (op === "$exists") {
    if (typeof operand !== "boolean") throw invalid(`$exists on "${field}" needs true or false.`);
    return dialect.exists(field, operand, params);
  }
  if (op === "$in" || op === "$nin") {
    if (!Array.isArray(operand)) throw invalid(`${op} on "${field}" needs an array of values.`);
    const values = operand.map((v) => checkOperand(field, info, op, v));
    if (values.length === 0) return op === "$in" ? dialect.never : dialect.always;
    const matches = dialect.equalsAny(field, info, values, params);
    return op === "$in" ? matches : `NOT ${matches}`;
  }
  const value = checkOperand(field, info, op, operand);
  if (op === "$eq") return dialect.equalsAny(field, info, [value], params);
  if (op === "$ne") return `NOT ${dialect.equalsAny(field, info, [value], params)}`;
  const sign = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[op as "$gt"] as ">";
  return dialect.compares(field, info, sign, value as string | number, params);
}

/**
 * True when some value of the field satisfies `predicate` (written against `value` and its JSON
 * `type`, the columns of `json_each`); for a scalar field that is the value itself. A document
 * without the field never satisfies it, so `$ne` and `$nin` (its negations) match documents that
 * lack the field, as in MongoDB.
 */
function anyElement(
  field: string,
  info: FieldInfo,
  column: string,
  params: Array<string | number>,
  predicate: string,
  values: Array<string | number>,
): string {
  const path = fieldPath(field);
  if (info.array) {
    params.push(path, ...values);
    return `EXISTS (SELECT 1 FROM json_each(${column}, ?) WHERE ${predicate})`;
  }
  // Scalar fields: read the value in place (cheaper than json_each); `value` and `type` may appear
  // several times in the predicate, and each `?` takes its parameter in order of appearance.
  const pieces = predicate.split(/(\bvalue\b|\btype\b|\?)/);
  let next = 0;
  const sql = pieces
    .map((piece) => {
      if (piece === "value" || piece === "type") {
        params.push(path);
        return `${piece === "value" ? "json_extract" : "json_type"}(${column}, ?)`;
      }
      if (piece === "?") {
        params.push(values[next++] as string | number);
        return "?";
      }
      return piece;
    })
    .join("");
  return `COALESCE(${sql}, 0)`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return String(value);
}
