import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../db/index.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { resolveChunking } from "./chunk.js";
import { openCollection } from "./collection.js";
import type { SearchMode } from "./collection-types.js";
import { type Embedder, hashingEmbedder } from "./embedder.js";
import type { Filter } from "./filter.js";
import { deleteDocumentRows, prepare, write } from "./ingest.js";
import { tableNames } from "./sqlite-tables.js";

const tempDir = useTempDirs("keel-rag-review-");
const MODES: SearchMode[] = ["bm25", "vector", "hybrid"];

function memory(options: Partial<Parameters<typeof openCollection>[0]> = {}) {
  return openCollection({
    db: openSqlite(":memory:"),
    name: "docs",
    embedder: hashingEmbedder(),
    ...options,
  });
}

/** An embedder whose next call can be held until `release()`. */
function gatedEmbedder(): Embedder & { hold(): void; release(): void } {
  const base = hashingEmbedder();
  let gate: Promise<void> | undefined;
  let open = () => {};
  return {
    id: base.id,
    dimensions: base.dimensions,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
    async embed(texts, options) {
      if (gate) await gate;
      return base.embed(texts, options);
    },
  };
}

describe("filters tell booleans from numbers", () => {
  it("matches true only where the field is true, and ranges only numbers, in every mode", async () => {
    const docs = memory();
    await docs.ingest([
      { id: "one", text: "apple pie recipe", metadata: { flag: 1, tags: [1, 2] } },
      { id: "true", text: "apple tart recipe", metadata: { flag: true, tags: [true] } },
      { id: "zero", text: "apple cake recipe", metadata: { flag: 0, tags: [0] } },
      { id: "false", text: "apple crumble recipe", metadata: { flag: false, tags: [false] } },
    ]);
    const cases: Array<[Filter, string[]]> = [
      [{ flag: true }, ["true"]],
      [{ flag: 1 }, ["one"]],
      [{ flag: false }, ["false"]],
      [{ flag: { $ne: true } }, ["false", "one", "zero"]],
      [{ flag: { $in: [true, 0] } }, ["true", "zero"]],
      [{ flag: { $nin: [false, 1] } }, ["true", "zero"]],
      [{ flag: { $gt: 0 } }, ["one"]],
      [{ flag: { $lte: 0 } }, ["zero"]],
      [{ tags: true }, ["true"]],
      [{ tags: 1 }, ["one"]],
      [{ tags: { $gte: 1 } }, ["one"]],
      [{ $not: { tags: false } }, ["one", "true", "zero"]],
    ];
    for (const [filter, expected] of cases) {
      for (const mode of MODES) {
        const { hits } = await docs.query("apple recipe", { k: 10, mode, filter });
        expect(hits.map((h) => h.documentId).sort(), `${JSON.stringify(filter)} ${mode}`).toEqual(expected);
      }
    }
  });
});

describe("filters that would match everything by accident", () => {
  it("refuses undefined conditions and empty filters inside $and, $or and $not", async () => {
    const docs = memory();
    await docs.ingest([
      { id: "a", text: "apple", metadata: { tenant: "acme" } },
      { id: "b", text: "apple", metadata: { tenant: "globex" } },
    ]);
    const user: { tenant?: string } = {};
    const filters: Filter[] = [
      { tenant: user.tenant },
      { tenant: { $eq: user.tenant } },
      { $and: [{}] },
      { $or: [{ tenant: "acme" }, {}] },
      { $not: {} },
    ];
    for (const filter of filters) {
      await expect(docs.query("apple", { filter }), JSON.stringify(filter)).rejects.toMatchObject({
        code: "INVALID_FILTER",
      });
      await expect(docs.delete({ filter }), JSON.stringify(filter)).rejects.toMatchObject({
        code: "INVALID_FILTER",
      });
    }
    expect((await docs.stats()).documents).toBe(2);
  });
});

describe("writes through one collection", () => {
  it("apply in call order: a slower earlier ingest neither overwrites a later one nor undoes a delete", async () => {
    const embedder = gatedEmbedder();
    const docs = memory({ embedder });
    await docs.ingest([{ id: "a", text: "apple version one" }]);
    embedder.hold();
    const older = docs.ingest([{ id: "a", text: "apple version two" }]);
    const newer = docs.ingest([{ id: "a", text: "apple version one" }]);
    embedder.release();
    expect(await older).toMatchObject({ updated: 1 });
    expect(await newer).toMatchObject({ updated: 1 });
    expect((await docs.get("a"))?.text).toBe("apple version one");

    embedder.hold();
    const added = docs.ingest([{ id: "b", text: "banana" }]);
    const removed = docs.delete({ ids: ["b"] });
    embedder.release();
    await added;
    expect(await removed).toEqual({ deleted: 1 });
    expect(await docs.get("b")).toBeUndefined();
  });

  it("keep going after a failed ingest", async () => {
    const docs = memory();
    await expect(docs.ingest([{ id: "a", text: "  " }])).rejects.toMatchObject({ code: "EMPTY_DOCUMENT" });
    expect(await docs.ingest([{ id: "a", text: "apple" }])).toMatchObject({ added: 1 });
  });
});

describe("vector hits and concurrent writers", () => {
  it("never returns a chunk another connection wrote after the KNN chose its rowid", async () => {
    const file = path.join(tempDir(), "keel.db");
    const base = hashingEmbedder();
    const writer = openCollection({ db: file, name: "docs", embedder: base, acl: true });
    await writer.ingest([
      { id: "old", text: "quarterly travel report", access: { principals: ["bo"] } },
      { id: "x", text: "travel report draft", access: { principals: ["bo"] } },
    ]);
    // Another connection (as another process would) replaces "x" with a document bo may not read,
    // whose chunk takes the freed rowid; it commits right after the query's KNN has run.
    const db = openSqlite(file);
    openCollection({ db, name: "docs", embedder: base, acl: true });
    const t = tableNames("docs");
    const secret = await prepare(
      { db, tables: t, embedder: base, chunking: resolveChunking() },
      [{ id: "secret", text: "salary list", access: { principals: ["ana"] } }],
      {},
    );
    const replaceX = () => {
      const rowid = db.prepare(`SELECT rowid FROM ${t.docs} WHERE id = 'x'`).pluck().get() as number;
      deleteDocumentRows(db, t, rowid, true);
      db.prepare(`DELETE FROM ${t.docs} WHERE rowid = ?`).run(rowid);
      write(db, t, secret, { hasVectors: true, now: 0, options: {} });
    };
    let replace = false;
    const embedder: Embedder = {
      id: base.id,
      dimensions: base.dimensions,
      embed(texts, options) {
        const out = base.embed(texts, options);
        if (replace) {
          replace = false;
          void out.then(() => Promise.resolve().then(replaceX));
        }
        return out;
      },
    };
    const reader = openCollection({ db: file, name: "docs", embedder, acl: true });
    for (const mode of ["vector", "hybrid"] as const) {
      replace = true;
      const { hits } = await reader.query("travel report", { k: 2, mode, principal: "bo" });
      expect(replace).toBe(false);
      expect(await writer.get("secret")).toBeDefined();
      expect(hits.map((h) => h.text)).not.toContain("salary list");
      await writer.delete({ ids: ["secret"] });
      await writer.ingest([{ id: "x", text: "travel report draft", access: { principals: ["bo"] } }]);
    }
  });
});
