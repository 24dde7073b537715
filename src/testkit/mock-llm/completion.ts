import type { ChatRequest, FinishReason, ReplyOptions, ToolCallStep } from "./types.js";
import { type WireUsage, wireUsage } from "./usage.js";

/** A step's answer reduced to what goes on the wire. */
export interface Reply {
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: FinishReason;
  model: string;
  usage: WireUsage;
}

/** Identity of one response: `chatcmpl-mock-<n>` and its `created` second. */
export interface ResponseMeta {
  id: string;
  seq: number;
  created: number;
}

/** A reply step, or a content fault whose content has been filled in. */
export type ReplySource = { text?: string; json?: unknown; toolCalls?: ToolCallStep[] } & ReplyOptions;

/** Turns a step (whose content is already chosen) into the reply for this request. */
export function resolveReply(step: ReplySource, request: ChatRequest, meta: ResponseMeta): Reply {
  const toolCalls = (step.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_mock_${meta.seq}_${i}`,
    name: call.name,
    arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
  }));
  const content =
    step.toolCalls !== undefined ? null : step.text !== undefined ? step.text : JSON.stringify(step.json);
  const completionText = content ?? toolCalls.map((call) => call.name + call.arguments).join("");
  return {
    content,
    toolCalls,
    finishReason: step.finishReason ?? (step.toolCalls !== undefined ? "tool_calls" : "stop"),
    model: step.model ?? (typeof request.model === "string" ? request.model : "mock"),
    usage: wireUsage(request.messages, completionText, step.usage),
  };
}

/** The non-stream `chat.completion` object. */
export function completionBody(reply: Reply, meta: ResponseMeta): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: reply.content, refusal: null };
  if (reply.toolCalls.length > 0) {
    message.tool_calls = reply.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: reply.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage: reply.usage,
  };
}

/**
 * The `chat.completion.chunk` objects of a stream, in order, as OpenAI sends them: a first chunk with
 * the role; content in pieces of `chunkSize` characters; each tool call opened by a chunk with its
 * `index`, `id`, `type` and name, then its arguments in pieces; a chunk with `finish_reason`; and with
 * `includeUsage`, one last chunk with no choices and the usage (every other chunk then has `usage: null`).
 */
export function completionChunks(
  reply: Reply,
  meta: ResponseMeta,
  options: { chunkSize: number; includeUsage: boolean },
): Record<string, unknown>[] {
  const chunk = (choices: unknown[], usage?: WireUsage): Record<string, unknown> => ({
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: reply.model,
    choices,
    ...(options.includeUsage ? { usage: usage ?? null } : {}),
  });
  const delta = (d: Record<string, unknown>, finishReason: FinishReason | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);

  const chunks = [delta({ role: "assistant", content: reply.content === null ? null : "", refusal: null })];
  for (const piece of pieces(reply.content ?? "", options.chunkSize)) chunks.push(delta({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    chunks.push(
      delta({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
      }),
    );
    for (const piece of pieces(call.arguments, options.chunkSize)) {
      chunks.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(delta({}, reply.finishReason));
  if (options.includeUsage) chunks.push(chunk([], reply.usage));
  return chunks;
}

/** Splits by code points, so a piece never ends in half a surrogate pair. */
export function pieces(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}
