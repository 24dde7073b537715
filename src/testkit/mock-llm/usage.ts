import { promptText } from "./chat-request.js";
import type { ChatMessage, StepUsage } from "./types.js";

/** `usage` as OpenAI sends it. */
export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

/** A deterministic stand-in for a tokenizer: one token per four characters, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The step's usage when it gives one, otherwise the estimate for the prompt and the completion text. */
export function wireUsage(
  messages: readonly ChatMessage[],
  completionText: string,
  given: StepUsage | undefined,
): WireUsage {
  const prompt = given?.prompt_tokens ?? estimateTokens(promptText(messages));
  const completion = given?.completion_tokens ?? estimateTokens(completionText);
  const usage: WireUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (given?.cached_tokens !== undefined)
    usage.prompt_tokens_details = { cached_tokens: given.cached_tokens };
  return usage;
}
