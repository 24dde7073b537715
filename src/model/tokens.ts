import { createRequire } from "node:module";
import type { Message, ToolSpec, Usage } from "./types.js";

interface Tokenizer {
  countTokens(text: string): number;
  encodeChat(chat: { role: "system" | "user" | "assistant"; content: string }[], model?: string): number[];
}

// Loading the tokenizer's tables takes ~250 ms: done on first use, not when Keel is imported.
let tokenizer: Tokenizer | undefined;
function load(): Tokenizer {
  tokenizer ??= createRequire(import.meta.url)("gpt-tokenizer/model/gpt-4o") as Tokenizer;
  return tokenizer;
}

/** An image's tokens vary by size and detail; a low-detail image is 85 tokens with OpenAI's models. */
const IMAGE_TOKENS = 85;

/** Tokens of a piece of text (o200k_base, the encoding of OpenAI's current models). */
export function countTextTokens(text: string): number {
  return text ? load().countTokens(text) : 0;
}

/**
 * Tokens of a chat prompt, with the chat format's per-message overhead, tool definitions and images.
 * For providers that report no usage; other tokenizers differ by some percent, hence "estimated".
 */
export function countPromptTokens(messages: Message[], tools: ToolSpec[] = []): number {
  let images = 0;
  const chat = messages.map((m) => {
    const role: "system" | "user" | "assistant" = m.role === "tool" ? "user" : m.role;
    if (typeof m.content === "string") {
      const calls =
        m.role === "assistant" ? (m.toolCalls ?? []).map((c) => `${c.name}(${c.arguments})`).join("\n") : "";
      return { role, content: calls ? `${m.content}\n${calls}` : m.content };
    }
    images += m.content.filter((p) => p.type === "image").length;
    return {
      role,
      content: m.content
        .filter((p) => p.type === "text")
        .map((p) => (p.type === "text" ? p.text : ""))
        .join("\n"),
    };
  });
  const toolText = tools.length ? JSON.stringify(tools) : "";
  return load().encodeChat(chat, "gpt-4o").length + countTextTokens(toolText) + images * IMAGE_TOKENS;
}

/** Usage counted by Keel when the provider reported none. */
export function estimateUsage(messages: Message[], output: string, tools?: ToolSpec[]): Usage {
  return {
    inputTokens: countPromptTokens(messages, tools),
    outputTokens: countTextTokens(output),
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    source: "estimated",
  };
}
