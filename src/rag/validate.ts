/**
 * Checks on what users hand to a collection, each failing with a message that says what to fix.
 * Nothing here touches the store: a batch is checked whole before anything is written.
 */
import { KeelError } from "../errors/index.js";
import type { Access, DocumentInput, Principal, QueryOptions, SearchMode } from "./collection-types.js";
import type { FieldInfo, Filter, ScalarKind } from "./filter.js";
import type { Metadata, MetadataScalar } from "./types.js";

const MAX_ID = 512;
const MAX_KEY = 128;
const MAX_PRINCIPALS = 1000;

function invalidDocument(message: string): KeelError {
  return new KeelError("INVALID_DOCUMENT", message);
}

export function checkDocumentInputs(inputs: unknown, acl: boolean): DocumentInput[] {
  if (!Array.isArray(inputs)) {
    throw invalidDocument("ingest takes an array of documents: [{ id, text, metadata?, access? }].");
  }
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    const where = `Document ${i}`;
    if (typeof input !== "object" || input === null) throw invalidDocument(`${where} is not an object.`);
    const doc = input as DocumentInput;
    if (typeof doc.id !== "string" || doc.id.length === 0 || doc.id.length > MAX_ID) {
      throw invalidDocument(`${where} needs an id: a non-empty string of at most ${MAX_ID} characters.`);
    }
    if (seen.has(doc.id)) throw invalidDocument(`Document id "${doc.id}" appears twice in one ingest.`);
    seen.add(doc.id);
    if ((doc.text === undefined) === (doc.document === undefined)) {
      throw invalidDocument(
        `Document "${doc.id}" needs exactly one of text (a string) or document (from a loader).`,
      );
    }
    if (doc.text !== undefined && typeof doc.text !== "string") {
      throw invalidDocument(`Document "${doc.id}": text must be a string.`);
    }
    if (doc.metadata !== undefined) checkMetadata(doc.metadata, `Document "${doc.id}"`);
    checkAccess(doc, acl);
  });
  return inputs as DocumentInput[];
}

function isScalar(value: unknown): value is MetadataScalar {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

export function checkMetadata(metadata: unknown, where: string): Metadata {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw invalidDocument(`${where}: metadata must be an object of field: value.`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (key.length === 0 || key.length > MAX_KEY || key.startsWith("$") || /["\\\p{Cc}]/u.test(key)) {
      throw invalidDocument(
        `${where}: metadata field ${JSON.stringify(key.slice(0, 40))} is not a valid name (1 to ${MAX_KEY} characters, not starting with $, no quotes, backslashes or control characters).`,
      );
    }
    const ok = isScalar(value) || (Array.isArray(value) && value.every(isScalar));
    if (!ok) {
      throw invalidDocument(
        `${where}: metadata field "${key}" must be a string, a finite number, a boolean or an array of those.`,
      );
    }
  }
  return metadata as Metadata;
}

function checkNames(values: unknown, what: string, where: string): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || values.length > MAX_PRINCIPALS) {
    throw invalidDocument(`${where}: ${what} must be an array of at most ${MAX_PRINCIPALS} strings.`);
  }
  for (const v of values) {
    if (typeof v !== "string" || v.length === 0 || v.length > MAX_ID) {
      throw invalidDocument(`${where}: every entry of ${what} must be a non-empty string.`);
    }
  }
  return values as string[];
}

function checkAccess(doc: DocumentInput, acl: boolean): void {
  const where = `Document "${doc.id}"`;
  if (!acl) {
    if (doc.access !== undefined) {
      throw invalidDocument(
        `${where} has access lists, but this collection was made without acl: true, so they would not be enforced. Open the collection with acl: true (a new collection), or drop access.`,
      );
    }
    return;
  }
  if (typeof doc.access !== "object" || doc.access === null) {
    throw invalidDocument(
      `${where} needs access: { principals?, groups? }; this collection enforces access control on every document.`,
    );
  }
  const entries =
    checkNames(doc.access.principals, "access.principals", where).length +
    checkNames(doc.access.groups, "access.groups", where).length;
  if (entries === 0) {
    throw invalidDocument(`${where}: access names nobody; give at least one principal or group.`);
  }
}

/** The ACL keys a principal matches: its user id and each of its groups. */
export function principalKeys(principal: unknown): string[] {
  const bad = () =>
    new KeelError(
      "INVALID_QUERY",
      'principal must be a user id or { id, groups? } with non-empty strings, e.g. { id: "alice", groups: ["support"] }.',
    );
  if (typeof principal === "string") {
    if (principal.length === 0) throw bad();
    return [`u:${principal}`];
  }
  if (typeof principal !== "object" || principal === null) throw bad();
  const { id, groups = [] } = principal as Exclude<Principal, string>;
  if (typeof id !== "string" || id.length === 0 || !Array.isArray(groups) || groups.length > MAX_PRINCIPALS) {
    throw bad();
  }
  for (const g of groups) if (typeof g !== "string" || g.length === 0) throw bad();
  return [`u:${id}`, ...new Set(groups.map((g) => `g:${g}`))];
}

export function accessKeys(access: Access | undefined): string[] {
  if (!access) return [];
  return [
    ...new Set([
      ...(access.principals ?? []).map((p) => `u:${p}`),
      ...(access.groups ?? []).map((g) => `g:${g}`),
    ]),
  ];
}

/** Merges what a document's metadata says about each field into what the collection knows. */
export function mergeFieldInfo(fields: Map<string, FieldInfo>, metadata: Metadata): string[] {
  const changed: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const values = Array.isArray(value) ? value : [value];
    let info = fields.get(key);
    const before = info ? `${[...info.kinds].sort()}|${info.array}` : "";
    if (!info) {
      info = { kinds: new Set<ScalarKind>(), array: false };
      fields.set(key, info);
    }
    if (Array.isArray(value)) info.array = true;
    for (const v of values) info.kinds.add(typeof v as ScalarKind);
    if (`${[...info.kinds].sort()}|${info.array}` !== before) changed.push(key);
  }
  return changed;
}

const QUERY_KEYS = new Set(["k", "mode", "filter", "principal", "rerank", "rerankDepth", "signal"]);

export function checkLimits(
  maxK: number,
  maxQueryChars: number,
  rrfK: number,
  candidates: number,
  weights: { bm25: number; vector: number },
) {
  const whole = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!whole(maxK, 1, 4096))
    throw new KeelError("INVALID_OPTION", `maxK must be a whole number from 1 to 4096, got ${maxK}.`);
  if (!whole(maxQueryChars, 1, 1_000_000))
    throw new KeelError(
      "INVALID_OPTION",
      `maxQueryChars must be a whole number from 1 to 1000000, got ${maxQueryChars}.`,
    );
  if (!(rrfK >= 0) || !whole(candidates, 1, 4096)) {
    throw new KeelError(
      "INVALID_OPTION",
      "hybrid.rrfK must be 0 or more and hybrid.candidates a whole number from 1 to 4096.",
    );
  }
  if (!(weights.bm25 >= 0) || !(weights.vector >= 0) || weights.bm25 + weights.vector === 0) {
    throw new KeelError("INVALID_OPTION", "hybrid.weights must be non-negative numbers, not both zero.");
  }
}

export interface CheckedQuery extends QueryOptions {
  k: number;
  mode: SearchMode;
}

export function checkQuery(
  text: unknown,
  options: QueryOptions,
  limits: { maxK: number; maxQueryChars: number; defaultMode: SearchMode },
): CheckedQuery {
  const bad = (message: string) => new KeelError("INVALID_QUERY", message);
  if (typeof text !== "string" || text.trim() === "") throw bad("The query text must be a non-empty string.");
  if (text.length > limits.maxQueryChars) {
    throw new KeelError(
      "QUERY_TOO_LONG",
      `The query is ${text.length} characters; this collection accepts at most ${limits.maxQueryChars} (maxQueryChars). Shorten it or search for its key passage.`,
    );
  }
  if (typeof options !== "object" || options === null) throw bad("Query options must be an object.");
  for (const key of Object.keys(options)) {
    if (!QUERY_KEYS.has(key))
      throw bad(`Unknown query option "${key}". Known: ${[...QUERY_KEYS].join(", ")}.`);
  }
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > limits.maxK) {
    throw bad(`k must be a whole number from 1 to ${limits.maxK} (maxK), got ${k}.`);
  }
  const mode = options.mode ?? limits.defaultMode;
  if (mode !== "bm25" && mode !== "vector" && mode !== "hybrid") {
    throw bad(`mode must be "bm25", "vector" or "hybrid", got ${JSON.stringify(mode)}.`);
  }
  if (options.rerank !== undefined && typeof options.rerank !== "function")
    throw bad("rerank must be a function.");
  const depth = options.rerankDepth;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1 || depth > limits.maxK)) {
    throw bad(`rerankDepth must be a whole number from 1 to ${limits.maxK}.`);
  }
  return { ...options, k, mode };
}

/** Checks a delete selector: exactly one of ids (strings) or a filter naming at least one field. */
export function checkDeleteTarget(selector: unknown): { ids: string[] } | { filter: Filter } {
  if (typeof selector !== "object" || selector === null) {
    throw new KeelError("INVALID_DOCUMENT", "delete takes { ids: [...] } or { filter: {...} }.");
  }
  const { ids, filter } = selector as { ids?: unknown; filter?: Filter };
  if ((ids === undefined) === (filter === undefined)) {
    throw new KeelError(
      "INVALID_DOCUMENT",
      "delete takes exactly one of { ids: [...] } or { filter: {...} }.",
    );
  }
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
      throw new KeelError("INVALID_DOCUMENT", "delete({ ids }) takes an array of document ids (strings).");
    }
    return { ids: ids as string[] };
  }
  if (typeof filter !== "object" || filter === null || Object.keys(filter).length === 0) {
    throw new KeelError(
      "INVALID_FILTER",
      "delete({ filter }) needs a filter that names at least one field; an empty filter would delete every document.",
    );
  }
  return { filter };
}
