/**
 * Metadata filters in PostgreSQL: the same checks as SQLite's (`filter.ts`), written against a
 * `jsonb` column. jsonb keeps each value's JSON type, so `{ flag: true }` never matches `flag: 1`
 * and `1` never matches `"1"`, with no type tests needed for equality.
 */
import {
  type CompiledFilter,
  compileFilterWith,
  type FieldInfo,
  type Filter,
  type FilterDialect,
} from "./filter.js";

/**
 * Compiles `filter` on the jsonb column `column`, with placeholders `$1`, `$2`... in `params` order:
 * a query puts the filter's parameters first and numbers its own after them.
 */
export function compilePostgresFilter(
  filter: Filter,
  fields: ReadonlyMap<string, FieldInfo>,
  column: string,
): CompiledFilter {
  return compileFilterWith(filter, fields, postgresDialect(column));
}

function postgresDialect(column: string): FilterDialect {
  const param = (params: Array<string | number>, value: string | number) => {
    params.push(value);
    return `$${params.length}`;
  };
  return {
    always: "true",
    never: "false",
    exists(field, present, params) {
      return `(${column} -> ${param(params, field)}::text) IS ${present ? "NOT NULL" : "NULL"}`;
    },
    equalsAny(field, _info, values, params) {
      // `x @> v` holds when the scalar x is v, or when the array x holds v: one test covers scalar
      // and array fields, and a missing field (NULL) never matches.
      const value = `(${column} -> ${param(params, field)}::text)`;
      const tests = values.map((v) => `${value} @> ${param(params, JSON.stringify(v))}::jsonb`);
      return `COALESCE(${tests.join(" OR ")}, false)`;
    },
    compares(field, info, sign, operand, params) {
      const value = `(${column} -> ${param(params, field)}::text)`;
      const p = param(params, operand);
      // A CASE, not AND: PostgreSQL may evaluate either side of an AND first, and casting a string
      // to numeric would fail. Strings compare by code point (collation "C"), as SQLite does.
      const test = (v: string) =>
        typeof operand === "number"
          ? `CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::numeric ${sign} ${p}::numeric ELSE false END`
          : `CASE WHEN jsonb_typeof(${v}) = 'string' THEN (${v} #>> '{}') COLLATE "C" ${sign} ${p}::text ELSE false END`;
      if (!info.array) return `COALESCE(${test(value)}, false)`;
      return `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(${value}) WHEN 'array' THEN ${value} ELSE jsonb_build_array(${value}) END) AS e(value) WHERE ${test("e.value")})`;
    },
  };
}
