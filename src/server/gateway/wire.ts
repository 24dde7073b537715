/**
 * OpenAI's chat-completions wire format, as the gateway accepts and answers it: Zod schemas of the
 * request (validation and the OpenAPI document come from them) and the translations to and from
 * the provider contract (`ModelRequest`, `ModelResponse`, stream parts).
 *
 * Accepted but not applied (the provider contract has no field for them, as LiteLLM and Portkey do
 * with what their upstream lacks): top_p, frequency_penalty, presence_penalty, logit_bias, user,
 * metadata, store, parallel_tool_calls, service_tier. Refused: n > 1 and logprobs, which would
 * change the shape of the answer.
 */
import { z } from "zod";
import { KeelError } from "../../errors/index.js";
import type {
  ContentPart,
  FinishReason,
  Message,
  ModelRequest,
  ModelResponse,
  ResponseFormat,
  ToolCall,
  ToolSpec,
  Usage,
} from "../../model/index.js";

const TextContent = z.object({ type: z.literal("text"), text: z.string() });
const ImageContent = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const ChatMessage = z.discriminatedUnion("role", [
  z.object({
    role: z.literal("system"),
    content: z.union([z.string(), z.array(TextContent)]),
    name: z.string().optional(),
  }),
  z.object({
    role: z.literal("developer"),
    content: z.union([z.string(), z.array(TextContent)]),
    name: z.string().optional(),
  }),
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [TextContent, ImageContent]))]),
    name: z.string().optional(),
  }),
  z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(TextContent), z.null()]).optional(),
    tool_calls: z.array(ToolCallSchema).optional(),
    refusal: z.string().nullable().optional(),
    name: z.string().optional(),
  }),
  z.object({
    role: z.literal("tool"),
    content: z.union([z.string(), z.array(TextContent)]),
    tool_call_id: z.string(),
  }),
]);

export const ChatCompletionRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(ChatMessage).min(1),
    tools: z
      .array(
        z.object({
          type: z.literal("function"),
          function: z.object({
            name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1 to 64 letters, digits, '_' or '-'"),
            description: z.string().optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
            strict: z.boolean().nullable().optional(),
          }),
        }),
      )
      .optional(),
    tool_choice: z
      .union([
        z.enum(["auto", "none", "required"]),
        z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
      ])
      .optional(),
    response_format: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("text") }),
        z.object({ type: z.literal("json_object") }),
        z.object({
          type: z.literal("json_schema"),
          json_schema: z.object({
            name: z.string(),
            description: z.string().optional(),
            schema: z.record(z.string(), z.unknown()).optional(),
            strict: z.boolean().nullable().optional(),
          }),
        }),
      ])
      .optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
    n: z.number().int().positive().nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    top_p: z.number().nullable().optional(),
    frequency_penalty: z.number().nullable().optional(),
    presence_penalty: z.number().nullable().optional(),
    logit_bias: z.record(z.string(), z.number()).nullable().optional(),
    user: z.string().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    store: z.boolean().nullable().optional(),
    parallel_tool_calls: z.boolean().optional(),
    service_tier: z.string().nullable().optional(),
  })
  .meta({ id: "ChatCompletionRequest" });

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

const WireUsage = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  prompt_tokens_details: z.object({ cached_tokens: z.number() }),
});

/** The non-streamed answer (for the OpenAPI document; `toChatCompletion` writes it). */
export const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string().nullable(),
          refusal: z.null(),
          tool_calls: z.array(ToolCallSchema).optional(),
        }),
        logprobs: z.null(),
        finish_reason: z.enum(["stop", "length", "tool_calls", "content_filter"]),
      }),
    ),
    usage: WireUsage,
    system_fingerprint: z.string().nullable(),
  })
  .meta({ id: "ChatCompletion" });

const textOf = (content: string | Array<{ type: "text"; text: string }> | null | undefined): string =>
  content == null ? "" : typeof content === "string" ? content : content.map((p) => p.text).join("");

type WireMessage = ChatCompletionRequest["messages"][number];

function toMessage(m: WireMessage): Message {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOf(m.content) };
    case "user":
      return {
        role: "user",
        content:
          typeof m.content === "string"
            ? m.content
            : m.content.map(
                (p): ContentPart =>
                  p.type === "text"
                    ? { type: "text", text: p.text }
                    : { type: "image", url: p.image_url.url },
              ),
      };
    case "assistant":
      return {
        role: "assistant",
        content: textOf(m.content),
        ...(m.tool_calls?.length
          ? {
              toolCalls: m.tool_calls.map((c) => ({
                id: c.id,
                name: c.function.name,
                arguments: c.function.arguments,
              })),
            }
          : {}),
      };
    case "tool":
      return { role: "tool", toolCallId: m.tool_call_id, content: textOf(m.content) };
  }
}

/** The provider-contract request for a validated wire request (`model` is the upstream's name). */
export function toModelRequest(
  body: ChatCompletionRequest,
  model: string,
  maxTokens: number | undefined,
): ModelRequest {
  if ((body.n ?? 1) !== 1) {
    throw new KeelError("UNSUPPORTED_PARAMETER", "n must be 1: Keel returns one choice per request.");
  }
  if (body.logprobs)
    throw new KeelError("UNSUPPORTED_PARAMETER", "logprobs is not supported by the gateway.");
  const messages: Message[] = body.messages.map(toMessage);
  const request: ModelRequest = { model, messages };
  if (body.tools?.length) {
    request.tools = body.tools.map(
      (t): ToolSpec => ({
        name: t.function.name,
        ...(t.function.description !== undefined ? { description: t.function.description } : {}),
        parameters: t.function.parameters ?? { type: "object", properties: {} },
      }),
    );
  }
  if (body.tool_choice !== undefined) {
    request.toolChoice =
      typeof body.tool_choice === "string" ? body.tool_choice : { name: body.tool_choice.function.name };
  }
  const format = responseFormat(body.response_format);
  if (format) request.responseFormat = format;
  if (body.temperature != null) request.temperature = body.temperature;
  const asked = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const max = asked ?? maxTokens;
  if (max !== undefined) request.maxTokens = max;
  if (body.seed != null) request.seed = body.seed;
  if (body.stop != null) request.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  return request;
}

function responseFormat(format: ChatCompletionRequest["response_format"]): ResponseFormat | undefined {
  if (!format) return undefined;
  if (format.type === "text") return { type: "text" };
  if (format.type === "json_object") return { type: "json" };
  return {
    type: "json_schema",
    name: format.json_schema.name,
    schema: format.json_schema.schema ?? {},
    ...(format.json_schema.strict != null ? { strict: format.json_schema.strict } : {}),
  };
}

export const finishReason = (reason: FinishReason): string =>
  ({
    stop: "stop",
    length: "length",
    "tool-calls": "tool_calls",
    "content-filter": "content_filter",
    other: "stop",
  })[reason];

export function wireUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
  };
}

const wireToolCall = (c: ToolCall, index?: number) => ({
  ...(index !== undefined ? { index } : {}),
  id: c.id,
  type: "function" as const,
  function: { name: c.name, arguments: c.arguments },
});

/** The `chat.completion` object for a response. `model` is what the client asked for. */
export function toChatCompletion(id: string, created: number, model: string, response: ModelResponse) {
  return {
    id,
    object: "chat.completion" as const,
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: response.toolCalls.length > 0 && response.text === "" ? null : response.text,
          refusal: null,
          ...(response.toolCalls.length > 0
            ? { tool_calls: response.toolCalls.map((c) => wireToolCall(c)) }
            : {}),
        },
        logprobs: null,
        finish_reason: finishReason(response.finishReason),
      },
    ],
    usage: wireUsage(response.usage),
    ...(response.systemFingerprint
      ? { system_fingerprint: response.systemFingerprint }
      : { system_fingerprint: null }),
  };
}

/** Writes `chat.completion.chunk` objects for one stream, as OpenAI sends them. */
export class ChunkWriter {
  readonly #head: string;
  #fingerprint: string | null = null;

  constructor(id: string, created: number, model: string) {
    // The fields every chunk repeats, written once.
    this.#head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)}`;
  }

  #chunk(choices: string, extra = ""): string {
    return `${this.#head},"system_fingerprint":${JSON.stringify(this.#fingerprint)},"choices":${choices}${extra}}`;
  }

  /** The first chunk: the assistant role with empty content. */
  start(): string {
    return this.#chunk(
      '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]',
    );
  }

  text(text: string): string {
    return this.#chunk(
      `[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]`,
    );
  }

  toolCallStart(index: number, id: string, name: string): string {
    const call = { index, id, type: "function", function: { name, arguments: "" } };
    return this.#chunk(
      `[{"index":0,"delta":{"tool_calls":[${JSON.stringify(call)}]},"logprobs":null,"finish_reason":null}]`,
    );
  }

  toolCallDelta(index: number, argumentsDelta: string): string {
    const call = { index, function: { arguments: argumentsDelta } };
    return this.#chunk(
      `[{"index":0,"delta":{"tool_calls":[${JSON.stringify(call)}]},"logprobs":null,"finish_reason":null}]`,
    );
  }

  finish(response: ModelResponse): string {
    this.#fingerprint = response.systemFingerprint ?? null;
    return this.#chunk(
      `[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason(response.finishReason)}"}]`,
    );
  }

  /** The last chunk when the client asked for usage: no choices, the usage. */
  usage(usage: Usage): string {
    return this.#chunk("[]", `,"usage":${JSON.stringify(wireUsage(usage))}`);
  }
}
