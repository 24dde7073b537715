/**
 * Hand-written rules for known attack shapes, run on folded text (see normalize.ts: lowercase,
 * diacritics dropped, one space between words). Written from public descriptions of attacks (OWASP
 * LLM01, the DAN / developer-mode jailbreak families, Greshake et al. on indirect injection), not
 * from any evaluation set.
 *
 * Every pattern is linear: each quantifier is bounded or runs over a class that cannot also match
 * what follows it, and no quantified group holds an alternation that can match the same text two
 * ways. A rule only runs when one of its trigger words occurs in the text (all triggers are found in
 * one Aho-Corasick pass, keywords.ts), which keeps a benign prompt's cost low.
 */
import type { TextSource } from "../types.js";
import { type KeywordScan, keywordScanner } from "./keywords.js";
import { AGENT_RULES } from "./rules/agent.js";
import { EXTRACTION_RULES } from "./rules/extraction.js";
import { HIJACK_RULES } from "./rules/hijack.js";
import { JAILBREAK_RULES } from "./rules/jailbreak.js";
import type { Rule, RuleFamily } from "./rules/kit.js";
import { MARKUP_RULES } from "./rules/markup.js";
import { OVERRIDE_RULES } from "./rules/override.js";

export type { Rule, RuleFamily } from "./rules/kit.js";

export interface RuleHit {
  family: RuleFamily;
  /** Span in the scanned (folded) text. */
  start: number;
  end: number;
  weight: number;
}

export const RULES: readonly Rule[] = [
  ...OVERRIDE_RULES,
  ...JAILBREAK_RULES,
  ...EXTRACTION_RULES,
  ...MARKUP_RULES,
  ...AGENT_RULES,
  ...HIJACK_RULES,
];

/** The distinct triggers of the rule set, all found in one pass. */
export const TRIGGERS: readonly string[] = [...new Set(RULES.flatMap((r) => r.triggers))];
const TRIGGER_INDEX = new Map(TRIGGERS.map((t, i) => [t, i]));
const RULE_TRIGGERS = RULES.map((r) => r.triggers.map((t) => TRIGGER_INDEX.get(t)!));
/** Built on first use, so importing the detector stays cheap. */
let scanTriggers: KeywordScan | undefined;

const MAX_HITS_PER_RULE = 16;

/**
 * Runs every rule that applies to `source` on folded `text`. Returns the hits in text order within
 * each rule; at most a handful per rule, so a megabyte of repeated attack stays cheap to report.
 */
export function matchRules(text: string, source: TextSource): RuleHit[] {
  scanTriggers ??= keywordScanner(TRIGGERS);
  const present = scanTriggers(text);
  const hits: RuleHit[] = [];
  for (let r = 0; r < RULES.length; r++) {
    const rule = RULES[r]!;
    if (rule.sources && !rule.sources.includes(source)) continue;
    if (!RULE_TRIGGERS[r]!.some((t) => present[t] === 1)) continue;
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    let count = 0;
    for (let m = pattern.exec(text); m !== null && count < MAX_HITS_PER_RULE; m = pattern.exec(text)) {
      if (m[0].length === 0) pattern.lastIndex++;
      if (rule.accept && !rule.accept(m)) continue;
      hits.push({ family: rule.family, start: m.index, end: m.index + m[0].length, weight: rule.weight });
      count++;
    }
  }
  return hits;
}
