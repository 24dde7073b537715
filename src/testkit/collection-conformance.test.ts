import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openSqlite } from "../db/index.js";
import { openPostgres, type Queryable } from "../db/postgres.js";
import { openCollection } from "../rag/collection.js";
import { hashingEmbedder } from "../rag/embedder.js";
import { openPostgresCollection } from "../rag/postgres-collection.js";
import type { PostgresClient } from "../rag/postgres-tables.js";
import { collectionConformance } from "./collection-conformance.js";
import { TEST_POSTGRES, usePostgresSchemas } from "./postgres.js";

collectionConformance("sqlite", async () => {
  const db = openSqlite(":memory:");
  return {
    open: async (options) => openCollection({ db, ...options }),
    cleanup: async () => void db.close(),
  };
});

/** PGlite (in-process PostgreSQL 17) with the query/transaction shape of `openPostgres`. */
function pgliteClient(db: PGlite): PostgresClient {
  const wrap = (q: PGlite | Transaction): Queryable => ({
    async query(text: string, values?: unknown[]) {
      const result = await q.query(text, values);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 } as unknown as pg.QueryResult;
    },
  });
  return {
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
  } as PostgresClient;
}

// One PGlite per file (starting one takes a second); each test gets its own schema in it.
let pglite: Promise<PGlite> | undefined;
let schemas = 0;
afterAll(async () => {
  await (await pglite)?.close();
});
collectionConformance("postgres (PGlite with pgvector)", async () => {
  pglite ??= PGlite.create({ extensions: { vector } }).then(async (db) => {
    await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
    return db;
  });
  const db = await pglite;
  const schema = `conformance_${++schemas}`;
  await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}, public`);
  const client = pgliteClient(db);
  return { open: async (options) => openPostgresCollection({ db: client, ...options }) };
});

const postgresSchema = usePostgresSchemas();
const serverHasPgvector = await (async () => {
  const db = openPostgres(TEST_POSTGRES);
  try {
    const { rows } = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    return rows.length > 0;
  } finally {
    await db.close();
  }
})();

collectionConformance(
  "postgres (local server)",
  async () => {
    const db = openPostgres(await postgresSchema(), { max: 4 });
    return {
      open: async (options) => openPostgresCollection({ db, ...options }),
      cleanup: () => db.close(),
    };
  },
  serverHasPgvector ? {} : { vectorsSkipped: `no pgvector on ${TEST_POSTGRES}` },
);

describe("postgres without pgvector", () => {
  it("keeps keyword search working and fails vector queries saying how to install pgvector", async () => {
    const db = await PGlite.create();
    try {
      const docs = await openPostgresCollection({
        db: pgliteClient(db),
        name: "kb",
        embedder: hashingEmbedder(),
      });
      await docs.ingest([{ id: "a", text: "lighthouse keepers log the weather" }]);
      expect((await docs.query("lighthouse", { mode: "bm25" })).hits[0]?.documentId).toBe("a");
      for (const mode of ["vector", "hybrid"] as const) {
        await expect(docs.query("lighthouse", { mode })).rejects.toMatchObject({
          code: "VECTORS_UNAVAILABLE",
          message: expect.stringContaining("CREATE EXTENSION vector"),
        });
      }
    } finally {
      await db.close();
    }
  });

  it("converts the kept vectors once pgvector is installed, and vector search then works", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-pglite-"));
    try {
      const before = await PGlite.create({ dataDir: dir });
      const docs = await openPostgresCollection({
        db: pgliteClient(before),
        name: "kb",
        embedder: hashingEmbedder(),
      });
      await docs.ingest([
        { id: "a", text: "lighthouse keepers log the weather" },
        { id: "b", text: "bakers knead the dough at dawn" },
      ]);
      await before.close();
      const after = await PGlite.create({ dataDir: dir, extensions: { vector } });
      try {
        const again = await openPostgresCollection({
          db: pgliteClient(after),
          name: "kb",
          embedder: hashingEmbedder(),
        });
        const { hits } = await again.query("lighthouses", { mode: "vector", k: 2 });
        expect(hits.map((h) => h.documentId)).toEqual(["a", "b"]);
        await again.ingest([{ id: "c", text: "lighthouse lenses are polished" }]);
        expect((await again.query("lighthouse lenses", { mode: "hybrid", k: 1 })).hits[0]?.documentId).toBe(
          "c",
        );
      } finally {
        await after.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("postgres: what SQLite accepts but PostgreSQL cannot store", () => {
  it("refuses a document holding U+0000 with INVALID_DOCUMENT, writing nothing", async () => {
    const db = openPostgres(await postgresSchema());
    try {
      const docs = await openPostgresCollection({ db, name: "kb" });
      await expect(
        docs.ingest([
          { id: "fine", text: "fine text" },
          { id: "nul", text: "broken \u0000 text" },
        ]),
      ).rejects.toMatchObject({ code: "INVALID_DOCUMENT", message: expect.stringContaining("U+0000") });
      expect((await docs.stats()).documents).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("creates a collection once when two processes open it at the same moment", async () => {
    const url = await postgresSchema();
    const [a, b] = [openPostgres(url), openPostgres(url)];
    try {
      const opened = await Promise.allSettled([
        openPostgresCollection({ db: a, name: "kb", acl: true }),
        openPostgresCollection({ db: b, name: "kb", acl: false }),
      ]);
      // One made it; the other found it made with the other setting.
      expect(opened.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect(opened.find((o) => o.status === "rejected")).toMatchObject({
        reason: expect.objectContaining({ code: "COLLECTION_MISMATCH" }),
      });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
