import Anthropic from "@anthropic-ai/sdk";
import type {
  Message as AnthropicMessage,
  ContentBlockParam,
  ImageBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { toProviderError } from "./anthropic-errors.js";
import { ModelConfigError, ProviderError } from "./errors.js";
import type {
  CallOptions,
  ContentPart,
  FinishReason,
  Message,
  ModelRequest,
  ModelResponse,
  Provider,
  StreamPart,
  ToolCall,
  Usage,
} from "./types.js";
import { checkStreamEnd, guardSecret, streamFailure, withoutSecret } from "./wire-errors.js";

export interface AnthropicOptions {
  /** Default: the ANTHROPIC_API_KEY environment variable. */
  apiKey?: string;
  /** Default https://api.anthropic.com; the client adds /v1/messages (a trailing /v1 is dropped). */
  baseURL?: string;
  headers?: Record<string, string>;
  /** Provider id in results and errors (default "anthropic"). */
  id?: string;
  /** Sent when a request gives no maxTokens: Anthropic requires max_tokens (default 1024). */
  maxTokens?: number;
}

/**
 * A provider for Anthropic's Messages API through the official `@anthropic-ai/sdk`, translated to
 * Keel's message format. Anthropic has no JSON-schema output mode here, so `capabilities.jsonSchema`
 * is false and `generateObject` asks with instructions. The client's own retries are off: retries,
 * timeouts and breakers belong to Keel's call path.
 *
 * @example
 * const claude = anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });
 * const out = await claude.generate({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }] });
 */
export function anthropic(options: AnthropicOptions = {}): Provider {
  const id = options.id ?? "anthropic";
  const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    throw new ModelConfigError(
      "anthropic() needs an API key: pass { apiKey } or set ANTHROPIC_API_KEY (a proxy that needs none takes any string).",
    );
  }
  if (options.baseURL !== undefined && !/^https?:\/\//.test(options.baseURL)) {
    throw new ModelConfigError(
      `anthropic() needs baseURL to be an http(s) URL such as "https://api.anthropic.com"; got ${JSON.stringify(options.baseURL)}.`,
    );
  }
  const maxTokens = options.maxTokens ?? 1024;
  const client = new Anthropic({
    apiKey,
    // The SDK appends /v1/messages itself; "https://host/v1" would otherwise become /v1/v1/messages.
    baseURL: options.baseURL?.replace(/\/+$/, "").replace(/\/v1$/, "") ?? "https://api.anthropic.com",
    defaultHeaders: options.headers,
    maxRetries: 0,
    // On a malformed stream event the SDK logs the raw data (model output); Keel reports the error itself.
    logLevel: "off",
  });

  return {
    id,
    capabilities: { tools: true, jsonSchema: false, images: true, streaming: true },
    async generate(request, callOptions = {}) {
      const params = toParams(id, request, maxTokens);
      let message: AnthropicMessage;
      try {
        message = await client.messages.create({ ...params, stream: false }, { signal: callOptions.signal });
      } catch (error) {
        throw withoutSecret(toProviderError(id, error), apiKey);
      }
      return fromMessage(id, message);
    },
    stream(request, callOptions = {}) {
      return guardSecret(streamParts(id, client, toParams(id, request, maxTokens), callOptions), apiKey);
    },
  };
}

/** Keel's request as Messages API parameters. Throws ProviderError("bad-request") for an unusable image. */
export function toParams(
  provider: string,
  request: ModelRequest,
  maxTokens: number,
): MessageCreateParamsBase {
  const system = request.messages.flatMap((m) => (m.role === "system" ? [m.content] : []));
  const instruction = formatInstruction(request);
  if (instruction) system.push(instruction);
  const params: MessageCreateParamsBase = {
    model: request.model,
    max_tokens: request.maxTokens ?? maxTokens,
    messages: toWireMessages(provider, request.messages),
  };
  if (system.length) params.system = system.join("\n\n");
  if (request.tools?.length) {
    params.tools = request.tools.map(
      (t): Tool => ({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        input_schema: t.parameters as Tool["input_schema"],
      }),
    );
    if (request.toolChoice) {
      const choice = request.toolChoice;
      params.tool_choice =
        choice === "auto"
          ? { type: "auto" }
          : choice === "none"
            ? { type: "none" }
            : choice === "required"
              ? { type: "any" }
              : { type: "tool", name: choice.name };
    }
  }
  // SDK 1.13's types no longer declare temperature; the SDK sends the body as given and the API takes it.
  if (request.temperature !== undefined) Object.assign(params, { temperature: request.temperature });
  if (request.stop?.length) params.stop_sequences = request.stop;
  return params;
}

/** No native JSON mode: a json responseFormat that reaches this adapter becomes an instruction. */
function formatInstruction(request: ModelRequest): string | undefined {
  const format = request.responseFormat;
  if (format?.type === "json") return "Answer with one JSON value and nothing else.";
  if (format?.type === "json_schema") {
    return `Answer with one JSON value and nothing else, matching this JSON Schema:\n${JSON.stringify(format.schema)}`;
  }
  return undefined;
}

/**
 * Keel's messages as Anthropic turns: tool results become `tool_result` blocks in a user turn, and
 * consecutive turns of one role are merged (the API wants user and assistant to alternate).
 */
function toWireMessages(provider: string, messages: Message[]): MessageParam[] {
  const turns: { role: "user" | "assistant"; content: ContentBlockParam[] }[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
        break;
      case "user":
        push(
          "user",
          typeof m.content === "string"
            ? [{ type: "text", text: m.content }]
            : m.content.map((p) => toBlock(provider, p)),
        );
        break;
      case "assistant": {
        const blocks: ContentBlockParam[] = m.content ? [{ type: "text", text: m.content }] : [];
        for (const call of m.toolCalls ?? []) {
          blocks.push({ type: "tool_use", id: call.id, name: call.name, input: parseInput(call.arguments) });
        }
        push("assistant", blocks.length ? blocks : [{ type: "text", text: m.content }]);
        break;
      }
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: m.toolCallId, content: m.content }]);
        break;
    }
  }
  return turns;
}

function toBlock(provider: string, part: ContentPart): ContentBlockParam {
  if (part.type === "text") return { type: "text", text: part.text };
  if (/^https?:\/\//.test(part.url)) return { type: "image", source: { type: "url", url: part.url } };
  const match = /^data:(image\/(?:jpeg|png|gif|webp));base64,(.*)$/s.exec(part.url);
  if (!match) {
    throw new ProviderError(
      provider,
      "bad-request",
      "an image must be an http(s) URL or a base64 data: URL of a JPEG, PNG, GIF or WebP image",
    );
  }
  const mediaType = match[1] as Extract<ImageBlockParam["source"], { type: "base64" }>["media_type"];
  return { type: "image", source: { type: "base64", media_type: mediaType, data: match[2] ?? "" } };
}

/** A replayed tool call's input must be an object; arguments the model wrote invalid are sent as {}. */
function parseInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function fromMessage(provider: string, message: AnthropicMessage): ModelResponse {
  if (!Array.isArray(message?.content)) {
    throw new ProviderError(provider, "invalid-response", "the response has no content blocks");
  }
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text") text += block.text;
    if (block.type === "tool_use") {
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  return {
    text,
    toolCalls,
    finishReason: finishReason(message.stop_reason),
    usage: usageOf(message.usage),
    model: message.model,
    provider,
  };
}

async function* streamParts(
  provider: string,
  client: Anthropic,
  params: MessageCreateParamsBase,
  options: CallOptions,
): AsyncGenerator<StreamPart> {
  let events: AsyncIterable<RawMessageStreamEvent>;
  try {
    events = await client.messages.create({ ...params, stream: true }, { signal: options.signal });
  } catch (error) {
    throw toProviderError(provider, error);
  }
  let text = "";
  let model = params.model;
  let finish: FinishReason | undefined;
  let wire: WireUsage | undefined;
  const toolCalls: ToolCall[] = [];
  // Content-block index → position among the tool calls, for the blocks that are tool_use.
  const open = new Map<number, number>();
  try {
    for await (const event of events) {
      switch (event.type) {
        case "message_start":
          model = event.message.model || model;
          wire = { ...event.message.usage };
          break;
        case "content_block_start":
          if (event.content_block.type === "tool_use") {
            const index = toolCalls.length;
            const { id, name } = event.content_block;
            toolCalls.push({ id, name, arguments: "" });
            open.set(event.index, index);
            yield { type: "tool-call-start", index, id, name };
          } else if (event.content_block.type === "text" && event.content_block.text) {
            text += event.content_block.text;
            yield { type: "text-delta", text: event.content_block.text };
          }
          break;
        case "content_block_delta":
          if (event.delta.type === "text_delta" && event.delta.text) {
            text += event.delta.text;
            yield { type: "text-delta", text: event.delta.text };
          } else if (event.delta.type === "input_json_delta" && event.delta.partial_json) {
            const index = open.get(event.index);
            const call = index === undefined ? undefined : toolCalls[index];
            if (index === undefined || !call) break;
            call.arguments += event.delta.partial_json;
            yield { type: "tool-call-delta", index, id: call.id, argumentsDelta: event.delta.partial_json };
          }
          break;
        case "content_block_stop": {
          const index = open.get(event.index);
          const call = index === undefined ? undefined : toolCalls[index];
          if (!call) break;
          open.delete(event.index);
          // A tool without parameters streams no input at all; the non-stream path says "{}".
          if (call.arguments === "") call.arguments = "{}";
          yield { type: "tool-call", toolCall: call };
          break;
        }
        case "message_delta":
          if (event.delta.stop_reason) finish = finishReason(event.delta.stop_reason);
          // message_delta's counts are cumulative; newer API versions repeat the input counts here.
          wire = { ...wire, ...definedCounts(event.usage) } as WireUsage;
          break;
      }
    }
  } catch (error) {
    throw streamFailure(provider, error, options.signal, toProviderError);
  }
  finish = checkStreamEnd(provider, options.signal, finish);
  const response: ModelResponse = {
    text,
    toolCalls,
    finishReason: finish,
    usage: usageOf(wire),
    model,
    provider,
  };
  yield { type: "finish", response };
}

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function definedCounts(usage: WireUsage | null | undefined): WireUsage {
  const out: WireUsage = {};
  for (const key of [
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
  ] as const) {
    const value = usage?.[key];
    if (typeof value === "number") out[key] = value;
  }
  return out;
}

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; Keel's `inputTokens` includes both (as
 * OpenAI's prompt_tokens does), so prices apply once per token whichever provider answered.
 */
export function usageOf(usage: WireUsage | null | undefined): Usage {
  if (!usage) {
    return {
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      source: "estimated",
    };
  }
  const read = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + read + written,
    outputTokens: usage.output_tokens ?? 0,
    cachedInputTokens: read,
    cacheWriteTokens: written,
    source: "provider",
  };
}

function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool-calls";
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}

export { toProviderError } from "./anthropic-errors.js";
