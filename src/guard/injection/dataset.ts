/**
 * Fingerprinting the labelled files the classifier is trained on (they are read with
 * `readInjectionRows` from ../data.ts). The data stays where it is: scripts and tests take its
 * folder as an argument.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { LabelledText } from "./eval.js";
import type { DataFingerprint } from "./model.js";

/** File name, sha256 and counts of a data file. */
export function fingerprint(file: string, rows: readonly LabelledText[]): DataFingerprint {
  return {
    file: basename(file),
    sha256: createHash("sha256").update(readFileSync(file)).digest("hex"),
    rows: rows.length,
    positives: rows.filter((r) => r.label === 1).length,
  };
}
