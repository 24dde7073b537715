import { anthropic } from "./anthropic.js";
import { EXTRACTIVE_MODEL, extractive } from "./extractive.js";
import { openaiCompatible } from "./openai-compatible.js";
import type { Provider } from "./types.js";

export interface DefaultModel {
  provider: Provider;
  model: string;
  /** Why this one was chosen (names the variables, never their values). */
  source: string;
}

/**
 * The model Keel uses when the application configures none, from the environment:
 * `OPENAI_API_KEY` (with `OPENAI_BASE_URL` for any OpenAI-compatible server) or
 * `ANTHROPIC_API_KEY`, the model name from `KEEL_MODEL`; with none of them, the offline
 * `extractive()` model, so the whole pipeline runs on a fresh machine without a network or weights.
 */
export function defaultModel(env: Record<string, string | undefined> = process.env): DefaultModel {
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    return {
      provider: openaiCompatible({
        baseURL: env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
        apiKey: env.OPENAI_API_KEY,
        id: "openai",
      }),
      model: env.KEEL_MODEL ?? "gpt-4o-mini",
      source: env.OPENAI_BASE_URL ? "OPENAI_BASE_URL" : "OPENAI_API_KEY",
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    return {
      provider: anthropic({ apiKey: env.ANTHROPIC_API_KEY }),
      model: env.KEEL_MODEL ?? "claude-3-5-haiku-latest",
      source: "ANTHROPIC_API_KEY",
    };
  }
  return {
    provider: extractive(),
    model: EXTRACTIVE_MODEL,
    source: "no model configured (set OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY for a real one)",
  };
}
