/**
 * Reading labelled JSONL files (`{"text": ..., "label": 0|1}` a line) and fingerprinting them. The
 * data stays where it is: scripts and tests take its folder as an argument.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { LabelledText } from "./eval.js";
import type { DataFingerprint } from "./model.js";

/** Rows of a JSONL file; a line that is not a `{text, label}` object is an error naming the line. */
export function readLabelledJsonl(file: string): LabelledText[] {
  const rows: LabelledText[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const row = JSON.parse(line) as { text?: unknown; label?: unknown };
    if (typeof row.text !== "string" || (row.label !== 0 && row.label !== 1)) {
      throw new Error(`${file}:${i + 1}: expected {"text": string, "label": 0 | 1}.`);
    }
    rows.push({ text: row.text, label: row.label });
  }
  return rows;
}

/** File name, sha256 and counts of a data file. */
export function fingerprint(file: string, rows: readonly LabelledText[]): DataFingerprint {
  return {
    file: basename(file),
    sha256: createHash("sha256").update(readFileSync(file)).digest("hex"),
    rows: rows.length,
    positives: rows.filter((r) => r.label === 1).length,
  };
}
