/**
 * The file types `loadFile` reads, by extension. Apart from the loaders so that commands and the
 * server can pick files without loading them (nothing here imports a parser).
 */
import { extname } from "node:path";

export type FileFormat = "text" | "markdown" | "html" | "pdf" | "json" | "jsonl";

export const FILE_FORMATS: Readonly<Record<string, FileFormat>> = {
  ".txt": "text",
  ".text": "text",
  ".log": "text",
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".pdf": "pdf",
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

/** The format `loadFile` reads `path` as, by its extension (any case); undefined when it reads none. */
export function fileFormatOf(path: string): FileFormat | undefined {
  const ext = extname(path).toLowerCase();
  return Object.hasOwn(FILE_FORMATS, ext) ? FILE_FORMATS[ext] : undefined;
}

/** The extensions, for messages: ".txt, .text, ...". */
export const FILE_EXTENSIONS = Object.keys(FILE_FORMATS).join(", ");
