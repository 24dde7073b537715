import type { z } from "zod";
import { KeelError } from "../errors/index.js";
import { toOutputJsonSchema } from "../model/object-schema.js";
import type { ToolCall, ToolSpec } from "../model/types.js";

export interface ToolContext {
  signal: AbortSignal | undefined;
  /** The id the model gave this call. */
  callId: string;
}

export interface ToolDefinition<S extends z.ZodType, R> {
  /** Letters, digits, "_" and "-", at most 64 (what model APIs accept). */
  name: string;
  description: string;
  input: S;
  run: (input: z.output<S>, ctx: ToolContext) => R | Promise<R>;
  /** Pause the run for a human before this tool runs (see the agent). */
  requiresApproval?: boolean;
}

export interface Tool<S extends z.ZodType = z.ZodType, R = unknown> extends ToolDefinition<S, R> {
  /** What the model is shown: name, description and the input's JSON Schema. */
  readonly spec: ToolSpec;
}

/**
 * Defines a tool the model may call. Its input is validated against the Zod schema before `run`;
 * a call the model got wrong becomes a tool result that tells the model what to fix (see `callTool`).
 *
 * @example
 * const weather = tool({
 *   name: "get_weather",
 *   description: "Current weather for a city",
 *   input: z.object({ city: z.string() }),
 *   run: async ({ city }) => fetchWeather(city),
 * });
 */
export function tool<S extends z.ZodType, R>(definition: ToolDefinition<S, R>): Tool<S, R> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(definition.name ?? "")) {
    throw new KeelError(
      "INVALID_TOOL",
      `Tool name ${JSON.stringify(definition.name)} is not allowed: use 1 to 64 letters, digits, "_" or "-".`,
    );
  }
  if (typeof definition.run !== "function") {
    throw new KeelError("INVALID_TOOL", `Tool "${definition.name}" needs a run(input, ctx) function.`);
  }
  const { schema } = toOutputJsonSchema(definition.input);
  return {
    ...definition,
    spec: { name: definition.name, description: definition.description, parameters: schema },
  };
}

/** What a tool call produced: a value to show the model, or an error to show the model. */
export type ToolOutcome =
  | { ok: true; callId: string; name: string; value: unknown; content: string }
  | {
      ok: false;
      callId: string;
      name: string;
      error: "unknown-tool" | "invalid-arguments" | "tool-failed";
      content: string;
      cause?: unknown;
    };

/**
 * Runs one tool call the model asked for. Nothing the model got wrong throws: an unknown tool name,
 * arguments that are not JSON or fail the schema, and a tool that throws all come back as
 * `{ ok: false, content }` whose content tells the model what to do, ready to be sent as the tool
 * result. Only a cancellation (the signal) rejects.
 */
export async function callTool(
  tools: readonly Tool[],
  call: ToolCall,
  options: { signal?: AbortSignal } = {},
): Promise<ToolOutcome> {
  const base = { callId: call.id, name: call.name };
  const found = tools.find((t) => t.name === call.name);
  if (!found) {
    const names = tools.map((t) => t.name).join(", ") || "(none)";
    return {
      ...base,
      ok: false,
      error: "unknown-tool",
      content: `Error: there is no tool named "${call.name}". Available tools: ${names}.`,
    };
  }
  let args: unknown;
  try {
    args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch (cause) {
    return {
      ...base,
      ok: false,
      error: "invalid-arguments",
      content: `Error: the arguments of "${call.name}" are not valid JSON (${(cause as Error).message}). Send a JSON object matching the tool's schema.`,
      cause,
    };
  }
  const parsed = found.input.safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `- ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("\n");
    return {
      ...base,
      ok: false,
      error: "invalid-arguments",
      content: `Error: the arguments of "${call.name}" do not match its schema; fix these and call it again:\n${issues}`,
    };
  }
  try {
    const value = await found.run(parsed.data, { signal: options.signal, callId: call.id });
    return {
      ...base,
      ok: true,
      value,
      content: typeof value === "string" ? value : (JSON.stringify(value) ?? "null"),
    };
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    return {
      ...base,
      ok: false,
      error: "tool-failed",
      content: `Error: the tool "${call.name}" failed: ${(cause as Error)?.message ?? String(cause)}.`,
      cause,
    };
  }
}
