import type { z } from "zod";
import { InvalidUpdateError, type StateIssue, StateValidationError } from "./errors.js";
import type { Reducer, ReducerFn, StateSchema } from "./types.js";

type Values = Record<string, unknown>;
export type ReducerKind = "replace" | "append" | "merge" | "custom";

interface KeyModel {
  kind: ReducerKind;
  reduce: ReducerFn;
  /** Validates (and may transform, e.g. defaults) one written value; for "append" one item. */
  check: ((value: unknown) => { ok: true; value: unknown } | { ok: false; issues: StateIssue[] }) | undefined;
}

/** Compiled view of a state schema and its reducers: validation and the barrier's update rules. */
export class StateModel {
  readonly schema: StateSchema;
  readonly keys: ReadonlyMap<string, KeyModel>;
  readonly keyNames: readonly string[];

  /** Reducer/schema combinations that cannot work, reported by compile(). */
  readonly problems: string[] = [];

  constructor(schema: StateSchema, reducers: Record<string, Reducer> = {}) {
    this.schema = schema;
    const shape = schema.shape as Record<string, z.ZodType>;
    const keys = new Map<string, KeyModel>();
    for (const name of Object.keys(shape)) {
      const model = keyModel(shape[name]!, reducers[name] ?? "replace");
      if (typeof model === "string") this.problems.push(`reducers.${name}: ${model}`);
      else keys.set(name, model);
    }
    this.keys = keys;
    this.keyNames = [...keys.keys()];
  }

  /** Reducer keys that are not in the schema (reported by compile()). */
  unknownReducerKeys(reducers: Record<string, Reducer>): string[] {
    return Object.keys(reducers).filter((k) => !Object.hasOwn(this.schema.shape, k));
  }

  reducerKind(key: string): ReducerKind | undefined {
    return this.keys.get(key)?.kind;
  }

  isAppend(key: string): boolean {
    return this.keys.get(key)?.kind === "append";
  }

  isReplace(key: string): boolean {
    return this.keys.get(key)?.kind === "replace";
  }

  /** Parses the input of a new thread against the whole schema (defaults applied, unknown keys refused). */
  parseInput(input: unknown): Values {
    const value = input ?? {};
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new StateValidationError("The input", [
        { path: [], message: "expected an object of state keys" },
      ]);
    }
    const unknown = Object.keys(value).filter((k) => !this.keys.has(k));
    const result = this.schema.safeParse(value);
    const issues: StateIssue[] = unknown.map((k) => ({ path: [k], message: this.unknownKeyMessage(k) }));
    if (!result.success) issues.push(...toIssues(result.error));
    if (issues.length) throw new StateValidationError("The input", issues);
    return result.data as Values;
  }

  /**
   * Checks a node's (or an input's, or a patch's) update: an object whose keys are state keys and
   * whose values match their schema. Returns the values to reduce (schema output, e.g. with defaults).
   */
  checkUpdate(update: unknown, source: string, node?: string): Values | undefined {
    if (update === undefined || update === null) return undefined;
    if (
      typeof update !== "object" ||
      Array.isArray(update) ||
      Object.getPrototypeOf(update) !== Object.prototype
    ) {
      const got = Array.isArray(update)
        ? "an array"
        : typeof update === "object"
          ? `an instance of ${(update as object).constructor?.name ?? "a class"}`
          : typeof update;
      const message = `expected a plain object of state keys (or nothing), got ${got}`;
      if (node) throw new InvalidUpdateError(node, message);
      throw new StateValidationError(source, [{ path: [], message }]);
    }
    let out: Values | undefined;
    let issues: StateIssue[] | undefined;
    for (const key in update) {
      const model = this.keys.get(key);
      const raw = (update as Values)[key];
      if (!model) {
        (issues ??= []).push({ path: [key], message: this.unknownKeyMessage(key) });
        continue;
      }
      let value = raw;
      if (model.check) {
        if (model.kind === "append") {
          const items = Array.isArray(raw) ? raw : [raw];
          const parsed: unknown[] = [];
          for (let i = 0; i < items.length; i++) {
            const r = model.check(items[i]);
            if (r.ok) parsed.push(r.value);
            else
              for (const issue of r.issues) (issues ??= []).push({ ...issue, path: [key, i, ...issue.path] });
          }
          value = parsed;
        } else {
          const r = model.check(raw);
          if (r.ok) value = r.value;
          else for (const issue of r.issues) (issues ??= []).push({ ...issue, path: [key, ...issue.path] });
        }
      }
      (out ??= {})[key] = value;
    }
    if (issues) {
      if (node) throw new StateValidationError(`The update of node "${node}"`, issues);
      throw new StateValidationError(source, issues);
    }
    return out;
  }

  /** Checks whole values for some keys (a fork's patch replaces them), against each key's full schema. */
  checkValues(values: unknown, source: string): Values {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new StateValidationError(source, [{ path: [], message: "expected an object of state keys" }]);
    }
    const shape = this.schema.shape as Record<string, z.ZodType>;
    const out: Values = {};
    const issues: StateIssue[] = [];
    for (const [key, raw] of Object.entries(values)) {
      if (!shape[key]) {
        issues.push({ path: [key], message: this.unknownKeyMessage(key) });
        continue;
      }
      const r = shape[key].safeParse(raw);
      if (r.success) out[key] = r.data;
      else for (const i of toIssues(r.error)) issues.push({ ...i, path: [key, ...i.path] });
    }
    if (issues.length) throw new StateValidationError(source, issues);
    return out;
  }

  /**
   * Applies updates in order. `owned` arrays (created by this call chain during replay) may be
   * appended in place, which keeps replaying a long append-only history linear.
   */
  apply(state: Values, updates: readonly Values[], owned?: WeakSet<object>): Values {
    if (updates.length === 0) return state;
    const next: Values = { ...state };
    for (const update of updates) {
      for (const key in update) {
        const model = this.keys.get(key)!;
        const value = update[key];
        if (model.kind === "append" && owned) {
          const current = next[key];
          if (Array.isArray(current) && owned.has(current)) {
            if (Array.isArray(value)) for (const item of value) current.push(item);
            else current.push(value);
            continue;
          }
          const fresh = appendReducer(current, value);
          owned.add(fresh);
          next[key] = fresh;
          continue;
        }
        next[key] = model.reduce(next[key], value);
      }
    }
    return next;
  }

  private unknownKeyMessage(key: string): string {
    const near = closest(key, this.keyNames);
    return `"${key}" is not a key of the state schema${near ? ` (did you mean "${near}"?)` : ""}; known keys: ${this.keyNames.join(", ")}`;
  }
}

function appendReducer(current: unknown, update: unknown): unknown[] {
  const base = current === undefined || current === null ? [] : (current as unknown[]);
  if (!Array.isArray(base)) throw new TypeError("the append reducer needs an array state value");
  return base.concat(Array.isArray(update) ? update : [update]);
}

function mergeReducer(current: unknown, update: unknown): unknown {
  if (update === undefined) return current;
  return { ...((current as object | undefined) ?? {}), ...(update as object) };
}

/** The model of one key, or why its reducer cannot work with its schema. */
function keyModel(schema: z.ZodType, reducer: Reducer): KeyModel | string {
  const check = (s: z.ZodType) => (value: unknown) => {
    const r = s.safeParse(value);
    return r.success
      ? { ok: true as const, value: r.data }
      : { ok: false as const, issues: toIssues(r.error) };
  };
  if (typeof reducer === "function") return { kind: "custom", reduce: reducer, check: undefined };
  switch (reducer) {
    case "replace":
      return { kind: "replace", reduce: (_c, u) => u, check: check(schema) };
    case "append": {
      const inner = unwrap(schema);
      if (inner?._zod.def.type !== "array") return '"append" needs an array schema (z.array(...))';
      return { kind: "append", reduce: appendReducer, check: check((inner._zod.def as any).element) };
    }
    case "merge": {
      const inner = unwrap(schema);
      const type = inner?._zod.def.type;
      // An update is some entries: each is checked against its own field (or the record's key and
      // value types) only, so absent fields are not filled with defaults that would overwrite them.
      if (type === "object" || type === "record") {
        return { kind: "merge", reduce: mergeReducer, check: entriesCheck(inner!) };
      }
      return '"merge" needs an object or record schema (z.object(...) or z.record(...))';
    }
    default:
      return `unknown reducer "${String(reducer)}": use "replace", "append", "merge" or a function`;
  }
}

type Check = NonNullable<KeyModel["check"]>;

function entriesCheck(schema: z.ZodType): Check {
  const def = schema._zod.def as any;
  const shape: Record<string, z.ZodType> | undefined = def.type === "object" ? def.shape : undefined;
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, issues: [{ path: [], message: "a merge update must be an object of entries" }] };
    }
    const out: Record<string, unknown> = {};
    const issues: StateIssue[] = [];
    for (const [k, v] of Object.entries(value)) {
      const checks: z.ZodType[] = shape ? (shape[k] ? [shape[k]] : []) : [def.keyType, def.valueType];
      if (shape && !shape[k]) {
        issues.push({ path: [k], message: `"${k}" is not a field of this object` });
        continue;
      }
      const [keySchema, valueSchema] = shape ? [undefined, checks[0]!] : [checks[0]!, checks[1]!];
      if (keySchema) {
        const rk = keySchema.safeParse(k);
        if (!rk.success) for (const i of toIssues(rk.error)) issues.push({ ...i, path: [k, ...i.path] });
      }
      const rv = valueSchema.safeParse(v);
      if (rv.success) out[k] = rv.data;
      else for (const i of toIssues(rv.error)) issues.push({ ...i, path: [k, ...i.path] });
    }
    return issues.length ? { ok: false, issues } : { ok: true, value: out };
  };
}

/** The schema inside default/optional/nullable wrappers. */
function unwrap(schema: z.ZodType): z.ZodType | undefined {
  let s: any = schema;
  for (let i = 0; i < 8 && s?._zod; i++) {
    const def = s._zod.def;
    if (
      def.type === "default" ||
      def.type === "optional" ||
      def.type === "nullable" ||
      def.type === "prefault"
    ) {
      s = def.innerType;
      continue;
    }
    return s;
  }
  return undefined;
}

export function toIssues(error: z.ZodError): StateIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: i.message,
  }));
}

/** The candidate within edit distance 2 of `word`, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
