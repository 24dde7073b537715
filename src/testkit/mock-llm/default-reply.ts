import { lastUserText } from "./chat-request.js";
import type { ChatRequest, ReplyStep } from "./types.js";

const QUOTED_CHARS = 200;

/**
 * The answer given when there is no script (and the content of a fault step that names none): the same
 * request always gets the same text, so tests and demos can assert on it.
 */
export function defaultReply(request: ChatRequest): ReplyStep {
  const question = lastUserText(request.messages);
  if (question === undefined) return { text: "mock reply to: (no user message)" };
  return { text: `mock reply to: ${Array.from(question).slice(0, QUOTED_CHARS).join("")}` };
}
