import { contentText } from "./chat-request.js";
import type { ChatRequest } from "./types.js";

/** Why a Messages request was refused, as an Anthropic `invalid_request_error` message. */
export type ParsedMessagesRequest = { ok: true; request: ChatRequest } | { ok: false; message: string };

/**
 * Checks the body of a `POST /v1/messages` the way the mock needs it: a JSON object with a `messages`
 * array and a whole `max_tokens` (required by Anthropic). The body goes to scripts as it is (a
 * `ChatRequest` whose messages hold Anthropic content blocks, plus `system`).
 */
export function parseMessagesRequest(raw: string): ParsedMessagesRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, message: "The request body is not valid JSON. Send a JSON object." };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "The request body must be a JSON object." };
  }
  const { messages, max_tokens: maxTokens } = body as { messages?: unknown; max_tokens?: unknown };
  if (!Array.isArray(messages))
    return { ok: false, message: "messages: Field required (an array of messages)." };
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
    return { ok: false, message: "max_tokens: Field required (a whole number >= 1)." };
  }
  return { ok: true, request: body as ChatRequest };
}

/** Every character of an Anthropic prompt: system, text blocks, tool inputs and tool results. */
export function messagesPromptText(request: ChatRequest): string {
  let text = blocksText(request.system);
  for (const message of request.messages) text += blocksText(message.content);
  return text;
}

function blocksText(content: unknown): string {
  if (!Array.isArray(content)) return contentText(content);
  return content
    .map((block) => {
      if (block?.type === "text") return typeof block.text === "string" ? block.text : "";
      if (block?.type === "tool_use") return (block.name ?? "") + JSON.stringify(block.input ?? {});
      if (block?.type === "tool_result") return blocksText(block.content);
      return "";
    })
    .join("");
}
