import { KeelError } from "../errors/index.js";
import type { ModelResponse, Usage } from "./types.js";

/**
 * One thing wrong with a model's structured reply. `path` locates it in the JSON (empty for the whole
 * reply); `code` is Zod's issue code, "invalid_json" for text that is not JSON, or what a semantic
 * validator chose.
 */
export interface OutputIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** One model call of `generateObject` / `streamObject`: what the model wrote and what was wrong with it. */
export interface ObjectAttempt {
  /** The reply as the model wrote it. */
  text: string;
  /** Empty for the attempt that was accepted. */
  issues: OutputIssue[];
  usage: Usage;
  response: ModelResponse;
}

/**
 * The model kept answering with output that failed to parse, the schema, or a semantic validator,
 * after every allowed repair. `attempts` holds each reply with its issues and usage (the tokens were
 * paid for, even though no object came out).
 */
export class OutputValidationError extends KeelError {
  readonly attempts: ObjectAttempt[];

  constructor(attempts: ObjectAttempt[], options: { maxRepairs: number }) {
    const last = attempts.at(-1)?.issues ?? [];
    const shown = last.slice(0, 5).map(formatIssue).join("; ");
    const more = last.length > 5 ? ` (and ${last.length - 5} more)` : "";
    super(
      "OUTPUT_VALIDATION",
      `The model's output still failed validation after ${attempts.length} attempt(s) ` +
        `(maxRepairs: ${options.maxRepairs}). Last issues: ${shown}${more}. ` +
        "Raise maxRepairs, loosen the schema or the validator, or use a stronger model; " +
        "error.attempts holds every reply and its issues.",
    );
    this.attempts = attempts;
  }
}

/**
 * The Zod schema has a part that JSON Schema cannot express (z.custom, z.date, z.bigint, z.map...), so
 * it cannot be sent to a model. Raised before any model call.
 */
export class SchemaNotSupportedError extends KeelError {
  /** Where in the schema, e.g. ["properties", "createdAt"]. */
  readonly path: (string | number)[];

  constructor(path: (string | number)[], reason: string) {
    const where = path.length ? `at ${path.join(".")}` : "at the root";
    super(
      "SCHEMA_NOT_SUPPORTED",
      `The output schema cannot be sent to a model: ${where}, ${reason}. ` +
        "Use JSON types the model can write (e.g. z.string() or z.iso.datetime() for dates, z.number() " +
        "for big integers) and convert afterwards with .transform(), or describe the value with " +
        "z.string().refine() instead of z.custom().",
    );
    this.path = path;
  }
}

/** `items.0.price: Expected number, received string`; the whole reply shows as `(root)`. */
export function formatIssue(issue: OutputIssue): string {
  const where = issue.path.length ? issue.path.map(String).join(".") : "(root)";
  return `${where}: ${issue.message}`;
}
