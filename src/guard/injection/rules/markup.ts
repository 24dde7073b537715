/**
 * chat-template-injection (template tokens smuggled into text) and delimiter-injection (fake role
 * headers and fake ends of the data).
 */
import { type Rule, re, S } from "./kit.js";

export const MARKUP_RULES: readonly Rule[] = [
  {
    family: "chat-template-injection",
    triggers: ["<|"],
    pattern: re(
      `<\\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|endofprompt|eot_id|eom_id|start_header_id|end_header_id|begin_of_text|end_of_text|fim_prefix|fim_suffix|fim_middle|end)\\|>`,
    ),
    weight: 0.9,
    accept: notQuoted,
  },
  {
    family: "chat-template-injection",
    triggers: ["inst]", "<<sys>>", "<</sys>>", "_of_turn>", "</s>"],
    pattern: re(`(?:\\[/?inst\\]|<</?sys>>|<(?:start|end)_of_turn>|</s>${S}<s>)`),
    weight: 0.85,
    accept: notQuoted,
  },
  {
    family: "chat-template-injection",
    triggers: ["<|"],
    pattern: re(`<\\|[a-z_]{2,24}\\|>`),
    weight: 0.6,
    accept: notQuoted,
  },
  // ---- delimiter injection: fake role headers and fake ends of the data
  {
    family: "delimiter-injection",
    triggers: ["system", "admin", "developer", "root", "sudo"],
    pattern: re(
      `(?:^|\\n)[ #>*=\\-\\[(<]{0,6}(?:system|admin|administrator|developer|root|sudo)(?: (?:message|prompt|note|notice|instructions?|override|update|command|mode|alert))?[\\])>*]{0,3} ?:[^\\n]{0,80}\\b(?:you|your|assistant|ai|model|from now on|ignore|must|new)\\b`,
    ),
    weight: 0.65,
  },
  {
    family: "delimiter-injection",
    triggers: ["system", "admin", "developer"],
    pattern: re(
      `(?:\\[(?:system|admin|developer)(?: (?:message|note|override|instructions?|prompt))?\\]|<(?:system|admin|developer)(?:[_ ](?:message|prompt|instructions?))?>|\\((?:system|admin|developer) (?:message|note|override)[:)])`,
    ),
    weight: 0.7,
  },
  {
    family: "delimiter-injection",
    triggers: ["end", "begin", "start"],
    pattern: re(
      `(?:---|===|\\*\\*\\*|###|\\]\\]|\\}\\}|"""|''')[^\\n]{0,20}\\b(?:end|begin|start)(?: of)?${S}(?:the${S})?(?:user${S}|system${S}|untrusted${S})?(?:input|prompt|instructions?|document|context|data|text|message|conversation|email)\\b`,
    ),
    weight: 0.55,
  },
];

const QUOTES = new Set([0x60, 0x22, 0x27]);

/** A template token written between quotes or backticks is being talked about, not injected. */
function notQuoted(m: RegExpExecArray): boolean {
  return !(
    QUOTES.has(m.input.charCodeAt(m.index - 1)) && QUOTES.has(m.input.charCodeAt(m.index + m[0].length))
  );
}
