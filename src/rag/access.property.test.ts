/**
 * Property: whatever the documents, filter, principal and mode, a query never returns a chunk that
 * the filter or the access lists exclude, and a vector search returns min(k, readable matching
 * chunks) results. The filter semantics are restated here independently of the SQL they compile to.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../db/index.js";
import { openCollection } from "./collection.js";
import type { Access, Principal } from "./collection-types.js";
import { hashingEmbedder } from "./embedder.js";
import type { Filter } from "./filter.js";
import type { Metadata, MetadataScalar } from "./types.js";

const TEAMS = ["billing", "security", "support"];
const TAGS = ["a", "b", "c", "d"];
const USERS = ["ana", "bo", "cy"];
const GROUPS = ["hr", "eng", "ops"];
const WORDS = ["invoice", "refund", "password", "policy", "audit", "report", "salary", "travel"];

interface Doc {
  id: string;
  text: string;
  metadata: Metadata;
  access: Access;
}

const docArb = fc.record(
  {
    words: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }),
    year: fc.integer({ min: 2018, max: 2026 }),
    team: fc.constantFrom(...TEAMS),
    tags: fc.option(fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }), { nil: undefined }),
    draft: fc.option(fc.boolean(), { nil: undefined }),
    principals: fc.uniqueArray(fc.constantFrom(...USERS), { maxLength: 2 }),
    groups: fc.uniqueArray(fc.constantFrom(...GROUPS), { maxLength: 2 }),
  },
  { requiredKeys: ["words", "year", "team", "principals", "groups"] },
);

type RawDoc = typeof docArb extends fc.Arbitrary<infer T> ? T : never;

function toDoc(raw: RawDoc, i: number): Doc {
  const metadata: Metadata = { year: raw.year, team: raw.team };
  if (raw.tags) metadata.tags = raw.tags;
  if (raw.draft !== undefined) metadata.draft = raw.draft;
  const access = raw.principals.length + raw.groups.length > 0 ? raw.principals : ["ana"];
  return {
    id: `doc${i}`,
    text: raw.words.join(" "),
    metadata,
    access: { principals: access, groups: raw.groups },
  };
}

/** One document with every field, so every field a filter names is known to the collection. */
const SEED: Doc = {
  id: "seed",
  text: "policy report",
  metadata: { year: 2020, team: "billing", tags: ["a"], draft: false },
  access: { groups: ["hr"] },
};

const leafArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constantFrom(...TEAMS).map((team) => ({ team })),
  fc.record({ team: fc.record({ $in: fc.uniqueArray(fc.constantFrom(...TEAMS), { maxLength: 3 }) }) }),
  fc.record({ team: fc.record({ $ne: fc.constantFrom(...TEAMS) }) }),
  fc.record({ year: fc.record({ $gt: fc.integer({ min: 2017, max: 2027 }) }) }),
  fc.record({
    year: fc.record({
      $gte: fc.integer({ min: 2017, max: 2027 }),
      $lt: fc.integer({ min: 2017, max: 2027 }),
    }),
  }),
  fc.record({ year: fc.record({ $lte: fc.integer({ min: 2017, max: 2027 }) }) }),
  fc.record({ year: fc.record({ $nin: fc.array(fc.integer({ min: 2018, max: 2026 }), { maxLength: 3 }) }) }),
  fc.constantFrom(...TAGS).map((tag) => ({ tags: tag })),
  fc.record({ tags: fc.record({ $nin: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 2 }) }) }),
  fc.record({ draft: fc.boolean() }),
  fc.record({ draft: fc.record({ $ne: fc.boolean() }) }),
  fc.record({ tags: fc.record({ $ne: fc.constantFrom(...TAGS) }) }),
  fc.record({ draft: fc.record({ $exists: fc.boolean() }) }),
);

const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafArb,
    fc.record({ $and: fc.array(tie("filter"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $or: fc.array(tie("filter"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $not: tie("filter") }),
  ),
})).filter;

const principalArb: fc.Arbitrary<Principal> = fc.oneof(
  fc.constantFrom(...USERS, "stranger"),
  fc.record({
    id: fc.constantFrom(...USERS, "stranger"),
    groups: fc.uniqueArray(fc.constantFrom(...GROUPS), { maxLength: 3 }),
  }),
);

function values(metadata: Metadata, field: string): MetadataScalar[] | undefined {
  const v = metadata[field];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function holds(metadata: Metadata, field: string, op: string, operand: unknown): boolean {
  const vs = values(metadata, field);
  const any = (test: (v: MetadataScalar) => boolean) => (vs ?? []).some(test);
  const sameType = (v: MetadataScalar) => typeof v === typeof operand;
  switch (op) {
    case "$eq":
      return any((v) => v === operand);
    case "$ne":
      return !any((v) => v === operand);
    case "$in":
      return any((v) => (operand as MetadataScalar[]).includes(v));
    case "$nin":
      return !any((v) => (operand as MetadataScalar[]).includes(v));
    case "$gt":
      return any((v) => sameType(v) && (v as number) > (operand as number));
    case "$gte":
      return any((v) => sameType(v) && (v as number) >= (operand as number));
    case "$lt":
      return any((v) => sameType(v) && (v as number) < (operand as number));
    case "$lte":
      return any((v) => sameType(v) && (v as number) <= (operand as number));
    case "$exists":
      return (vs !== undefined) === operand;
    default:
      throw new Error(`reference evaluator: ${op}`);
  }
}

function matches(metadata: Metadata, filter: Filter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === "$and") return (condition as Filter[]).every((f) => matches(metadata, f));
    if (key === "$or") return (condition as Filter[]).some((f) => matches(metadata, f));
    if (key === "$not") return !matches(metadata, condition as Filter);
    if (typeof condition === "object" && condition !== null && !Array.isArray(condition)) {
      return Object.entries(condition).every(([op, operand]) => holds(metadata, key, op, operand));
    }
    return holds(metadata, key, "$eq", condition);
  });
}

function readable(access: Access, principal: Principal): boolean {
  const id = typeof principal === "string" ? principal : principal.id;
  const groups = typeof principal === "string" ? [] : (principal.groups ?? []);
  return (access.principals ?? []).includes(id) || (access.groups ?? []).some((g) => groups.includes(g));
}

describe("filters and access lists, by property", () => {
  it("never return a chunk the filter or the ACL excludes, and vector search fills k when it can", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(docArb, { minLength: 1, maxLength: 25 }),
        filterArb,
        principalArb,
        fc.constantFrom("bm25" as const, "vector" as const, "hybrid" as const),
        fc.integer({ min: 1, max: 30 }),
        async (raws, filter, principal, mode, k) => {
          const docs = [SEED, ...raws.map(toDoc)];
          const collection = openCollection({
            db: openSqlite(":memory:"),
            name: "prop",
            acl: true,
            embedder: hashingEmbedder({ dimensions: 32 }),
          });
          await collection.ingest(docs);
          const { hits } = await collection.query("policy refund report audit", {
            k,
            mode,
            filter,
            principal,
          });
          const byId = new Map(docs.map((d) => [d.id, d]));
          for (const hit of hits) {
            const doc = byId.get(hit.documentId) as Doc;
            expect(readable(doc.access, principal)).toBe(true);
            expect(matches(doc.metadata, filter)).toBe(true);
          }
          if (mode === "vector") {
            const allowed = docs.filter((d) => readable(d.access, principal) && matches(d.metadata, filter));
            expect(hits).toHaveLength(Math.min(k, allowed.length));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
