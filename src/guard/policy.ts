/**
 * Policies map findings to actions. A policy is data (id, version, rules per finding type, optional
 * overrides per text source), so the action taken for any text can be recorded and explained.
 */
import { KeelError } from "../errors/index.js";
import { PII_TYPES } from "./pii/index.js";
import type { Finding, FindingType, TextSource } from "./types.js";

export type Action = "allow" | "flag" | "redact" | "block";

const SEVERITY: Record<Action, number> = { allow: 0, flag: 1, redact: 2, block: 3 };
const ACTIONS = Object.keys(SEVERITY) as Action[];
const SOURCES: TextSource[] = ["input", "retrieved", "tool", "output"];

export type ActionRules = Partial<Record<FindingType, Action>> & { [type: string]: Action | undefined };

export interface PolicyDefinition {
  /** Recorded with every verdict, with `version`, so a decision can be traced to the rules in force. */
  id: string;
  version?: number | string;
  /** Action per finding type. */
  rules: ActionRules;
  /** Action for a finding whose type has no rule. Default "flag": unknown findings are seen, not acted on. */
  default?: Action;
  /** Per-source overrides of `rules` (e.g. block injections in user input, redact them in tool output). */
  sources?: Partial<Record<TextSource, ActionRules>>;
  /** Findings scored below this are ignored (default 0.5); per type with an object. */
  minScore?: number | Partial<Record<FindingType, number>>;
}

export interface Policy {
  readonly id: string;
  readonly version: number | string;
  /** The action for one finding in text from `source` (allow when its score is under the threshold). */
  actionFor(finding: Finding, source: TextSource): Action;
  /** Whether the policy names `type` for `source` (in `rules` or in that source's overrides). */
  hasRule(type: string, source: TextSource): boolean;
  readonly definition: Readonly<PolicyDefinition>;
}

export class PolicyError extends KeelError {
  constructor(message: string) {
    super("GUARD_POLICY_INVALID", message);
  }
}

/** Validates a definition once, so a typo ("redcat") fails at startup rather than allowing text through. */
export function policy(definition: PolicyDefinition): Policy {
  if (typeof definition.id !== "string" || definition.id === "") {
    throw new PolicyError("A guard policy needs a non-empty `id`; it is recorded with every verdict.");
  }
  checkRules(definition.rules, "rules");
  const fallback = definition.default ?? "flag";
  checkAction(fallback, "default");
  for (const [source, rules] of Object.entries(definition.sources ?? {})) {
    if (!SOURCES.includes(source as TextSource)) {
      throw new PolicyError(
        `Unknown source "${source}" in policy "${definition.id}": use one of ${SOURCES.join(", ")}.`,
      );
    }
    checkRules(rules ?? {}, `sources.${source}`);
  }
  const minScore = definition.minScore ?? 0.5;
  const thresholds = typeof minScore === "number" ? {} : minScore;
  const defaultMin = typeof minScore === "number" ? minScore : 0.5;
  for (const value of [defaultMin, ...Object.values(thresholds)]) {
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      throw new PolicyError(`minScore must be a number from 0 to 1 in policy "${definition.id}".`);
    }
  }
  return {
    id: definition.id,
    version: definition.version ?? 1,
    definition: Object.freeze({ ...definition }),
    hasRule(type, source) {
      const bySource = definition.sources?.[source];
      return (
        (bySource !== undefined && Object.hasOwn(bySource, type)) || Object.hasOwn(definition.rules, type)
      );
    },
    actionFor(finding, source) {
      const min = Object.hasOwn(thresholds, finding.type) ? thresholds[finding.type] : undefined;
      if (finding.score < (min ?? defaultMin)) return "allow";
      // Own properties only: a finding type named "constructor" must not read Object.prototype.
      const bySource = definition.sources?.[source];
      if (bySource && Object.hasOwn(bySource, finding.type)) return bySource[finding.type] as Action;
      if (Object.hasOwn(definition.rules, finding.type)) return definition.rules[finding.type] as Action;
      return fallback;
    },
  };
}

/** The strictest of a set of actions (block > redact > flag > allow). */
export function strictest(actions: Iterable<Action>): Action {
  let result: Action = "allow";
  for (const action of actions) if (SEVERITY[action] > SEVERITY[result]) result = action;
  return result;
}

function checkRules(rules: ActionRules, where: string): void {
  if (rules === null || typeof rules !== "object")
    throw new PolicyError(`Policy ${where} must be an object.`);
  for (const [type, action] of Object.entries(rules)) checkAction(action, `${where}.${type}`);
}

function checkAction(action: unknown, where: string): void {
  if (!ACTIONS.includes(action as Action)) {
    throw new PolicyError(
      `Unknown action ${JSON.stringify(action)} at ${where}: use one of ${ACTIONS.join(", ")}.`,
    );
  }
}

/**
 * Keel's default: injections in user input are blocked and in retrieved or tool text withheld
 * (redacted) before they reach a model; secrets never reach a model or a user; personal data is
 * replaced with placeholders on the way in (and restored in the answer when a vault is used); a
 * leaked canary blocks the answer.
 */
export const defaultPolicy: Policy = policy({
  id: "keel-default",
  version: 1,
  rules: {
    PROMPT_INJECTION: "block",
    PROMPT_LEAK: "block",
    SECRET: "redact",
    ...Object.fromEntries(PII_TYPES.map((type) => [type, "redact" as const])),
  },
  sources: {
    retrieved: { PROMPT_INJECTION: "redact" },
    tool: { PROMPT_INJECTION: "redact" },
    output: { PROMPT_INJECTION: "flag" },
  },
});
