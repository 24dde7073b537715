/**
 * The tables of one collection in PostgreSQL. As in SQLite, each collection has its own tables,
 * named after it, because a `vector(N)` column (and its HNSW index) is fixed to one length:
 *
 * - `docs`: one row per document (id, content hash, metadata as jsonb, access, text);
 * - `chunks`: spans, heading path, token count, BM25 length, a generated `tsvector` (english
 *   config, GIN index) and the embedding: `vector(N)` with an HNSW cosine index where pgvector is
 *   installed, else `real[]` (kept, so installing pgvector later converts it in place);
 * - `acl`: who may read each document; `fields`: the metadata fields seen, for filter validation.
 *
 * Chunks and ACL rows go with their document (`ON DELETE CASCADE`).
 */
import type { PostgresDatabase, Queryable } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import { type CollectionConfig, checkCompatible } from "./collection-store.js";
import type { FieldInfo, ScalarKind } from "./filter.js";
import { checkCollectionName, type TableNames, tableNames } from "./sqlite-tables.js";

/** What the PostgreSQL collection needs of a database: a pool from `openPostgres`, or PGlite adapted. */
export type PostgresClient = Pick<PostgresDatabase, "query" | "transaction">;

/** The text search configuration: Snowball English stemming and stopwords. */
export const TS_CONFIG = "english";

/** pgvector's HNSW index takes vectors of at most this many dimensions; longer ones are scanned exactly. */
export const HNSW_MAX_DIMENSIONS = 2000;

export type PostgresTables = Omit<TableNames, "fts" | "vec">;

export function postgresTableNames(name: string): PostgresTables {
  const { docs, chunks, acl, fields } = tableNames(checkCollectionName(name));
  return { docs, chunks, acl, fields };
}

/** Whether the server can store vectors, and if not, why (for the error a vector query gets). */
export type VectorSupport =
  | { available: true; iterativeScan: boolean }
  | { available: false; reason: string };

/**
 * Finds pgvector: already usable, or installable with `CREATE EXTENSION` (tried once; a role
 * without the right to do so gets the reason back instead of an error).
 */
export async function vectorSupport(db: PostgresClient): Promise<VectorSupport> {
  const usable = async () => {
    const { rows } = await db.query<{ version: string | null }>(
      "SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS version WHERE to_regtype('vector') IS NOT NULL",
    );
    return rows[0];
  };
  let found = await usable();
  if (!found) {
    const { rows } = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    if (rows.length === 0) {
      return { available: false, reason: "the server has no pgvector extension installed" };
    }
    let failure: unknown;
    // Two processes may race to create it; the loser finds it made by the winner below.
    await db.query("CREATE EXTENSION IF NOT EXISTS vector").catch((error) => {
      failure = error;
    });
    found = await usable();
    if (!found && failure) {
      return {
        available: false,
        reason: `CREATE EXTENSION vector failed (${(failure as Error).message}); a superuser must run it`,
      };
    }
    if (!found) {
      return { available: false, reason: "the vector type is not on the search_path" };
    }
  }
  const [major = 0, minor = 0] = (found.version ?? "0.0").split(".").map(Number);
  // hnsw.iterative_scan (keep scanning until enough rows pass the filter) came in pgvector 0.8.
  return { available: true, iterativeScan: major > 0 || minor >= 8 };
}

const REGISTRY = [
  {
    id: 1,
    name: "collections registry",
    sql: "CREATE TABLE rag_collections (name TEXT PRIMARY KEY, config JSONB NOT NULL, created_at BIGINT NOT NULL)",
  },
];

/**
 * Creates the collection's tables on first open (under an advisory lock, so two processes opening
 * it at once create them once); later opens check the embedder and access setting, and convert a
 * `real[]` embedding column to `vector(N)` once pgvector has been installed.
 */
export async function ensurePostgresCollection(
  db: PostgresClient,
  name: string,
  wanted: CollectionConfig,
  now: number,
  vectors: VectorSupport,
): Promise<CollectionConfig> {
  const { migratePostgres } = await import("../db/postgres.js");
  // migratePostgres uses only query and transaction, which is all a PostgresClient has.
  await migratePostgres(db as PostgresDatabase, "rag-collections", REGISTRY);
  const t = postgresTableNames(name);
  return db.transaction(async (tx) => {
    await lockCollection(tx, name);
    const { rows } = await tx.query<{ config: CollectionConfig }>(
      "SELECT config FROM rag_collections WHERE name = $1",
      [name],
    );
    const stored = rows[0]?.config;
    if (!stored) {
      await createTables(tx, t, wanted, vectors);
      await tx.query("INSERT INTO rag_collections (name, config, created_at) VALUES ($1, $2::jsonb, $3)", [
        name,
        JSON.stringify(wanted),
        now,
      ]);
      return wanted;
    }
    checkCompatible(name, stored, wanted);
    if (stored.embedder && vectors.available) await upgradeVectors(tx, t, stored.embedder.dimensions);
    return stored;
  });
}

/**
 * Serialises writers of one collection across processes (as SQLite's `BEGIN IMMEDIATE` does):
 * a transaction-level advisory lock derived from the collection's name.
 */
export async function lockCollection(tx: Queryable, name: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`keel:rag-collection:${name}`]);
}

async function createTables(
  tx: Queryable,
  t: PostgresTables,
  config: CollectionConfig,
  vectors: VectorSupport,
): Promise<void> {
  const dims = config.embedder?.dimensions;
  const embedding =
    dims === undefined ? "" : `, embedding ${vectors.available ? `vector(${dims})` : "REAL[]"}`;
  const statements = [
    `CREATE TABLE ${t.docs} (
      pk BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,
      metadata JSONB NOT NULL, access JSONB, text TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
    // The heading path counts as text, with the same weight, as SQLite's heading column does.
    `CREATE TABLE ${t.chunks} (
      pk BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      doc BIGINT NOT NULL REFERENCES ${t.docs} (pk) ON DELETE CASCADE,
      idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, heading JSONB NOT NULL,
      page INTEGER, tokens INTEGER NOT NULL, length INTEGER NOT NULL, text TEXT NOT NULL,
      lexemes TSVECTOR GENERATED ALWAYS AS (
        jsonb_to_tsvector('${TS_CONFIG}'::regconfig, heading, '["string"]') || to_tsvector('${TS_CONFIG}'::regconfig, text)
      ) STORED${embedding})`,
    `CREATE INDEX ON ${t.chunks} (doc)`,
    `CREATE INDEX ON ${t.chunks} USING gin (lexemes)`,
    `CREATE TABLE ${t.acl} (
      principal TEXT NOT NULL, doc BIGINT NOT NULL REFERENCES ${t.docs} (pk) ON DELETE CASCADE,
      PRIMARY KEY (principal, doc))`,
    `CREATE INDEX ON ${t.acl} (doc)`,
    `CREATE TABLE ${t.fields} (name TEXT PRIMARY KEY, kinds TEXT NOT NULL, "array" BOOLEAN NOT NULL)`,
  ];
  for (const sql of statements) await tx.query(sql);
  if (dims !== undefined && vectors.available) await createVectorIndex(tx, t, dims);
}

async function createVectorIndex(tx: Queryable, t: PostgresTables, dims: number): Promise<void> {
  if (dims > HNSW_MAX_DIMENSIONS) return;
  await tx.query(`CREATE INDEX ON ${t.chunks} USING hnsw (embedding vector_cosine_ops)`);
}

/** Converts a `real[]` embedding column (made before pgvector was installed) to `vector(N)`. */
async function upgradeVectors(tx: Queryable, t: PostgresTables, dims: number): Promise<void> {
  const { rows } = await tx.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attname = 'embedding'`,
    [t.chunks],
  );
  if (rows[0]?.type !== "real[]") return;
  await tx.query(
    `ALTER TABLE ${t.chunks} ALTER COLUMN embedding TYPE vector(${dims}) USING embedding::vector(${dims})`,
  );
  await createVectorIndex(tx, t, dims);
}

/** Whether the collection's embedding column is a pgvector column (else `real[]`, or none). */
export async function hasVectorColumn(db: PostgresClient, t: PostgresTables): Promise<boolean> {
  const { rows } = await db.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attname = 'embedding'`,
    [t.chunks],
  );
  return rows[0]?.type.startsWith("vector") ?? false;
}

/** Drops a collection's tables and its registry entry; false when there was no such collection. */
export async function dropPostgresCollection(db: PostgresClient, name: string): Promise<boolean> {
  const t = postgresTableNames(name);
  const { migratePostgres } = await import("../db/postgres.js");
  await migratePostgres(db as PostgresDatabase, "rag-collections", REGISTRY);
  return db.transaction(async (tx) => {
    await lockCollection(tx, name);
    const { rows } = await tx.query("DELETE FROM rag_collections WHERE name = $1 RETURNING name", [name]);
    if (rows.length === 0) return false;
    await tx.query(`DROP TABLE IF EXISTS ${t.acl}, ${t.chunks}, ${t.fields}, ${t.docs}`);
    return true;
  });
}

/** The metadata fields a collection has seen (what filters may name). */
export async function readPostgresFields(db: Queryable, t: PostgresTables): Promise<Map<string, FieldInfo>> {
  const { rows } = await db.query<{ name: string; kinds: string; array: boolean }>(
    `SELECT name, kinds, "array" FROM ${t.fields}`,
  );
  return new Map(
    rows.map((r) => [
      r.name,
      { kinds: new Set(r.kinds.split(",").filter(Boolean) as ScalarKind[]), array: r.array },
    ]),
  );
}

/** The error a vector query gets where the server has no pgvector. */
export function vectorsUnavailable(name: string, reason: string): KeelError {
  return new KeelError(
    "VECTORS_UNAVAILABLE",
    `Collection "${name}" cannot search by vector: ${reason}. Install pgvector on the PostgreSQL server and run CREATE EXTENSION vector; the collection keeps its vectors and converts them when next opened. Until then, query with mode "bm25".`,
  );
}
