/**
 * Ingestion in two halves: `prepareDocuments` (async: hash, skip what is unchanged, chunk, embed)
 * only reads stored hashes, and the store's `write` (one transaction) replaces every changed
 * document's rows in all indexes at once. A failure anywhere leaves the collection exactly as it
 * was, and BM25, vectors, access lists and field info are never out of step. `prepare` and `write`
 * here are the SQLite forms.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { chunkDocument } from "./chunk.js";
import type { Preparation, PreparedDocument } from "./collection-store.js";
import type { Access, DocumentInput, IngestOptions, IngestReport } from "./collection-types.js";
import type { Embedder } from "./embedder.js";
import type { FieldInfo } from "./filter.js";
import { EVERY_ROW, readFields, type TableNames } from "./sqlite-tables.js";
import type { Chunk, ChunkingOptions, LoadedDocument, Metadata } from "./types.js";
import { accessKeys, checkMetadata, mergeFieldInfo } from "./validate.js";

export type { Preparation, PreparedDocument };

interface PrepareContext {
  /** The stored content hash of each of `ids` that exists. */
  storedHashes(ids: readonly string[]): Promise<Map<string, string>>;
  embedder?: Embedder;
  chunking: ChunkingOptions;
}

/** Batches of chunks per embedder call while ingesting, so progress moves and memory stays flat. */
const EMBED_BATCH = 256;

function plainDocument(text: string): LoadedDocument {
  const start = text.search(/\S/);
  if (start < 0) return { text, metadata: {}, sections: [] };
  const end = text.length - (text.length - text.trimEnd().length);
  return { text, metadata: {}, sections: [{ start, end, headingPath: [] }] };
}

function documentOf(input: DocumentInput): LoadedDocument {
  if (input.document) {
    const doc = input.document;
    if (typeof doc.text !== "string" || !Array.isArray(doc.sections)) {
      throw new KeelError(
        "INVALID_DOCUMENT",
        `Document "${input.id}": document must come from a loader ({ text, metadata, sections }).`,
      );
    }
    return doc;
  }
  return plainDocument(input.text as string);
}

function contentHash(
  doc: LoadedDocument,
  metadata: Metadata,
  access: Access | undefined,
  settings: unknown,
): string {
  const body = canonicalize({
    text: doc.text,
    sections: doc.sections,
    metadata,
    access: accessKeys(access).sort(),
    settings,
  });
  return createHash("sha256")
    .update(body ?? "")
    .digest("hex");
}

/** `prepareDocuments` with the stored hashes read from a SQLite collection's tables. */
export function prepare(
  ctx: { db: SqliteDatabase; tables: TableNames; embedder?: Embedder; chunking: ChunkingOptions },
  inputs: DocumentInput[],
  options: IngestOptions,
): Promise<Preparation> {
  return prepareDocuments(
    { storedHashes: async (ids) => sqliteHashes(ctx.db, ctx.tables, ids), ...ctx },
    inputs,
    options,
  );
}

export function sqliteHashes(db: SqliteDatabase, t: TableNames, ids: readonly string[]): Map<string, string> {
  const hashOf = db.prepare(`SELECT hash FROM ${t.docs} WHERE id = ?`).pluck();
  const hashes = new Map<string, string>();
  for (const id of ids) {
    const hash = hashOf.get(id) as string | undefined;
    if (hash !== undefined) hashes.set(id, hash);
  }
  return hashes;
}

/** Hashes each document, skips those stored with the same hash, then chunks and embeds the rest. */
export async function prepareDocuments(
  ctx: PrepareContext,
  inputs: DocumentInput[],
  options: IngestOptions,
): Promise<Preparation> {
  const { signal, onProgress } = options;
  const stored = await ctx.storedHashes(inputs.map((input) => input.id));
  const settings = { chunking: ctx.chunking, embedder: ctx.embedder?.id ?? null };
  const changed: PreparedDocument[] = [];
  let unchanged = 0;
  inputs.forEach((input, i) => {
    signal?.throwIfAborted();
    const doc = documentOf(input);
    // isWellFormed is in Node 20 but typed only from lib ES2024.
    if (!(doc.text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw new KeelError(
        "INVALID_DOCUMENT",
        `Document "${input.id}" has unpaired surrogates (broken UTF-16); fix its encoding.`,
      );
    }
    const metadata = checkMetadata({ ...doc.metadata, ...input.metadata }, `Document "${input.id}"`);
    const hash = contentHash(doc, metadata, input.access, settings);
    if (stored.get(input.id) === hash) {
      unchanged++;
    } else {
      const chunks = chunkDocument(doc, ctx.chunking);
      if (chunks.length === 0) {
        throw new KeelError(
          "EMPTY_DOCUMENT",
          `Document "${input.id}" has no text to index; remove it or give it content.`,
        );
      }
      changed.push({ id: input.id, hash, text: doc.text, metadata, access: input.access, chunks });
    }
    onProgress?.({ phase: "chunk", done: i + 1, total: inputs.length });
  });
  if (ctx.embedder && changed.length > 0) await embedAll(ctx.embedder, changed, options);
  return { changed, unchanged };
}

/** The text a chunk's vector is made from: its heading path gives it context. */
export function embeddingText(chunk: Pick<Chunk, "headingPath" | "text">): string {
  return chunk.headingPath.length > 0 ? `${chunk.headingPath.join(" > ")}\n\n${chunk.text}` : chunk.text;
}

async function embedAll(embedder: Embedder, docs: PreparedDocument[], options: IngestOptions): Promise<void> {
  const all = docs.flatMap((d) => d.chunks.map((c) => ({ d, c })));
  const vectors: Float32Array[] = [];
  for (let i = 0; i < all.length; i += EMBED_BATCH) {
    options.signal?.throwIfAborted();
    const batch = all.slice(i, i + EMBED_BATCH);
    const out = await embedder.embed(
      batch.map(({ c }) => embeddingText(c)),
      { signal: options.signal },
    );
    if (out.length !== batch.length || out.some((v) => v.length !== embedder.dimensions)) {
      throw new KeelError(
        "EMBEDDING_INVALID",
        `Embedder "${embedder.id}" returned ${out.length} vectors for ${batch.length} texts, or vectors not of length ${embedder.dimensions}.`,
      );
    }
    vectors.push(...out);
    options.onProgress?.({ phase: "embed", done: Math.min(i + EMBED_BATCH, all.length), total: all.length });
  }
  let next = 0;
  for (const d of docs) d.vectors = d.chunks.map(() => vectors[next++] as Float32Array);
}

/** Removes one document's chunks from every index (by the document's rowid). */
export function deleteDocumentRows(
  db: SqliteDatabase,
  t: TableNames,
  docRowid: number,
  hasVectors: boolean,
): void {
  const chunkIds = db
    .prepare(`SELECT rowid FROM ${t.chunks} WHERE doc = ?`)
    .pluck()
    .all(docRowid) as number[];
  const delFts = db.prepare(`DELETE FROM ${t.fts} WHERE rowid = ?`);
  const delVec = hasVectors ? db.prepare(`DELETE FROM ${t.vec} WHERE rowid = ?`) : undefined;
  for (const id of chunkIds) {
    delFts.run(id);
    delVec?.run(BigInt(id));
  }
  db.prepare(`DELETE FROM ${t.chunks} WHERE doc = ?`).run(docRowid);
  db.prepare(`DELETE FROM ${t.acl} WHERE doc = ?`).run(docRowid);
}

export function write(
  db: SqliteDatabase,
  t: TableNames,
  prepared: Preparation,
  context: { hasVectors: boolean; now: number; options: IngestOptions },
): IngestReport {
  const { hasVectors, now, options } = context;
  const findDoc = db.prepare(`SELECT rowid FROM ${t.docs} WHERE id = ?`).pluck();
  const updateDoc = db.prepare(
    `UPDATE ${t.docs} SET hash = ?, metadata = ?, access = ?, text = ?, updated_at = ? WHERE rowid = ?`,
  );
  const insertDoc = db.prepare(
    `INSERT INTO ${t.docs} (id, hash, metadata, access, text, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertChunk = db.prepare(
    `INSERT INTO ${t.chunks} (doc, idx, start, "end", heading, page, tokens, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFts = db.prepare(
    `INSERT INTO ${t.fts} (rowid, heading, text, every) VALUES (?, ?, ?, '${EVERY_ROW}')`,
  );
  const insertVec = hasVectors
    ? db.prepare(`INSERT INTO ${t.vec} (rowid, embedding) VALUES (?, ?)`)
    : undefined;
  const insertAcl = db.prepare(`INSERT INTO ${t.acl} (principal, doc) VALUES (?, ?)`);
  const upsertField = db.prepare(
    `INSERT INTO ${t.fields} (name, kinds, array) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET kinds = excluded.kinds, array = excluded.array`,
  );
  const report: IngestReport = { added: 0, updated: 0, unchanged: prepared.unchanged, chunks: 0 };
  const total = prepared.changed.length;
  db.transaction(() => {
    // Read inside the transaction: another process may have added fields since this one looked.
    const fields = readFields(db, t);
    prepared.changed.forEach((d, n) => {
      const access = d.access ? JSON.stringify(d.access) : null;
      const metadata = JSON.stringify(d.metadata);
      let docRowid = findDoc.get(d.id) as number | undefined;
      if (docRowid === undefined) {
        docRowid = Number(insertDoc.run(d.id, d.hash, metadata, access, d.text, now).lastInsertRowid);
        report.added++;
      } else {
        deleteDocumentRows(db, t, docRowid, hasVectors);
        updateDoc.run(d.hash, metadata, access, d.text, now, docRowid);
        report.updated++;
      }
      d.chunks.forEach((c, i) => {
        const heading = c.headingPath.join(" > ");
        const row = insertChunk.run(
          docRowid,
          c.index,
          c.start,
          c.end,
          JSON.stringify(c.headingPath),
          c.page ?? null,
          c.tokens,
          c.text,
        );
        const rowid = Number(row.lastInsertRowid);
        insertFts.run(rowid, heading, c.text);
        const vector = d.vectors?.[i];
        if (insertVec && vector)
          insertVec.run(BigInt(rowid), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
      });
      for (const key of accessKeys(d.access)) insertAcl.run(key, docRowid);
      for (const name of mergeFieldInfo(fields, d.metadata)) {
        const info = fields.get(name) as FieldInfo;
        upsertField.run(name, [...info.kinds].sort().join(","), info.array ? 1 : 0);
      }
      report.chunks += d.chunks.length;
      options.onProgress?.({ phase: "write", done: n + 1, total });
    });
    // Immediate: a deferred transaction that reads first cannot take the write lock once another
    // connection has committed (SQLITE_BUSY_SNAPSHOT, no busy wait), so concurrent writers failed.
  }).immediate();
  return report;
}
