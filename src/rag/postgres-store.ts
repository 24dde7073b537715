/**
 * The PostgreSQL `CollectionStore`: BM25 computed in SQL over a `tsvector` GIN index, vectors in
 * pgvector (HNSW, cosine), filters on `jsonb` and access lists in the same statement as the top-k.
 * Every statement of a search reads one snapshot, so a row another writer replaces mid-query is
 * never returned with the other's text.
 */
import type { Queryable } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import type {
  Candidate,
  ChunkRow,
  CollectionConfig,
  CollectionStore,
  Preparation,
  Restriction,
} from "./collection-store.js";
import type { StoredDocument } from "./collection-types.js";
import type { FieldInfo } from "./filter.js";
import { compilePostgresFilter } from "./postgres-filter.js";
import {
  HNSW_MAX_DIMENSIONS,
  lockCollection,
  type PostgresClient,
  type PostgresTables,
  readPostgresFields,
  TS_CONFIG,
  vectorsUnavailable,
} from "./postgres-tables.js";
import { queryTerms } from "./search.js";
import { words } from "./text-terms.js";
import { accessKeys, mergeFieldInfo } from "./validate.js";

/** BM25 constants, the same as FTS5's. */
const K1 = 1.2;
const B = 0.75;
/** Chunks per INSERT while writing (each batch is one JSON parameter). */
const WRITE_BATCH = 256;

/** A compiled restriction: SQL on `d` (documents) with parameters `$1..$n`; searches number theirs after. */
interface PostgresRestriction {
  sql: string;
  params: Array<string | number>;
}

export interface PostgresStoreOptions {
  db: PostgresClient;
  name: string;
  tables: PostgresTables;
  config: CollectionConfig;
  /** Whether the embedding column is `vector(N)`, and if not, why vector search cannot run. */
  vectors: { column: true; iterativeScan: boolean } | { column: false; reason: string };
}

const CHUNK_COLUMNS = `c.pk::float8 AS rowid, c.idx, c.start, c."end", c.heading::text AS heading, c.page, c.text,
  d.id AS "documentId", d.metadata::text AS metadata`;

export function postgresStore(options: PostgresStoreOptions): CollectionStore<PostgresRestriction> {
  const { db, name, tables: t, config, vectors } = options;
  const dims = config.embedder?.dimensions;

  return {
    config,
    bm25: { k1: K1, b: B, tokenizer: `postgres ${TS_CONFIG}` },

    async storedHashes(ids) {
      const { rows } = await db.query<{ id: string; hash: string }>(
        `SELECT id, hash FROM ${t.docs} WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
        [JSON.stringify(ids)],
      );
      return new Map(rows.map((r) => [r.id, r.hash]));
    },

    write(prepared, { now, onProgress }) {
      for (const d of prepared.changed) checkNoNul(d);
      return db.transaction(async (tx) => {
        await lockCollection(tx, name);
        const ids = prepared.changed.map((d) => d.id);
        const { rows: replaced } = await tx.query(
          `DELETE FROM ${t.docs} WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) RETURNING id`,
          [JSON.stringify(ids)],
        );
        // Read inside the transaction (after the lock): another process may have added fields.
        const fields = await readPostgresFields(tx, t);
        let done = 0;
        for (const batch of batches(prepared.changed)) {
          await insertBatch(tx, t, batch, now, dims, vectors.column);
          await saveFields(tx, t, fields, batch);
          done += batch.length;
          onProgress?.(done, prepared.changed.length);
        }
        const chunks = prepared.changed.reduce((n, d) => n + d.chunks.length, 0);
        return {
          added: ids.length - replaced.length,
          updated: replaced.length,
          unchanged: prepared.unchanged,
          chunks,
        };
      });
    },

    deleteDocuments(target) {
      return db.transaction(async (tx) => {
        await lockCollection(tx, name);
        if ("ids" in target) {
          const { rows } = await tx.query(
            `DELETE FROM ${t.docs} WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) RETURNING 1`,
            [JSON.stringify(target.ids)],
          );
          return rows.length;
        }
        const where = compilePostgresFilter(target.filter, await readPostgresFields(tx, t), "d.metadata");
        const { rows } = await tx.query(
          `DELETE FROM ${t.docs} d WHERE ${where.sql} RETURNING 1`,
          where.params,
        );
        return rows.length;
      });
    },

    async restrict(restriction) {
      return restrictionSql(t, restriction, restriction.filter ? await readPostgresFields(db, t) : new Map());
    },

    async keywordSearch(query, where, limit) {
      const terms = queryTerms(query);
      if (terms.length === 0) return [];
      const n = where.params.length;
      const rows = await db.query<ChunkRow & { score: number }>(bm25Sql(t, where.sql, n), [
        ...where.params,
        terms.join(" | "),
        terms.join(" "),
        limit,
      ]);
      return rows.rows.map((row) => ({ rowid: row.rowid, score: row.score, row }));
    },

    async vectorSearch(vector, where, limit) {
      if (!vectors.column) throw vectorsUnavailable(name, vectors.reason);
      const literal = `[${Array.from(vector).join(",")}]`;
      const approximate = (dims ?? 0) <= HNSW_MAX_DIMENSIONS;
      const run = (exact: boolean) =>
        db.transaction(async (tx) => {
          if (!exact) {
            // A filtered HNSW scan stops after ef_search candidates; with iterative scans
            // (pgvector 0.8+) it goes on until `limit` rows pass the restriction.
            await tx.query(
              `SELECT set_config('hnsw.ef_search', $1, true)${vectors.iterativeScan ? ", set_config('hnsw.iterative_scan', 'strict_order', true)" : ""}`,
              [String(Math.min(1000, Math.max(40, limit)))],
            );
          }
          return vectorRows(tx, t, where, literal, limit, exact);
        });
      const found = await run(!approximate);
      // An approximate scan may still find fewer rows than exist (a very selective filter): then
      // the exact scan over the restricted rows decides, so k rows come back whenever k match.
      return found.length < limit && approximate ? run(true) : found;
    },

    async get(id) {
      const { rows } = await db.query<{
        id: string;
        text: string;
        metadata: StoredDocument["metadata"];
        access: StoredDocument["access"] | null;
        updated_at: number;
        chunks: number;
      }>(
        `SELECT id, text, metadata, access, updated_at::float8 AS updated_at,
           (SELECT count(*)::int FROM ${t.chunks} c WHERE c.doc = d.pk) AS chunks
         FROM ${t.docs} d WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (!row) return undefined;
      const doc: StoredDocument = {
        id: row.id,
        text: row.text,
        metadata: row.metadata,
        chunks: row.chunks,
        updatedAt: row.updated_at,
      };
      if (row.access) doc.access = row.access;
      return doc;
    },

    async counts() {
      const { rows } = await db.query<{ documents: number; chunks: number }>(
        `SELECT (SELECT count(*)::int FROM ${t.docs}) AS documents, (SELECT count(*)::int FROM ${t.chunks}) AS chunks`,
      );
      const { documents = 0, chunks = 0 } = rows[0] ?? {};
      return { documents, chunks, fields: await readPostgresFields(db, t) };
    },

    // The database belongs to the caller, who closes it.
    close() {},
  };
}

function restrictionSql(
  t: PostgresTables,
  r: Restriction,
  fields: ReadonlyMap<string, FieldInfo>,
): PostgresRestriction {
  const parts: string[] = [];
  const params: Array<string | number> = [];
  if (r.filter !== undefined) {
    const compiled = compilePostgresFilter(r.filter, fields, "d.metadata");
    parts.push(compiled.sql);
    params.push(...compiled.params);
  }
  if (r.principal) {
    params.push(JSON.stringify(r.principal));
    parts.push(
      `d.pk IN (SELECT doc FROM ${t.acl} WHERE principal IN (SELECT jsonb_array_elements_text($${params.length}::jsonb)))`,
    );
  }
  return { sql: parts.length ? parts.map((p) => `(${p})`).join(" AND ") : "true", params };
}

/**
 * BM25 as FTS5 computes it (k1 1.2, b 0.75, idf = ln((N - df + 0.5) / (df + 0.5)), floored at
 * 1e-6), from the tsvector: a lexeme's positions give its frequency in the chunk, `length` is the
 * chunk's word count. The corpus statistics cover the whole collection, as FTS5's do; only chunks
 * holding a query term and passing the restriction are scored.
 */
function bm25Sql(t: PostgresTables, where: string, n: number): string {
  const [anyTerm, allTerms, limit] = [`$${n + 1}`, `$${n + 2}`, `$${n + 3}`];
  return `WITH terms AS (
      SELECT lexeme, (SELECT count(*)::float8 FROM ${t.chunks} x WHERE x.lexemes @@ quote_literal(lexeme)::tsquery) AS df
      FROM unnest(tsvector_to_array(to_tsvector('${TS_CONFIG}'::regconfig, ${allTerms}::text))) AS lexeme),
    corpus AS (SELECT count(*)::float8 AS n, coalesce(avg(length), 1)::float8 AS avgdl FROM ${t.chunks}),
    matched AS (
      SELECT c.pk, c.length, c.lexemes FROM ${t.chunks} c JOIN ${t.docs} d ON d.pk = c.doc
      WHERE c.lexemes @@ to_tsquery('${TS_CONFIG}'::regconfig, ${anyTerm}::text) AND ${where}),
    scored AS (
      SELECT m.pk, sum(
          greatest(ln((corpus.n - terms.df + 0.5) / (terms.df + 0.5)), 1e-6)
          * cardinality(u.positions) * ${K1 + 1}
          / (cardinality(u.positions) + ${K1} * (1 - ${B} + ${B} * m.length / greatest(corpus.avgdl, 1)))
        ) AS score
      FROM matched m CROSS JOIN corpus CROSS JOIN LATERAL unnest(m.lexemes) AS u
      JOIN terms ON terms.lexeme = u.lexeme
      GROUP BY m.pk ORDER BY score DESC, m.pk LIMIT ${limit}::int)
    SELECT ${CHUNK_COLUMNS}, s.score FROM scored s JOIN ${t.chunks} c ON c.pk = s.pk JOIN ${t.docs} d ON d.pk = c.doc
    ORDER BY s.score DESC, c.pk`;
}

async function vectorRows(
  tx: Queryable,
  t: PostgresTables,
  where: PostgresRestriction,
  literal: string,
  limit: number,
  exact: boolean,
): Promise<Candidate[]> {
  const [q, k] = [`$${where.params.length + 1}`, `$${where.params.length + 2}`];
  // "+ 0" hides the distance from the HNSW index, which then cannot drive the scan: exact order.
  const order = exact ? `(c.embedding <=> ${q}::vector) + 0` : `c.embedding <=> ${q}::vector`;
  const { rows } = await tx.query<ChunkRow & { distance: number }>(
    `SELECT ${CHUNK_COLUMNS}, (c.embedding <=> ${q}::vector)::float8 AS distance
      FROM ${t.chunks} c JOIN ${t.docs} d ON d.pk = c.doc
      WHERE ${where.sql} ORDER BY ${order} LIMIT ${k}::int`,
    [...where.params, literal, limit],
  );
  return rows.map((row) => ({ rowid: row.rowid, score: 1 - row.distance, row }));
}

/** Documents in groups of about WRITE_BATCH chunks (at least one document each). */
function* batches(docs: Preparation["changed"]) {
  let batch: Preparation["changed"] = [];
  let size = 0;
  for (const d of docs) {
    batch.push(d);
    size += d.chunks.length;
    if (size >= WRITE_BATCH) {
      yield batch;
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

async function insertBatch(
  tx: Queryable,
  t: PostgresTables,
  docs: Preparation["changed"],
  now: number,
  dims: number | undefined,
  vectors: boolean,
): Promise<void> {
  const docRows = docs.map((d) => ({
    id: d.id,
    hash: d.hash,
    metadata: d.metadata,
    access: d.access ?? null,
    text: d.text,
  }));
  await tx.query(
    `INSERT INTO ${t.docs} (id, hash, metadata, access, text, updated_at)
      SELECT r.id, r.hash, r.metadata, r.access, r.text, $2 FROM jsonb_to_recordset($1::jsonb)
        AS r(id text, hash text, metadata jsonb, access jsonb, text text)`,
    [JSON.stringify(docRows), now],
  );
  const chunkRows = docs.flatMap((d) =>
    d.chunks.map((c, i) => ({
      doc: d.id,
      idx: c.index,
      start: c.start,
      end: c.end,
      heading: c.headingPath,
      page: c.page ?? null,
      tokens: c.tokens,
      // The word count BM25 normalises by (FTS5 counts its tokens the same way).
      length: words(`${c.headingPath.join(" ")} ${c.text}`).length,
      text: c.text,
      embedding: d.vectors?.[i] ? `[${Array.from(d.vectors[i] as Float32Array).join(",")}]` : null,
    })),
  );
  // A vector(N) column reads the text form "[1,2]"; a real[] column (no pgvector yet) an array.
  const vectorColumn = dims === undefined ? "" : ", embedding";
  const vectorValue =
    dims === undefined
      ? ""
      : vectors
        ? ", r.embedding::vector"
        : ", string_to_array(btrim(r.embedding, '[]'), ',')::real[]";
  await tx.query(
    `INSERT INTO ${t.chunks} (doc, idx, start, "end", heading, page, tokens, length, text${vectorColumn})
      SELECT d.pk, r.idx, r.start, r."end", r.heading, r.page, r.tokens, r.length, r.text${vectorValue}
      FROM jsonb_to_recordset($1::jsonb) AS r(doc text, idx int, start int, "end" int, heading jsonb,
        page int, tokens int, length int, text text, embedding text)
      JOIN ${t.docs} d ON d.id = r.doc`,
    [JSON.stringify(chunkRows)],
  );
  const aclRows = docs.flatMap((d) => accessKeys(d.access).map((principal) => ({ doc: d.id, principal })));
  if (aclRows.length > 0) {
    await tx.query(
      `INSERT INTO ${t.acl} (principal, doc)
        SELECT r.principal, d.pk FROM jsonb_to_recordset($1::jsonb) AS r(doc text, principal text)
        JOIN ${t.docs} d ON d.id = r.doc`,
      [JSON.stringify(aclRows)],
    );
  }
}

async function saveFields(
  tx: Queryable,
  t: PostgresTables,
  fields: Map<string, FieldInfo>,
  docs: Preparation["changed"],
): Promise<void> {
  const changed = new Set(docs.flatMap((d) => mergeFieldInfo(fields, d.metadata)));
  for (const field of changed) {
    const info = fields.get(field) as FieldInfo;
    await tx.query(
      `INSERT INTO ${t.fields} (name, kinds, "array") VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET kinds = excluded.kinds, "array" = excluded."array"`,
      [field, [...info.kinds].sort().join(","), info.array],
    );
  }
}

/** PostgreSQL text and jsonb cannot hold U+0000; say so before the database refuses mid-batch. */
function checkNoNul(d: Preparation["changed"][number]): void {
  const nul = (v: unknown) => typeof v === "string" && v.includes("\u0000");
  const inMetadata = Object.entries(d.metadata).some(([key, value]) => nul(key) || [value].flat().some(nul));
  if (nul(d.text) || inMetadata || d.chunks.some((c) => c.headingPath.some(nul))) {
    throw new KeelError(
      "INVALID_DOCUMENT",
      `Document "${d.id}" contains the character U+0000, which PostgreSQL cannot store; remove it.`,
    );
  }
}
