import type { z } from "zod";
import { findJsonSyntaxError } from "./json-syntax-error.js";
import type { OutputIssue } from "./object-errors.js";
import { formatIssue } from "./object-errors.js";
import type { FinishReason, Message } from "./types.js";

/** What a semantic validator is told besides the value. */
export interface ValidateContext {
  /** 0 for the first model call, 1 for the first repair, ... */
  attempt: number;
  signal?: AbortSignal;
}

export type SemanticValidator<T> = (value: T, ctx: ValidateContext) => OutputIssue[] | Promise<OutputIssue[]>;

export type CheckResult<T> = { success: true; data: T } | { success: false; issues: OutputIssue[] };

/**
 * Checks one reply in order — JSON, then the schema, then the semantic validator (only once the schema
 * passed, so the validator always sees a typed value) — and returns the issues of the first stage that
 * fails. Failures are data; the loop that called decides whether to repair or throw.
 */
export async function checkReply<S extends z.ZodType>(
  text: string,
  schema: S,
  validate: SemanticValidator<z.output<S>> | undefined,
  ctx: ValidateContext,
): Promise<CheckResult<z.output<S>>> {
  const parsed = parseJsonReply(text);
  if (!parsed.success) return parsed;
  const result = await schema.safeParseAsync(parsed.data);
  if (!result.success) {
    return {
      success: false,
      issues: result.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: i.message,
        code: i.code,
      })),
    };
  }
  const issues = validate ? await validate(result.data, ctx) : [];
  return issues.length ? { success: false, issues } : { success: true, data: result.data };
}

/** The JSON in a reply: the whole text, or the inside of a ```json fence that models like to add. */
export function extractJsonText(text: string): string {
  const fenced = /^\s*```[\w-]*[^\S\n]*\n?([\s\S]*?)\n?[^\S\n]*```\s*$/.exec(text);
  return (fenced ? fenced[1]! : text).trim();
}

/** JSON.parse, with a failure as an issue that says where (line, column, position) it broke and why. */
export function parseJsonReply(text: string): CheckResult<unknown> {
  const json = extractJsonText(text);
  if (json === "") {
    return { success: false, issues: [{ path: [], code: "invalid_json", message: "the reply was empty" }] };
  }
  try {
    return { success: true, data: JSON.parse(json) };
  } catch (error) {
    const found = findJsonSyntaxError(json);
    const message = found
      ? `invalid JSON at line ${found.line}, column ${found.column} (position ${found.position}): ${found.reason}`
      : `invalid JSON: ${(error as Error).message}`;
    return { success: false, issues: [{ path: [], code: "invalid_json", message }] };
  }
}

/** The user message that asks the model to fix its last reply, listing every issue exactly. */
export function repairMessage(issues: OutputIssue[], finishReason: FinishReason): Message {
  const lines = issues.map((i) => `- ${formatIssue(i)}`);
  const cutOff =
    finishReason === "length"
      ? "\nYour reply was cut off by the token limit; write a shorter reply that is complete JSON."
      : "";
  return {
    role: "user",
    content:
      `Your previous reply is not valid for the required JSON schema:\n${lines.join("\n")}${cutOff}\n` +
      "Reply again with only the corrected JSON, with no explanation and no code fence.",
  };
}

/**
 * For providers without a JSON-schema mode: the schema and the rule go into the (first) system
 * message, so the request has one system prompt for providers that accept only one.
 */
export function withJsonInstruction(messages: Message[], jsonSchema: Record<string, unknown>): Message[] {
  const instruction =
    "Reply with only JSON (no explanation, no code fence) that matches this JSON Schema:\n" +
    JSON.stringify(jsonSchema);
  const first = messages[0];
  if (first?.role === "system") {
    return [{ role: "system", content: `${first.content}\n\n${instruction}` }, ...messages.slice(1)];
  }
  return [{ role: "system", content: instruction }, ...messages];
}
