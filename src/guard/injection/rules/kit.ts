/**
 * What a rule is, and the small regex vocabulary the rule files share.
 */
import type { TextSource } from "../../types.js";

export type RuleFamily =
  | "instruction-override"
  | "role-play-jailbreak"
  | "prompt-extraction"
  | "chat-template-injection"
  | "delimiter-injection"
  | "tool-abuse"
  | "markdown-image-exfiltration"
  | "assistant-directive";

export interface Rule {
  family: RuleFamily;
  /** Substrings of the folded text one of which must occur for the pattern to be tried. */
  triggers: readonly string[];
  /** Matched against the folded text; must carry the `g` flag. */
  pattern: RegExp;
  /** Confidence in [0, 1] that a match is an attack. */
  weight: number;
  /** Sources the rule applies to; all of them when absent. */
  sources?: readonly TextSource[];
  /** Further check of a match (e.g. of a URL's query) when a regex alone would be too loose. */
  accept?: (match: RegExpExecArray) => boolean;
}

/**
 * Between two words: one to three non-word characters. Never zero: a separator that may be empty
 * next to an optional word is what makes a regex try every split of the same text.
 */
export const S = "[^a-z0-9]{1,3}";
/** A short gap of words inside one sentence. */
export const gap = (max: number) => `[^.!?\\n]{0,${max}}?`;
export const words = (list: readonly string[]) => `(?:${list.join("|")})`;
export const re = (source: string) => new RegExp(source, "g");

export const AI = words([
  "ai",
  "assistant",
  "chatbot",
  "bot",
  "model",
  "language model",
  "llm",
  "gpt",
  "chatgpt",
  "claude",
  "gemini",
  "copilot",
]);
