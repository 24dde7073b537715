/**
 * Redaction: replaces the spans of findings in a text. Four modes:
 * - "mask": each character becomes `*` (the length is kept, the value is not);
 * - "placeholder": a typed, numbered placeholder, `<EMAIL_1>`, the same number for the same value
 *   within one call;
 * - "hash": `<EMAIL_3f9a0c1d2b4e>`, a salted HMAC-SHA256 of the value (stable for one salt, so records
 *   can still be joined on it, but not reversible without the salt and a guess);
 * - "pseudonymize": a placeholder that a per-request `Vault` can turn back into the value (numbered
 *   by the vault, so one-way placeholders in the same request never share a number with it).
 */
import { createHmac, randomBytes } from "node:crypto";
import { PII_TYPES } from "./pii/index.js";
import { createNumbering, type Numbering, numberFor } from "./placeholders.js";
import type { Finding } from "./types.js";
import type { Vault } from "./vault.js";

export type RedactionMode = "mask" | "placeholder" | "hash" | "pseudonymize";

export interface RedactOptions {
  mode: RedactionMode;
  /** Required for "pseudonymize". */
  vault?: Vault;
  /** The HMAC key for "hash"; keep it secret and stable to keep hashes comparable. */
  salt?: string | Uint8Array;
  /**
   * Types that may be restored from a vault (default: the personal-data types); others get a one-way
   * placeholder even in "pseudonymize".
   */
  restorable?: ReadonlySet<string>;
  /** Nothing redacted now may be restored (model output: new personal data in it stays hidden). */
  oneWay?: boolean;
  /** Placeholder numbers to continue from (a stream redacts piece by piece; one value keeps one number). */
  numbering?: Numbering;
}

const DEFAULT_RESTORABLE: ReadonlySet<string> = new Set(PII_TYPES);

/** A random salt for processes that set none: hashes are then comparable only within the process. */
export const processSalt: Uint8Array = randomBytes(32);

/** A merged span: `covers` lists every type merged into it (when more than one). */
export type MergedFinding = Finding & { covers?: string[] };

/**
 * Merges overlapping findings (the highest-scoring type names the merged span, ties to the longer)
 * and returns them sorted, so each character is redacted once.
 */
export function mergeSpans(findings: readonly Finding[]): MergedFinding[] {
  const sorted = findings
    .filter((f) => f.end > f.start)
    .slice()
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: MergedFinding[] = [];
  for (const finding of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && finding.start < last.end) {
      const wins =
        finding.score > last.score ||
        (finding.score === last.score && finding.end - finding.start > last.end - last.start);
      merged[merged.length - 1] = {
        ...(wins ? finding : last),
        start: last.start,
        end: Math.max(last.end, finding.end),
        covers: [...(last.covers ?? [last.type]), finding.type],
      };
    } else {
      merged.push(finding);
    }
  }
  return merged;
}

export function redact(text: string, findings: readonly Finding[], options: RedactOptions): string {
  if (findings.length === 0) return text;
  if (options.mode === "pseudonymize" && options.vault === undefined) {
    throw new TypeError('Redaction mode "pseudonymize" needs a vault: pass { vault: createVault() }.');
  }
  const numbering = options.numbering ?? createNumbering();
  const restorableTypes = options.restorable ?? DEFAULT_RESTORABLE;
  let out = "";
  let at = 0;
  for (const finding of mergeSpans(findings)) {
    if (finding.start < at) continue;
    out += text.slice(at, finding.start);
    // A span is restorable only if everything merged into it is: a secret that a personal-data
    // finding of equal score also covers must not come back out of a vault.
    const restorable = (finding.covers ?? [finding.type]).every((type) => restorableTypes.has(type));
    out += replacement(text.slice(finding.start, finding.end), finding.type, options, restorable, numbering);
    at = finding.end;
  }
  return out + text.slice(at);
}

function replacement(
  value: string,
  type: string,
  options: RedactOptions,
  restorable: boolean,
  numbering: Numbering,
): string {
  switch (options.mode) {
    case "mask":
      return "*".repeat(value.length);
    case "hash": {
      const digest = createHmac("sha256", options.salt ?? processSalt)
        .update(value)
        .digest("hex");
      return `<${type}_${digest.slice(0, 12)}>`;
    }
    case "pseudonymize":
      if (options.vault === undefined) return numberFor(numbering, type, value).placeholder;
      return options.vault.placeholderFor(type, value, { restorable: !options.oneWay && restorable });
    case "placeholder":
      return numberFor(numbering, type, value).placeholder;
  }
}
