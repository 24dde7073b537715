/**
 * Checks a step the way TypeScript would, for steps that come from JSON files or untyped code. Issues
 * are returned as data; the caller decides to throw (loading a script) or to answer 500 (a function
 * script returned a bad step mid-test).
 */

const FAULTS = ["rate-limit", "server-error", "malformed-json", "truncate", "stall"];
const FINISH_REASONS = ["stop", "length", "tool_calls", "content_filter"];
const CONTENT_KINDS = ["text", "json", "toolCalls"] as const;

type Fields = Record<string, unknown>;

/** The problems with one step; empty when it is usable. */
export function checkStep(step: unknown): string[] {
  if (!isObject(step)) return [`a step must be an object, got ${describe(step)}`];
  const kinds = CONTENT_KINDS.filter((kind) => kind in step);
  const issues = [...checkContent(step), ...checkOptions(step)];
  if (!("fault" in step)) {
    if (kinds.length !== 1) {
      issues.unshift(
        kinds.length === 0
          ? "give one of text, json, toolCalls or fault"
          : `give exactly one of text, json, toolCalls (found ${kinds.join(", ")})`,
      );
    }
    return issues;
  }
  return [...checkFault(step, kinds), ...issues];
}

/** The problems with every step of a script, each prefixed with the step's position (from 1). */
export function checkScript(steps: unknown): string[] {
  if (!Array.isArray(steps)) return [`a script must be an array of steps, got ${describe(steps)}`];
  return steps.flatMap((step, i) => checkStep(step).map((issue) => `step ${i + 1}: ${issue}`));
}

function checkFault(step: Fields, kinds: readonly string[]): string[] {
  const { fault } = step;
  if (typeof fault !== "string" || !FAULTS.includes(fault)) {
    return [`unknown fault ${describe(fault)}; use one of ${FAULTS.join(", ")}`];
  }
  const issues: string[] = [];
  if ((fault === "rate-limit" || fault === "server-error") && kinds.length > 0) {
    issues.push(`a "${fault}" fault sends no content; remove ${kinds.join(", ")}`);
  } else if (kinds.length > 1) {
    issues.push(`give at most one of text, json, toolCalls (found ${kinds.join(", ")})`);
  }
  const needsCount = fault === "truncate" || fault === "stall";
  if ((needsCount || step.afterChunks !== undefined) && !isCount(step.afterChunks)) {
    issues.push(`"${fault}" needs afterChunks, a whole number >= 0 (got ${describe(step.afterChunks)})`);
  }
  if (fault === "rate-limit" && step.retryAfter !== undefined && !isDuration(step.retryAfter)) {
    issues.push(`retryAfter must be a number of seconds >= 0 (got ${describe(step.retryAfter)})`);
  }
  if (
    fault === "server-error" &&
    step.status !== undefined &&
    ![500, 502, 503, 529].includes(step.status as number)
  ) {
    issues.push(`status must be 500, 502, 503 or 529 (got ${describe(step.status)})`);
  }
  return issues;
}

function checkContent(step: Fields): string[] {
  const issues: string[] = [];
  if ("text" in step && typeof step.text !== "string")
    issues.push(`text must be a string (got ${describe(step.text)})`);
  if ("json" in step && step.json === undefined) issues.push("json must be a JSON value (got undefined)");
  if ("toolCalls" in step) {
    const calls = step.toolCalls;
    if (!Array.isArray(calls) || calls.length === 0) {
      issues.push(`toolCalls must be a non-empty array (got ${describe(calls)})`);
    } else {
      for (const [i, call] of calls.entries()) {
        const where = `toolCalls[${i}]`;
        if (!isObject(call)) {
          issues.push(`${where} must be an object (got ${describe(call)})`);
          continue;
        }
        if (typeof call.name !== "string" || call.name === "")
          issues.push(`${where}.name must be a non-empty string`);
        if (typeof call.arguments !== "string" && !isObject(call.arguments)) {
          issues.push(`${where}.arguments must be an object or a string (got ${describe(call.arguments)})`);
        }
        if (call.id !== undefined && typeof call.id !== "string") issues.push(`${where}.id must be a string`);
      }
    }
  }
  return issues;
}

function checkOptions(step: Fields): string[] {
  const issues: string[] = [];
  for (const key of ["latencyMs", "chunkDelayMs"]) {
    if (step[key] !== undefined && !isDuration(step[key])) {
      issues.push(`${key} must be a number of milliseconds >= 0 (got ${describe(step[key])})`);
    }
  }
  if (step.chunkSize !== undefined && !(isCount(step.chunkSize) && step.chunkSize > 0)) {
    issues.push(`chunkSize must be a whole number >= 1 (got ${describe(step.chunkSize)})`);
  }
  if (step.model !== undefined && typeof step.model !== "string") issues.push("model must be a string");
  if (step.finishReason !== undefined && !FINISH_REASONS.includes(step.finishReason as string)) {
    issues.push(
      `finishReason must be one of ${FINISH_REASONS.join(", ")} (got ${describe(step.finishReason)})`,
    );
  }
  if (step.usage !== undefined) {
    const usage = step.usage;
    if (!isObject(usage) || !isCount(usage.prompt_tokens) || !isCount(usage.completion_tokens)) {
      issues.push("usage must have prompt_tokens and completion_tokens, whole numbers >= 0");
    } else {
      for (const key of ["cached_tokens", "cache_write_tokens"]) {
        if (usage[key] !== undefined && !isCount(usage[key]))
          issues.push(`usage.${key} must be a whole number >= 0`);
      }
    }
  }
  return issues;
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isDuration(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" && value !== null ? "an object" : JSON.stringify(value);
}
