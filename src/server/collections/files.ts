/**
 * Files into a collection, for configured sources and `keel ingest`: folders are walked, each file
 * gets the id of its path relative to the root it was found under, and the access convention is
 * applied (in a collection with access control, a document's own `access` names its groups, and a
 * document without one is readable by `everyone`). Batches are ingested as they fill, each one
 * transaction, so a large tree never sits in memory whole.
 */
import fs from "node:fs";
import path from "node:path";
import { KeelError } from "../../errors/index.js";
import type { Collection, DocumentInput, IngestProgress, IngestReport } from "../../rag/index.js";
import { loadFile } from "../../rag/index.js";
import { FILE_EXTENSIONS, fileFormatOf } from "../../rag/loaders/file-types.js";
import { EVERYONE, takeDocumentAccess } from "./documents.js";

const RECORD_TYPES = new Set([".json", ".jsonl", ".ndjson"]);

/** Batches close at this many documents or characters of text, whichever comes first. */
const BATCH_DOCUMENTS = 500;
const BATCH_CHARS = 32 * 1024 * 1024;

export interface SourceFile {
  /** The file's path, for reading and for messages. */
  file: string;
  /** Its path relative to the root it was found under, with `/` separators. */
  id: string;
}

export interface FileRoot {
  path: string;
  /** Names the root in messages (`collections.docs.sources[0]`); default: the path. */
  label?: string;
}

/** Every loadable file under the roots, in a stable order. Two files with one id are an error. */
export function listFiles(roots: FileRoot[]): SourceFile[] {
  const files: SourceFile[] = [];
  const owner = new Map<string, string>();
  for (const root of roots) {
    const label = root.label ? `${root.label}: ` : "";
    let stat: fs.Stats;
    try {
      stat = fs.statSync(root.path);
    } catch {
      throw new KeelError("FILE_NOT_FOUND", `${label}${root.path} does not exist; check the path.`);
    }
    // Checked here, not when the file is loaded: before any batch is written.
    if (!stat.isDirectory() && fileFormatOf(root.path) === undefined) {
      throw new KeelError(
        "UNSUPPORTED_FILE_TYPE",
        `${label}${root.path} is not a file type Keel reads; supported extensions are ${FILE_EXTENSIONS}.`,
      );
    }
    const found: SourceFile[] = stat.isDirectory()
      ? walk(root.path)
      : [{ file: root.path, id: path.basename(root.path) }];
    for (const f of found) {
      const first = owner.get(f.id);
      if (first !== undefined) {
        throw new KeelError(
          "INVALID_DOCUMENT",
          `${first} and ${f.file} would both be document "${f.id}" (ids are paths relative to their source); rename one, or keep them under one folder.`,
        );
      }
      owner.set(f.id, f.file);
      files.push(f);
    }
  }
  return files;
}

function walk(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  // Real paths of the folders entered, so a symbolic link back up the tree is not followed forever.
  const seen = new Set<string>();
  const visit = (dir: string) => {
    const real = fs.realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const names = fs.readdirSync(dir).sort();
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const full = path.join(dir, name);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(full);
      } catch {
        continue; // a dangling link
      }
      if (stat.isDirectory()) visit(full);
      else if (stat.isFile() && fileFormatOf(name) !== undefined) {
        files.push({ file: full, id: path.relative(root, full).split(path.sep).join("/") });
      }
    }
  };
  visit(root);
  return files;
}

/**
 * One file's documents, ready to ingest: one per file, or one per record of a JSON / JSON Lines file
 * (id `file#record`). `metadata.source` is the id, not the path on this machine.
 */
export async function loadSourceFile(entry: SourceFile, acl: boolean): Promise<DocumentInput[]> {
  const records = RECORD_TYPES.has(path.extname(entry.file).toLowerCase());
  return (await loadFile(entry.file)).map(({ id, document }) => {
    const docId = records ? `${entry.id}#${id}` : entry.id;
    document.metadata.source = entry.id;
    const groups = takeDocumentAccess(document, records ? `${entry.file}, record ${id}` : entry.file);
    if (!acl) {
      if (groups) {
        throw new KeelError(
          "INVALID_DOCUMENT",
          `${entry.file} sets access, but its collection has no access control, so it would not be enforced; set acl: true on the collection (a new collection), or remove access from the file.`,
        );
      }
      return { id: docId, document };
    }
    return { id: docId, document, access: { groups: groups ?? [EVERYONE] } };
  });
}

export interface FileIngestOptions {
  acl: boolean;
  signal?: AbortSignal;
  /** `load` counts files read; the other phases are the collection's, per batch. */
  onProgress?: (progress: { phase: "load" | IngestProgress["phase"]; done: number; total: number }) => void;
  /** Called with each batch's ids before it is written (sources track what they own). */
  beforeBatch?: (ids: string[]) => void | Promise<void>;
}

export interface FileIngestReport extends IngestReport {
  files: number;
  /** Every document id the files gave. */
  ids: string[];
}

/** Loads and ingests the files in batches; each batch is one transaction. */
export async function ingestFiles(
  collection: Collection,
  files: SourceFile[],
  options: FileIngestOptions,
): Promise<FileIngestReport> {
  const report: FileIngestReport = {
    files: files.length,
    added: 0,
    updated: 0,
    unchanged: 0,
    chunks: 0,
    ids: [],
  };
  let batch: DocumentInput[] = [];
  let chars = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const ids = batch.map((d) => d.id);
    await options.beforeBatch?.(ids);
    const r = await collection.ingest(batch, {
      signal: options.signal,
      onProgress: options.onProgress,
    });
    report.added += r.added;
    report.updated += r.updated;
    report.unchanged += r.unchanged;
    report.chunks += r.chunks;
    report.ids.push(...ids);
    batch = [];
    chars = 0;
  };
  for (const [i, entry] of files.entries()) {
    options.signal?.throwIfAborted();
    for (const doc of await loadSourceFile(entry, options.acl)) {
      batch.push(doc);
      chars += doc.document?.text.length ?? 0;
    }
    options.onProgress?.({ phase: "load", done: i + 1, total: files.length });
    if (batch.length >= BATCH_DOCUMENTS || chars >= BATCH_CHARS) await flush();
  }
  await flush();
  return report;
}
