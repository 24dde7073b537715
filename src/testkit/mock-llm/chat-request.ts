import type { ChatMessage, ChatRequest } from "./types.js";

/** Why a chat request was refused, in the fields of an OpenAI 400 error. */
export interface RequestIssue {
  message: string;
  code: string;
  param: string | null;
}

export type ParsedChatRequest = { ok: true; request: ChatRequest } | { ok: false; issue: RequestIssue };

/** Checks the body of a chat request the way the mock needs it: JSON, an object, with a `messages` array. */
export function parseChatRequest(raw: string): ParsedChatRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      issue: {
        message: "We could not parse the JSON body of your request. Send a JSON object.",
        code: "invalid_json",
        param: null,
      },
    };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      ok: false,
      issue: { message: "The request body must be a JSON object.", code: "invalid_body", param: null },
    };
  }
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) {
    return {
      ok: false,
      issue: {
        message:
          messages === undefined
            ? "Missing required parameter: 'messages'."
            : "Invalid type for 'messages': expected an array of messages.",
        code: messages === undefined ? "missing_required_parameter" : "invalid_type",
        param: "messages",
      },
    };
  }
  return { ok: true, request: body as ChatRequest };
}

/** The text of a message's content: a string, or the `text` of its text parts (images count nothing). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part?.text === "string" && part.type !== "image_url" ? (part.text as string) : ""))
    .join("");
}

/** Every character a prompt carries: message contents and the tool calls earlier assistant turns made. */
export function promptText(messages: readonly ChatMessage[]): string {
  let text = "";
  for (const message of messages) {
    text += contentText(message.content);
    for (const call of message.tool_calls ?? []) {
      text += (call.function?.name ?? "") + (call.function?.arguments ?? "");
    }
  }
  return text;
}

export function lastUserText(messages: readonly ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "user") return contentText(message.content);
  }
  return undefined;
}
