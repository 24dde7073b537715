import { open } from "node:fs/promises";
import { KeelError } from "../../errors/index.js";
import type { LoadedDocument, Metadata } from "../types.js";
import { FILE_EXTENSIONS, fileFormatOf } from "./file-types.js";
import { loadHtml } from "./html.js";
import { loadMarkdown } from "./markdown.js";
import { loadPdf } from "./pdf.js";
import { type IdentifiedDocument, type LoadRecordsOptions, loadRecords } from "./records.js";
import { loadText } from "./text.js";
import { decodeUtf8 } from "./utf8.js";

export interface LoadFileOptions extends Pick<LoadRecordsOptions, "idField" | "textFields"> {
  /** Files larger than this are refused before being read (default 20 MiB). */
  maxBytes?: number;
  /** Added to each document's metadata, over what the loader found. */
  metadata?: Metadata;
}

export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Loads a file with the loader its extension names. Single-document files come back as one entry
 * whose id is `path` as given; JSON and JSON Lines files give one entry per record.
 *
 * @example
 * for (const { id, document } of await loadFile("docs/refunds.md")) await collection.upsert(id, document);
 */
export async function loadFile(path: string, options: LoadFileOptions = {}): Promise<IdentifiedDocument[]> {
  const format = fileFormatOf(path);
  if (!format) {
    throw new KeelError(
      "UNSUPPORTED_FILE_TYPE",
      `Cannot load ${path}: unsupported file type; supported extensions are ${FILE_EXTENSIONS}`,
    );
  }
  const bytes = await readLimited(path, options.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  const metadata: Metadata = { source: path, ...options.metadata };
  if (format === "pdf") return [{ id: path, document: await loadPdf(bytes, metadata) }];
  const text = decode(bytes, path);
  if (format === "json" || format === "jsonl") {
    const { idField, textFields } = options;
    return loadRecords(text, { format, idField, textFields, source: path, metadata: options.metadata });
  }
  return [{ id: path, document: loadSingle(format, text, metadata) }];
}

function loadSingle(format: "text" | "markdown" | "html", text: string, metadata: Metadata): LoadedDocument {
  if (format === "markdown") return loadMarkdown(text, metadata);
  if (format === "html") return loadHtml(text, { metadata });
  return loadText(text, metadata);
}

async function readLimited(path: string, maxBytes: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new KeelError("INVALID_OPTION", `maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new KeelError("FILE_NOT_FOUND", `${path} does not exist; check the path`, { cause: error });
    }
    throw error;
  }
  try {
    // The size comes from the open handle, so the limit holds for exactly the file that is read.
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new KeelError("FILE_NOT_FOUND", `${path} is not a regular file; pass the path of a file`);
    }
    if (stats.size > maxBytes) throw tooLarge(path, stats.size, maxBytes);
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) throw tooLarge(path, bytes.length, maxBytes); // it grew meanwhile
    return bytes;
  } finally {
    await handle.close();
  }
}

function tooLarge(path: string, size: number, maxBytes: number): KeelError {
  return new KeelError(
    "FILE_TOO_LARGE",
    `${path} is ${size} bytes, over the ${maxBytes}-byte limit; split the file or raise maxBytes`,
  );
}

function decode(bytes: Uint8Array, path: string): string {
  const result = decodeUtf8(bytes);
  if ("text" in result) return result.text;
  throw new KeelError(
    "INVALID_UTF8",
    `${path} is not valid UTF-8 (first bad byte sequence at byte offset ${result.badByteOffset}); re-save it as UTF-8`,
  );
}
