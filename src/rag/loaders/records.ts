import { findJsonSyntaxError } from "../../model/json-syntax-error.js";
import type { LoadedDocument, Metadata } from "../types.js";
import { finishDocument, invalidDocument } from "./document.js";
import { flattenMetadata } from "./metadata.js";

export interface LoadRecordsOptions {
  format: "json" | "jsonl";
  /** The field holding each record's id (default: `id`, else `_id`). */
  idField?: string;
  /** Fields joined (blank line between) into the text (default: `title` plus the first of `text`, `content`, `body`). */
  textFields?: string[];
  /** Names the file in metadata (`source`) and in error messages. */
  source?: string;
  /** Added to every record's metadata, over its own fields. */
  metadata?: Metadata;
}

/** A document with the id it is stored under. */
export interface IdentifiedDocument {
  id: string;
  document: LoadedDocument;
}

const BODY_FIELDS = ["text", "content", "body"];

/**
 * One document per record of a JSON array (or single object) or a JSON Lines file. The text fields
 * make the text; the other fields become metadata, nested objects as dotted keys.
 *
 * @example
 * loadRecords('{"id": 7, "title": "Refunds", "body": "Within 30 days.", "team": "billing"}\n', { format: "jsonl" })
 * // [{ id: "7", document: { text: "Refunds\n\nWithin 30 days.", metadata: { title: "Refunds", team: "billing" }, … } }]
 */
export function loadRecords(text: string, options: LoadRecordsOptions): IdentifiedDocument[] {
  const source = options.source ?? "The input";
  const records = options.format === "jsonl" ? parseJsonLines(text, source) : parseJsonRecords(text, source);
  const seen = new Map<string, string>();
  return records.map(({ value, where }) => {
    const record = recordToDocument(value, `${source}, ${where}`, options);
    const first = seen.get(record.id);
    if (first !== undefined) {
      throw invalidDocument(`${source}, ${where} has the same id as ${first}; ids must be unique in a file`);
    }
    seen.set(record.id, where);
    return record;
  });
}

interface RawRecord {
  value: unknown;
  /** "line 3" or "record 3", for messages. */
  where: string;
}

function parseJsonRecords(text: string, source: string): RawRecord[] {
  const data = parseJson(text, source, "");
  const items = Array.isArray(data) ? data : [data];
  return items.map((value, i) => ({ value, where: `record ${i + 1}` }));
}

function parseJsonLines(text: string, source: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    records.push({ value: parseJson(line, source, `line ${i + 1}`), where: `line ${i + 1}` });
  }
  return records;
}

function parseJson(text: string, source: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse's own message can quote the document; findJsonSyntaxError says where, not what.
    const found = findJsonSyntaxError(text);
    const place = where
      ? `${where}${found ? `, column ${found.column}` : ""}`
      : found
        ? `line ${found.line}, column ${found.column} (position ${found.position})`
        : "somewhere";
    const reason = found ? `: ${found.reason}` : "";
    throw invalidDocument(`${source} is not valid JSON at ${place}${reason}; fix or remove that part`, error);
  }
}

function recordToDocument(value: unknown, where: string, options: LoadRecordsOptions): IdentifiedDocument {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidDocument(`${where} is not a JSON object; each record must be an object with an id and text`);
  }
  const record = value as Record<string, unknown>;
  const id = recordId(record, where, options.idField);
  const { text, fields } = recordText(record, where, options.textFields);
  // Text fields stay out of metadata, except the title, which every loader also gives as metadata.
  const rest = Object.fromEntries(
    Object.entries(record).filter(([key]) => key !== id.field && (key === "title" || !fields.includes(key))),
  );
  const metadata: Metadata = { ...flattenMetadata(rest) };
  if (options.source) metadata.source = options.source;
  const document = finishDocument(
    {
      text,
      metadata: { ...metadata, ...options.metadata },
      sections: [{ start: 0, end: text.length, headingPath: [] }],
    },
    { name: where },
  );
  return { id: id.value, document };
}

function recordId(
  record: Record<string, unknown>,
  where: string,
  idField: string | undefined,
): { field: string; value: string } {
  const candidates = idField ? [idField] : ["id", "_id"];
  for (const field of candidates) {
    const raw = record[field];
    if (typeof raw === "string" && raw.trim() !== "") return { field, value: raw };
    if (typeof raw === "number" && Number.isFinite(raw)) return { field, value: String(raw) };
  }
  const names = idField ? `"${idField}"` : '"id" (or "_id")';
  throw invalidDocument(
    `${where} has no ${names} field with a string or number; give every record an id or pass idField`,
  );
}

/** The record's text and the fields it came from. By default a body field is required; a title alone is not enough. */
function recordText(
  record: Record<string, unknown>,
  where: string,
  textFields: string[] | undefined,
): { text: string; fields: string[] } {
  const texts = (fields: string[]) => fields.map((f) => fieldText(record[f], `${where}, field "${f}"`));
  if (textFields) {
    const parts = texts(textFields).filter((t) => t !== "");
    if (parts.length > 0) return { text: parts.join("\n\n"), fields: textFields };
    const names = textFields.map((f) => `"${f}"`).join(", ");
    throw invalidDocument(
      `${where} has no text: ${names} is missing or empty; fill it in or pass other textFields`,
    );
  }
  for (const field of BODY_FIELDS) {
    const body = texts([field])[0];
    if (!body) continue;
    const title = texts(["title"])[0];
    return { text: title ? `${title}\n\n${body}` : body, fields: ["title", field] };
  }
  throw invalidDocument(
    `${where} has no text: "text", "content" or "body" is missing or empty; fill one in or pass textFields`,
  );
}

function fieldText(value: unknown, where: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw invalidDocument(
    `${where} is not text (found ${Array.isArray(value) ? "an array" : typeof value}); use a string`,
  );
}
