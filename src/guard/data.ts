/**
 * Reading labelled JSONL files (one JSON object a line) for evaluation and training: injection rows
 * `{"text", "label": 0|1}` and PII rows `{"text", "spans": [{"start", "end", "type"}]}`. Every
 * problem is a `KeelError` naming the file and the line; nothing is read partly.
 */
import { readFileSync } from "node:fs";
import { KeelError } from "../errors/index.js";
import type { LabelledText as InjectionRow } from "./injection/eval.js";
import type { LabelledText as PiiRow } from "./pii/eval.js";

function readJsonl(file: string): Array<{ line: number; value: Record<string, unknown> }> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new KeelError("INVALID_DATA", `Cannot read ${file}: ${(error as Error).message}`);
  }
  const rows: Array<{ line: number; value: Record<string, unknown> }> = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new KeelError(
        "INVALID_DATA",
        `Line ${i + 1} of ${file} is not valid JSON (${(error as Error).message}).`,
      );
    }
    if (
      value === null ||
      typeof value !== "object" ||
      typeof (value as { text?: unknown }).text !== "string"
    ) {
      throw new KeelError("INVALID_DATA", `Line ${i + 1} of ${file} needs a "text" string.`);
    }
    rows.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  if (rows.length === 0)
    throw new KeelError("INVALID_DATA", `${file} has no rows: expected one JSON object per line.`);
  return rows;
}

/** Injection rows: `{"text": ..., "label": 0|1}` (1 = injection). */
export function readInjectionRows(file: string): InjectionRow[] {
  return readJsonl(file).map(({ line, value }) => {
    if (value.label !== 0 && value.label !== 1) {
      throw new KeelError("INVALID_DATA", `Line ${line} of ${file} needs "label": 0 or 1 (1 = injection).`);
    }
    return { text: value.text as string, label: value.label };
  });
}

/** PII rows: `{"text": ..., "spans": [{"start", "end", "type"}]}`, offsets within the text. */
export function readPiiRows(file: string): PiiRow[] {
  return readJsonl(file).map(({ line, value }) => {
    const spans = value.spans;
    const text = value.text as string;
    const valid =
      Array.isArray(spans) &&
      spans.every(
        (s) =>
          s !== null &&
          typeof s === "object" &&
          Number.isInteger(s.start) &&
          Number.isInteger(s.end) &&
          s.start >= 0 &&
          s.end > s.start &&
          s.end <= text.length &&
          typeof s.type === "string",
      );
    if (!valid) {
      throw new KeelError(
        "INVALID_DATA",
        `Line ${line} of ${file} needs "spans": [{"start", "end", "type"}] with 0 <= start < end <= the text's length.`,
      );
    }
    return { text, spans: spans as PiiRow["spans"] };
  });
}
