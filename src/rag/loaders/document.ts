import { KeelError } from "../../errors/index.js";
import type { LoadedDocument, Metadata, Section } from "../types.js";

/** How error messages name a document: its `source` when a caller gave one, never its content. */
export function documentName(metadata: Metadata | undefined): string {
  const source = metadata?.source;
  return typeof source === "string" && source ? source : "The document";
}

export function invalidDocument(message: string, cause?: unknown): KeelError {
  return new KeelError("INVALID_DOCUMENT", message, { cause });
}

/** The span of `text[start, end)` without its leading and trailing whitespace, or undefined if blank. */
export function trimmedSpan(
  text: string,
  start: number,
  end: number,
): { start: number; end: number } | undefined {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return s < e ? { start: s, end: e } : undefined;
}

// The same set String.prototype.trim() removes, checked per code unit to avoid slicing large texts.
function isSpace(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  if (code < 128) return false;
  return /\s/.test(String.fromCharCode(code));
}

/** Appends a section for `text[start, end)` trimmed, unless that span is blank. */
export function pushSection(
  sections: Section[],
  text: string,
  start: number,
  end: number,
  extra: Omit<Section, "start" | "end">,
): void {
  const span = trimmedSpan(text, start, end);
  if (span) sections.push({ ...span, ...extra });
}

/**
 * The checks every loader ends with: the text must be well-formed UTF-16 (lone surrogates break
 * tokenizers and SQLite's UTF-8 conversion) and must have some content to index.
 */
export function finishDocument(
  doc: LoadedDocument,
  options: { name?: string; emptyHint?: string } = {},
): LoadedDocument {
  const name = options.name ?? documentName(doc.metadata);
  if (!isWellFormed(doc.text)) {
    throw invalidDocument(
      `${name} contains unpaired UTF-16 surrogates; fix the text's encoding (or replace them with U+FFFD) before loading it`,
    );
  }
  if (doc.sections.length === 0) {
    throw new KeelError(
      "EMPTY_DOCUMENT",
      `${name} has no text to index${options.emptyHint ?? ""}; remove it or give it content`,
    );
  }
  return doc;
}

// `String.prototype.isWellFormed` is in Node 20 but typed only from lib ES2024, beyond this tsconfig.
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
