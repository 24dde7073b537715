/**
 * The Anthropic Messages API face of the mock (`POST /v1/messages`): the same script steps as chat
 * completions, answered with Anthropic's JSON, SSE event names and error bodies.
 */
import type { ServerResponse } from "node:http";
import { pieces, type ReplySource, type ResponseMeta, resolveReply } from "./completion.js";
import { defaultReply } from "./default-reply.js";
import { aborted, delay, type StreamShape, sendJson, streamFrames, write } from "./http-io.js";
import { messagesPromptText } from "./messages-request.js";
import type { ChatRequest, FinishReason, Step, StepUsage } from "./types.js";

type ContentStep = Exclude<Step, { fault: "rate-limit" | "server-error" }>;

import { estimateTokens } from "./usage.js";

/** `usage` as Anthropic sends it: `input_tokens` excludes the cache reads and writes. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

interface AnthropicReply {
  text: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  stopReason: string;
  model: string;
  usage: AnthropicUsage;
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface MessagesContext {
  request: ChatRequest;
  meta: ResponseMeta;
  signal: AbortSignal;
}

const STOP_REASONS: Record<FinishReason, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "refusal",
};

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  404: "not_found_error",
  429: "rate_limit_error",
  529: "overloaded_error",
};

/** An Anthropic error body: `{ type: "error", error: { type, message }, request_id }`. */
export function sendAnthropicError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  sendJson(res, status, { type: "error", error: { type, message }, request_id: null }, headers);
}

/** Sends the Messages response a step describes: a message, streamed or not, or a fault. */
export async function answerMessages(res: ServerResponse, step: Step, ctx: MessagesContext): Promise<void> {
  if (!(await delay(step.latencyMs ?? 0, ctx.signal))) return;
  if (step.fault === "rate-limit") {
    const retryAfter = step.retryAfter ?? 1;
    sendAnthropicError(res, 429, `Rate limit reached (a scripted fault). Retry after ${retryAfter}s.`, {
      "retry-after": String(retryAfter),
    });
    return;
  }
  if (step.fault === "server-error") {
    const status = step.status ?? 500;
    sendAnthropicError(
      res,
      status,
      status === 529 ? "Overloaded (a scripted fault)." : "Internal server error (a scripted fault).",
    );
    return;
  }
  const source: ReplySource =
    step.text !== undefined || step.json !== undefined || step.toolCalls !== undefined
      ? step
      : { ...step, ...defaultReply(ctx.request) };
  const reply = toAnthropicReply(source, ctx);
  if (ctx.request.stream === true) await streamMessage(res, reply, step, ctx);
  else await sendMessage(res, reply, step, ctx.signal, ctx.meta);
}

function toAnthropicReply(source: ReplySource, { request, meta }: MessagesContext): AnthropicReply {
  const reply = resolveReply(source, request, meta);
  const toolCalls = reply.toolCalls.map((call, i) => ({
    ...call,
    id: source.toolCalls?.[i]?.id ?? `toolu_mock_${meta.seq}_${i}`,
  }));
  const completionText = reply.content ?? toolCalls.map((call) => call.name + call.arguments).join("");
  return {
    text: reply.content,
    toolCalls,
    stopReason: STOP_REASONS[reply.finishReason],
    model: reply.model,
    usage: anthropicUsage(messagesPromptText(request), completionText, source.usage),
  };
}

/**
 * A step's usage is written the OpenAI way (`prompt_tokens` counts every input token); Anthropic
 * reports the cache reads and writes beside `input_tokens`, so they are taken out of it here.
 */
export function anthropicUsage(
  prompt: string,
  completion: string,
  given: StepUsage | undefined,
): AnthropicUsage {
  const read = given?.cached_tokens ?? 0;
  const written = given?.cache_write_tokens ?? 0;
  const total = given?.prompt_tokens ?? estimateTokens(prompt);
  return {
    input_tokens: Math.max(0, total - read - written),
    output_tokens: given?.completion_tokens ?? estimateTokens(completion),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
  };
}

/** Tool input is an object on Anthropic's wire; a step's invalid-JSON string is sent as the string. */
function toolInput(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function messageBody(reply: AnthropicReply, meta: ResponseMeta): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (reply.text !== null) content.push({ type: "text", text: reply.text });
  for (const call of reply.toolCalls) {
    content.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call.arguments) });
  }
  return {
    id: `msg_mock_${meta.seq}`,
    type: "message",
    role: "assistant",
    model: reply.model,
    content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: reply.usage,
  };
}

async function sendMessage(
  res: ServerResponse,
  reply: AnthropicReply,
  step: ContentStep,
  signal: AbortSignal,
  meta: ResponseMeta,
): Promise<void> {
  const body = JSON.stringify(messageBody(reply, meta));
  const length = String(Buffer.byteLength(body));
  switch (step.fault) {
    case "malformed-json":
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body.slice(0, Math.floor(body.length / 2)));
      return;
    case "truncate":
      res.writeHead(200, { "content-type": "application/json", "content-length": length });
      await write(res, body.slice(0, Math.floor(body.length / 2)), signal);
      res.destroy();
      return;
    case "stall":
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      await aborted(signal);
      res.destroy();
      return;
    default:
      res.writeHead(200, { "content-type": "application/json", "content-length": length });
      res.end(body);
  }
}

/**
 * The events of a streamed message, as Anthropic sends them: `message_start` (input usage), a `ping`,
 * per content block a `content_block_start`, its deltas (`text_delta` or `input_json_delta`) and a
 * `content_block_stop`, then `message_delta` (stop reason, output usage) and `message_stop`.
 */
export function messageEvents(reply: AnthropicReply, meta: ResponseMeta, chunkSize: number): SseEvent[] {
  const ev = (event: string, data: Record<string, unknown>): SseEvent => ({
    event,
    data: { type: event, ...data },
  });
  const { output_tokens, ...input } = reply.usage;
  const events = [
    ev("message_start", {
      message: {
        ...messageBody(reply, meta),
        content: [],
        stop_reason: null,
        usage: { ...input, output_tokens: Math.min(1, output_tokens) },
      },
    }),
    ev("ping", {}),
  ];
  let index = 0;
  if (reply.text !== null) {
    events.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const text of pieces(reply.text, chunkSize)) {
      events.push(ev("content_block_delta", { index, delta: { type: "text_delta", text } }));
    }
    events.push(ev("content_block_stop", { index }));
    index++;
  }
  for (const call of reply.toolCalls) {
    const block = { type: "tool_use", id: call.id, name: call.name, input: {} };
    events.push(ev("content_block_start", { index, content_block: block }));
    for (const partial_json of pieces(call.arguments, chunkSize)) {
      events.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } }));
    }
    events.push(ev("content_block_stop", { index }));
    index++;
  }
  events.push(
    ev("message_delta", {
      delta: { stop_reason: reply.stopReason, stop_sequence: null },
      usage: { output_tokens },
    }),
  );
  events.push(ev("message_stop", {}));
  return events;
}

async function streamMessage(
  res: ServerResponse,
  reply: AnthropicReply,
  step: ContentStep,
  { meta, signal }: MessagesContext,
): Promise<void> {
  const events = messageEvents(reply, meta, step.chunkSize ?? 4);
  const frames = events.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const broken = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n';
  if (!(await streamFrames(res, frames, step as StreamShape, broken, signal))) return;
  res.end();
}
