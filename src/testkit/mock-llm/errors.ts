import { KeelError } from "../../errors/index.js";

/** A mock LLM script (an array of steps, or a JSON file of one) that cannot be used; every issue is listed. */
export class MockScriptError extends KeelError {
  /** The file, or "script" for a script given in code. */
  readonly source: string;
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(
      "MOCK_SCRIPT_INVALID",
      `The mock LLM script (${source}) cannot be used:\n${issues.map((i) => `  - ${i}`).join("\n")}\n` +
        'A script is an array of steps, each one of {"text": ...}, {"json": ...}, {"toolCalls": [{"name", "arguments"}]} ' +
        'or {"fault": "rate-limit" | "server-error" | "malformed-json" | "truncate" | "stall"}.',
    );
    this.source = source;
    this.issues = issues;
  }
}
