/**
 * The server's conventions for what goes into a collection and what comes out: text read with the
 * loader of its format (so Markdown headings and HTML structure give heading paths and spans), access
 * read from a document's own `access` field (Markdown front matter, a JSON record's field), the
 * `everyone` group every principal belongs to, and hits as citations.
 */
import { KeelError } from "../../errors/index.js";
import {
  type Hit,
  type LoadedDocument,
  loadHtml,
  loadMarkdown,
  loadText,
  type Metadata,
  type Principal,
} from "../../rag/index.js";
import type { Citation } from "./schemas.js";

/** The group every principal querying through the server belongs to; documents for all carry it. */
export const EVERYONE = "everyone";

export type DocumentFormat = "text" | "markdown" | "html";

/** `text` read by the loader of its format; `metadata` goes over what the loader finds. */
export function loadByFormat(text: string, format: DocumentFormat, metadata: Metadata): LoadedDocument {
  if (format === "markdown") return loadMarkdown(text, metadata);
  if (format === "html") return loadHtml(text, { metadata });
  return loadText(text, metadata);
}

/**
 * The groups a loaded document's `access` field names (`access: [staff, hr]` or `access: staff` in
 * front matter), removed from its metadata: it is the document's access list, not a field to filter
 * on. Undefined when the document has none.
 */
export function takeDocumentAccess(document: LoadedDocument, name: string): string[] | undefined {
  const nested = Object.keys(document.metadata).find((k) => k.startsWith("access."));
  if (nested) {
    throw new KeelError(
      "INVALID_DOCUMENT",
      `${name}: access must be a list of groups (access: [staff, hr]), not a mapping (found "${nested}").`,
    );
  }
  const value = document.metadata.access;
  if (value === undefined) return undefined;
  const groups = Array.isArray(value) ? value : [value];
  if (groups.length === 0 || groups.some((g) => typeof g !== "string" || g.trim() === "" || g.length > 512)) {
    throw new KeelError(
      "INVALID_DOCUMENT",
      `${name}: access must name at least one group, each a non-empty string (e.g. access: [staff]); to make it readable by every principal, write access: [${EVERYONE}] or leave access out.`,
    );
  }
  delete document.metadata.access;
  return [...new Set((groups as string[]).map((g) => g.trim()))];
}

/** The principal as the collection sees it: with the `everyone` group added. */
export function withEveryone(principal: { id: string; groups?: string[] }): Exclude<Principal, string> {
  return { id: principal.id, groups: [...new Set([...(principal.groups ?? []), EVERYONE])] };
}

/** A hit in the shape the API and the CLI's `--json` return. */
export function toCitation(hit: Hit): Citation {
  const citation: Citation = {
    documentId: hit.documentId,
    chunkIndex: hit.chunkIndex,
    text: hit.text,
    score: hit.score,
    scores: { bm25: hit.scores.bm25, vector: hit.scores.vector },
    span: { start: hit.start, end: hit.end },
    headingPath: hit.headingPath,
    metadata: hit.metadata,
  };
  if (hit.page !== undefined) citation.page = hit.page;
  return citation;
}
