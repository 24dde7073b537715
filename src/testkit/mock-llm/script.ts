import { readFileSync } from "node:fs";
import { checkScript, checkStep } from "./check-step.js";
import { defaultReply } from "./default-reply.js";
import { MockScriptError } from "./errors.js";
import type { ChatRequest, Script, ScriptCallInfo, Step } from "./types.js";

/** The step for one chat request, or why the script could not give one (answered as a 500). */
export type NextStep = { ok: true; step: Step } | { ok: false; code: string; message: string };

/**
 * Hands out steps: the next array element, the function's answer, or the default reply when there is
 * no script. Every step is checked before use, since a function (or a mutated array) can return anything.
 */
export function scriptRunner(
  script: Script | undefined,
): (
  request: ChatRequest,
  headers: Record<string, string>,
  endpoint?: ScriptCallInfo["endpoint"],
) => Promise<NextStep> {
  let index = 0;
  return async (request, headers, endpoint = "chat") => {
    const i = index++;
    if (script === undefined) return { ok: true, step: defaultReply(request) };
    let step: unknown;
    if (typeof script === "function") {
      try {
        step = await script(request, { index: i, headers, endpoint });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          ok: false,
          code: "mock_script_error",
          message: `The mock LLM script function threw on chat request ${i + 1}: ${reason}`,
        };
      }
    } else {
      if (i >= script.length) {
        return {
          ok: false,
          code: "mock_script_exhausted",
          message:
            `The mock LLM script ran out: it has ${script.length} step(s) and this is chat request ${i + 1}. ` +
            "Add steps to the script, or pass a function script.",
        };
      }
      step = script[i];
    }
    const issues = checkStep(step);
    if (issues.length > 0) {
      return {
        ok: false,
        code: "mock_script_invalid",
        message: `The mock LLM script gave an invalid step for chat request ${i + 1}: ${issues.join("; ")}`,
      };
    }
    return { ok: true, step: step as Step };
  };
}

/** Throws `MockScriptError` unless `script` is a function or an array of valid steps. */
export function assertScript(script: unknown): asserts script is Script | undefined {
  if (script === undefined || typeof script === "function") return;
  const issues = checkScript(script);
  if (issues.length > 0) throw new MockScriptError("script", issues);
}

/**
 * Reads a script from a JSON file (an array of steps), for `keel mock-llm --script FILE`.
 * Throws `MockScriptError` listing every problem when the file cannot be read or a step is invalid.
 */
export function loadScript(file: string): Step[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new MockScriptError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MockScriptError(file, [`is not valid JSON: ${(error as Error).message}`]);
  }
  const issues = checkScript(data);
  if (issues.length > 0) throw new MockScriptError(file, issues);
  return data as Step[];
}
