import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Collection, CollectionOptions, Principal } from "../rag/collection-types.js";
import { hashingEmbedder } from "../rag/embedder.js";
import type { Filter } from "../rag/filter.js";
import { loadMarkdown } from "../rag/loaders/index.js";

/** What a backend's test file hands the suite for each test: empty storage to open collections in. */
export interface CollectionHarness {
  /** Opens (creating on first use) a collection in this test's storage; every call shares it. */
  open(options: CollectionOptions & { name: string }): Promise<Collection>;
  /** Removes the storage after the test. */
  cleanup?: () => Promise<void>;
}

export interface CollectionConformanceOptions {
  /**
   * Why this backend cannot search by vector (a server without pgvector). Vector and hybrid tests
   * are then declared skipped, with this reason in their name.
   */
  vectorsSkipped?: string;
}

/**
 * Declares the vitest suite every collection backend must pass: what a user of `Collection` would
 * notice (ranking, access lists, filters, deletion, re-ingestion, isolation), never how it is stored.
 *
 * @example
 * collectionConformance("sqlite", async () => {
 *   const db = openSqlite(":memory:");
 *   return { open: async (options) => openCollection({ db, ...options }) };
 * });
 */
export function collectionConformance(
  name: string,
  factory: () => Promise<CollectionHarness>,
  options: CollectionConformanceOptions = {},
): void {
  describe(`collection conformance: ${name}`, () => {
    let harness: CollectionHarness;
    const opened: Collection[] = [];
    beforeEach(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      for (const c of opened.splice(0)) c.close();
      await harness.cleanup?.();
    });
    const open = async (o: Partial<CollectionOptions> & { name?: string } = {}) => {
      const c = await harness.open({ name: "docs", embedder: hashingEmbedder(), ...o });
      opened.push(c);
      return c;
    };

    const skipped = options.vectorsSkipped;
    const modes: Array<"bm25" | "vector" | "hybrid"> = skipped ? ["bm25"] : ["bm25", "vector", "hybrid"];
    const vectorIt = skipped ? it.skip : it;
    const vectorTitle = (title: string) => (skipped ? `${title} (skipped: ${skipped})` : title);

    describe("ranking", () => {
      it("ranks the chunk that answers the query first, with its exact span and heading path", async () => {
        const docs = await open();
        await docs.ingest([
          { id: "handbook", document: loadMarkdown(HANDBOOK), metadata: { team: "ops" } },
          { id: "office", text: "The office is closed on public holidays; parking is free." },
        ]);
        const { hits } = await docs.query("how long do refunds take", { k: 3, mode: "bm25" });
        const hit = hits[0];
        expect(hit?.documentId).toBe("handbook");
        expect(hit?.headingPath).toEqual(["Billing", "Refunds"]);
        expect(HANDBOOK.slice(hit?.start, hit?.end)).toBe(hit?.text);
        expect(hit?.scores.bm25).toBeGreaterThan(0);
        expect(hit?.metadata).toEqual({ title: "Billing", team: "ops" });
      });

      it("weighs a rare term above a common one, and a short match above a long one (BM25)", async () => {
        const docs = await open();
        await docs.ingest([
          ...Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, text: `quarterly report number ${i}` })),
          { id: "rare", text: "the zeppelin hangar inspection" },
          { id: "long", text: `zeppelin ${"unrelated filler words about other matters ".repeat(20)}` },
        ]);
        const { hits } = await docs.query("zeppelin report", { k: 5, mode: "bm25" });
        expect(hits.slice(0, 2).map((h) => h.documentId)).toEqual(["rare", "long"]);
        expect(hits).toHaveLength(5);
        const scores = hits.map((h) => h.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
      });

      it("finds nothing for a query with no words, and nothing in an empty collection", async () => {
        const docs = await open();
        expect((await docs.query("refunds", { mode: "bm25" })).hits).toEqual([]);
        await docs.ingest([{ id: "a", text: "content" }]);
        expect((await docs.query("?!", { mode: "bm25" })).hits).toEqual([]);
      });

      vectorIt(
        vectorTitle("ranks by vector and by hybrid fusion, reporting each index's score"),
        async () => {
          const docs = await open();
          await docs.ingest([
            { id: "a", text: "The refund policy allows returns within thirty days." },
            { id: "b", text: "Our office is closed on public holidays." },
            { id: "c", text: "Passwords must be rotated every ninety days." },
          ]);
          const vector = await docs.query("refunded purchases", { k: 3, mode: "vector" });
          expect(vector.hits[0]?.documentId).toBe("a");
          expect(vector.hits[0]?.scores.vector).toBeGreaterThan(vector.hits[1]?.scores.vector ?? 1);
          const hybrid = await docs.query("refund policy", { k: 3 });
          expect(hybrid.mode).toBe("hybrid");
          expect(hybrid.hits[0]?.documentId).toBe("a");
          expect(hybrid.hits[0]?.scores).toEqual({ bm25: expect.any(Number), vector: expect.any(Number) });
        },
      );
    });

    describe("access lists", () => {
      it("never return a document to a principal outside its readers, in any mode", async () => {
        const docs = await open({ acl: true });
        await docs.ingest([
          { id: "salaries", text: "salary bands for engineering", access: { groups: ["hr"] } },
          {
            id: "handbook",
            text: "engineering handbook and salary policy",
            access: { groups: ["staff", "hr"] },
          },
          { id: "review", text: "engineering review of ana's salary", access: { principals: ["ana"] } },
        ]);
        for (const mode of modes) {
          const ask = (principal: Principal) => docs.query("salary engineering", { mode, k: 10, principal });
          expect((await ask({ id: "bo", groups: ["staff"] })).hits.map((h) => h.documentId)).toEqual([
            "handbook",
          ]);
          expect((await ask({ id: "ana", groups: ["staff"] })).hits.map((h) => h.documentId).sort()).toEqual([
            "handbook",
            "review",
          ]);
          expect((await ask("eve")).hits).toEqual([]);
        }
        await expect(docs.query("salary")).rejects.toMatchObject({ code: "PRINCIPAL_REQUIRED" });
      });

      it("are applied before the top k: a reader gets k hits even when others' documents rank higher", async () => {
        const docs = await open({ acl: true });
        await docs.ingest([
          ...Array.from({ length: 30 }, (_, i) => ({
            id: `staff${i}`,
            text: `staff only budget budget forecast ${i}`,
            access: { groups: ["staff"] },
          })),
          ...Array.from({ length: 4 }, (_, i) => ({
            id: `public${i}`,
            text: `budget note ${i} with many other words about unrelated things`,
            access: { groups: ["everyone"] },
          })),
        ]);
        for (const mode of modes) {
          const { hits } = await docs.query("budget forecast", {
            mode,
            k: 4,
            principal: { id: "visitor", groups: ["everyone"] },
          });
          expect(hits.map((h) => h.documentId).sort(), mode).toEqual([
            "public0",
            "public1",
            "public2",
            "public3",
          ]);
        }
      });

      it("never let a staff-only chunk reach a caller without the group, whatever the documents (property)", async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.record({
                words: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }),
                staff: fc.boolean(),
              }),
              { minLength: 1, maxLength: 12 },
            ),
            fc.uniqueArray(fc.constantFrom("staff", "support", "hr"), { maxLength: 3 }),
            fc.constantFrom(...modes),
            fc.integer({ min: 1, max: 15 }),
            async (raw, groups, mode, k) => {
              const docs = await open({ acl: true, name: `acl_prop_${run++}` });
              await docs.ingest(
                raw.map((r, i) => ({
                  id: `d${i}`,
                  text: r.words.join(" "),
                  access: r.staff ? { groups: ["staff"] } : { groups: ["staff", "support", "hr"] },
                })),
              );
              const { hits } = await docs.query("refund policy audit salary", {
                mode,
                k,
                principal: { id: "caller", groups },
              });
              const readable = (i: number) =>
                groups.length > 0 && (!raw[i]?.staff || groups.includes("staff"));
              for (const hit of hits) expect(readable(Number(hit.documentId.slice(1)))).toBe(true);
              if (mode === "vector") {
                expect(hits).toHaveLength(Math.min(k, raw.filter((_, i) => readable(i)).length));
              }
            },
          ),
          { numRuns: 25 },
        );
      });
    });

    describe("metadata filters", () => {
      async function catalog() {
        const docs = await open();
        await docs.ingest(
          Array.from({ length: 12 }, (_, i) => ({
            id: `d${i}`,
            text: `report number ${i} about quarterly revenue`,
            metadata: {
              year: 2015 + i,
              team: ["billing", "security", "support"][i % 3] as string,
              tags: i % 2 === 0 ? ["even", "public"] : ["odd"],
              ...(i < 4 ? { draft: true } : {}),
            },
          })),
        );
        return docs;
      }

      it("apply equality, ranges, $in, $and/$or/$not, array membership and $exists inside the search", async () => {
        const docs = await catalog();
        const ids = async (filter: Filter, mode: "bm25" | "vector" | "hybrid") =>
          (await docs.query("quarterly revenue report", { k: 100, mode, filter })).hits
            .map((h) => h.documentId)
            .sort();
        for (const mode of modes) {
          expect(await ids({ team: "billing" }, mode)).toEqual(["d0", "d3", "d6", "d9"]);
          expect(await ids({ year: { $gte: 2024, $lt: 2026 } }, mode)).toEqual(["d10", "d9"]);
          expect(await ids({ team: { $in: ["security", "support"] }, year: { $lte: 2017 } }, mode)).toEqual([
            "d1",
            "d2",
          ]);
          expect(await ids({ $or: [{ year: 2015 }, { year: 2026 }] }, mode)).toEqual(["d0", "d11"]);
          expect(await ids({ $not: { tags: "odd" }, year: { $gt: 2022 } }, mode)).toEqual(["d10", "d8"]);
          expect(await ids({ tags: { $in: ["public"] }, draft: { $exists: true } }, mode)).toEqual([
            "d0",
            "d2",
          ]);
          expect(await ids({ draft: { $ne: true }, year: { $lt: 2020 } }, mode)).toEqual(["d4"]);
          expect(await ids({ team: { $gt: "security" } }, mode)).toEqual(["d11", "d2", "d5", "d8"]);
          expect(await ids({ team: { $in: [] } }, mode)).toEqual([]);
        }
      });

      it("tell booleans from numbers and strings, and match $ne where the field is missing", async () => {
        const docs = await open();
        await docs.ingest([
          { id: "one", text: "apple pie recipe", metadata: { flag: 1, tags: [1, 2] } },
          { id: "true", text: "apple tart recipe", metadata: { flag: true, tags: [true] } },
          { id: "zero", text: "apple cake recipe", metadata: { flag: 0, tags: [0] } },
          { id: "false", text: "apple crumble recipe", metadata: { flag: false, tags: [false] } },
          { id: "text", text: "apple sauce recipe", metadata: { flag: "1", tags: [] } },
          { id: "none", text: "apple juice recipe" },
        ]);
        const cases: Array<[Filter, string[]]> = [
          [{ flag: true }, ["true"]],
          [{ flag: 1 }, ["one"]],
          [{ flag: "1" }, ["text"]],
          [{ flag: { $ne: true } }, ["false", "none", "one", "text", "zero"]],
          [{ flag: { $in: [true, 0] } }, ["true", "zero"]],
          [{ flag: { $nin: [false, 1] } }, ["none", "text", "true", "zero"]],
          [{ flag: { $gt: 0 } }, ["one"]],
          [{ flag: { $lte: 0 } }, ["zero"]],
          [{ tags: 1 }, ["one"]],
          [{ tags: { $gte: 1 } }, ["one"]],
          [{ $not: { tags: false } }, ["none", "one", "text", "true", "zero"]],
          [{ flag: { $exists: false } }, ["none"]],
        ];
        for (const [filter, expected] of cases) {
          for (const mode of modes) {
            const { hits } = await docs.query("apple recipe", { k: 10, mode, filter });
            expect(hits.map((h) => h.documentId).sort(), `${JSON.stringify(filter)} ${mode}`).toEqual(
              expected,
            );
          }
        }
      });

      it("are applied before the top k: k hits come back whenever k documents match", async () => {
        const docs = await open();
        await docs.ingest(
          Array.from({ length: 60 }, (_, i) => ({
            id: `n${i}`,
            // The documents that do not match hold the query's words more often, so they rank higher.
            text: i % 12 === 0 ? `a note on birds ${i}` : `birds birds green birds things ${i}`,
            metadata: { bucket: i % 12 },
          })),
        );
        for (const mode of modes) {
          const { hits } = await docs.query("green birds", { k: 5, mode, filter: { bucket: 0 } });
          expect(hits, mode).toHaveLength(5);
          expect(hits.every((h) => h.metadata.bucket === 0)).toBe(true);
        }
      });

      it("refuse unknown fields, operators and values of the wrong type, in queries and deletes", async () => {
        const docs = await catalog();
        for (const filter of [
          { yeer: 2020 },
          { year: { $gt: "2020" } },
          { year: { $like: 1 } },
          { $or: [] },
        ]) {
          await expect(docs.query("revenue", { filter: filter as Filter })).rejects.toMatchObject({
            code: "INVALID_FILTER",
          });
          await expect(docs.delete({ filter: filter as Filter })).rejects.toMatchObject({
            code: "INVALID_FILTER",
          });
        }
        expect((await docs.stats()).documents).toBe(12);
      });
    });

    describe("deletion and re-ingestion", () => {
      it("deleted documents never come back, by id or by filter, in any mode", async () => {
        const docs = await open();
        await docs.ingest([
          { id: "a", text: "zebra crossing rules", metadata: { year: 2020 } },
          { id: "b", text: "zebra migration", metadata: { year: 2024 } },
          { id: "c", text: "zebra stripes", metadata: { year: 2025 } },
        ]);
        expect(await docs.delete({ ids: ["a", "missing"] })).toEqual({ deleted: 1 });
        expect(await docs.delete({ filter: { year: { $gte: 2025 } } })).toEqual({ deleted: 1 });
        for (const mode of modes) {
          expect((await docs.query("zebra", { mode, k: 10 })).hits.map((h) => h.documentId)).toEqual(["b"]);
        }
        await expect(docs.delete({ filter: {} })).rejects.toMatchObject({ code: "INVALID_FILTER" });
        expect(await docs.get("a")).toBeUndefined();
        expect(await docs.stats()).toMatchObject({ documents: 1, chunks: 1 });
        // A deleted id can be ingested again as a new document.
        expect(await docs.ingest([{ id: "a", text: "zebra crossing rules" }])).toMatchObject({ added: 1 });
      });

      it("re-ingesting skips unchanged documents and replaces a changed one's chunks in every index", async () => {
        const docs = await open();
        await docs.ingest([
          { id: "a", text: "Alpha apples are crunchy.", metadata: { v: 1 } },
          { id: "b", text: "Bananas ripen quickly.", metadata: { v: 1 } },
        ]);
        const again = await docs.ingest([
          { id: "a", text: "Alpha apples are crunchy.", metadata: { v: 1 } },
          { id: "b", text: "Blueberries stain everything.", metadata: { v: 2 } },
        ]);
        expect(again).toEqual({ added: 0, updated: 1, unchanged: 1, chunks: 1 });
        for (const mode of modes) {
          const stale = await docs.query("bananas ripen", { mode, k: 5 });
          expect(
            stale.hits.every((h) => !h.text.includes("Bananas")),
            mode,
          ).toBe(true);
        }
        expect((await docs.query("blueberries", { mode: "bm25" })).hits[0]).toMatchObject({
          documentId: "b",
          metadata: { v: 2 },
        });
        expect(await docs.get("b")).toMatchObject({ text: "Blueberries stain everything.", chunks: 1 });
        expect(await docs.stats()).toMatchObject({ documents: 2, chunks: 2 });
      });

      it("a re-ingest that changes a document's readers applies at once", async () => {
        const docs = await open({ acl: true });
        await docs.ingest([{ id: "memo", text: "merger plans", access: { groups: ["staff"] } }]);
        const staff = { id: "bo", groups: ["staff"] };
        expect((await docs.query("merger", { mode: "bm25", principal: staff })).hits).toHaveLength(1);
        await docs.ingest([{ id: "memo", text: "merger plans", access: { groups: ["board"] } }]);
        expect((await docs.query("merger", { mode: "bm25", principal: staff })).hits).toEqual([]);
        expect(await docs.get("memo")).toMatchObject({ access: { groups: ["board"] } });
      });

      it("a failed batch changes nothing", async () => {
        const docs = await open();
        await docs.ingest([{ id: "keep", text: "original text about otters" }]);
        const before = await docs.stats();
        await expect(
          docs.ingest([
            { id: "keep", text: "replacement text about beavers" },
            { id: "empty", text: "   " },
          ]),
        ).rejects.toMatchObject({ code: "EMPTY_DOCUMENT" });
        expect(await docs.stats()).toEqual(before);
        expect((await docs.query("beavers", { mode: "bm25" })).hits).toEqual([]);
      });
    });

    describe("isolation and reopening", () => {
      it("keeps collections (tenant copies) apart, even for the same document ids", async () => {
        const acme = await open({ name: "acme_docs" });
        const globex = await open({ name: "globex_docs" });
        await acme.ingest([{ id: "plan", text: "acme rocket plan", metadata: { owner: "acme" } }]);
        await globex.ingest([{ id: "plan", text: "globex rocket plan" }]);
        for (const mode of modes) {
          expect((await acme.query("rocket plan", { mode })).hits.map((h) => h.text)).toEqual([
            "acme rocket plan",
          ]);
          expect((await globex.query("rocket plan", { mode })).hits.map((h) => h.text)).toEqual([
            "globex rocket plan",
          ]);
        }
        // Fields are per collection: globex never had "owner".
        await expect(globex.query("rocket", { filter: { owner: "acme" } })).rejects.toMatchObject({
          code: "INVALID_FILTER",
        });
        await globex.delete({ ids: ["plan"] });
        expect(await acme.get("plan")).toBeDefined();
        expect((await globex.stats()).documents).toBe(0);
      });

      it("keeps documents across opens and refuses another embedder or ACL setting", async () => {
        const first = await open({ name: "kb" });
        await first.ingest([{ id: "x", text: "persistent knowledge about lighthouses" }]);
        const second = await open({ name: "kb" });
        expect((await second.query("lighthouses", { mode: "bm25" })).hits[0]?.documentId).toBe("x");
        expect(await second.get("x")).toMatchObject({
          text: "persistent knowledge about lighthouses",
          chunks: 1,
        });
        await expect(
          open({ name: "kb", embedder: hashingEmbedder({ dimensions: 64 }) }),
        ).rejects.toMatchObject({
          code: "COLLECTION_MISMATCH",
        });
        await expect(open({ name: "kb", acl: true })).rejects.toMatchObject({ code: "COLLECTION_MISMATCH" });
        const lexicalOnly = await open({ name: "kb", embedder: undefined });
        expect((await lexicalOnly.query("lighthouses")).mode).toBe("bm25");
        await expect(lexicalOnly.query("lighthouses", { mode: "vector" })).rejects.toMatchObject({
          code: "NO_EMBEDDER",
        });
      });
    });

    describe("vector search", () => {
      vectorIt(
        vectorTitle("a filtered vector search returns k hits in order of similarity, the best one first"),
        async () => {
          const embedder = hashingEmbedder({ dimensions: 64 });
          const docs = await open({ embedder });
          const texts = Array.from({ length: 300 }, (_, i) => ({
            id: `n${i}`,
            text: `note ${i} mentions ${["cats", "dogs", "birds", "fish"][i % 4]} and ${["red", "green"][i % 2]} things ${i * 7919}`,
            metadata: { bucket: i % 20 },
          }));
          await docs.ingest(texts);
          const { hits } = await docs.query("birds and green things", {
            k: 10,
            mode: "vector",
            filter: { bucket: 7 },
          });
          expect(hits).toHaveLength(10);
          expect(hits.every((h) => h.metadata.bucket === 7)).toBe(true);
          const scores = hits.map((h) => h.score);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
          const [q] = await embedder.embed(["birds and green things"]);
          const exact = await Promise.all(
            texts
              .filter((t) => t.metadata.bucket === 7)
              .map(async (t) => ({
                id: t.id,
                sim: dot(q as Float32Array, (await embedder.embed([t.text]))[0]!),
              })),
          );
          exact.sort((a, b) => b.sim - a.sim);
          expect(hits[0]?.documentId).toBe(exact[0]?.id);
          expect(hits[0]?.score).toBeCloseTo(exact[0]?.sim ?? 0, 4);
          // Every matching row is found when k exceeds them.
          expect(
            (await docs.query("birds", { k: 50, mode: "vector", filter: { bucket: 3 } })).hits,
          ).toHaveLength(15);
        },
      );
    });
  });
}

const WORDS = ["invoice", "refund", "password", "policy", "audit", "report", "salary", "travel"];

const HANDBOOK = `# Billing

## Refunds

Customers get a refund within thirty days of purchase. Refunds go back to the original card.

## Invoices

Invoices are emailed on the first day of each month.

# Security

Passwords are rotated every ninety days.`;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}
