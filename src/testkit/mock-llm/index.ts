/**
 * An OpenAI-compatible mock LLM server for tests, demos and benchmarks. It imports nothing from
 * vitest, so unlike the rest of `testkit/` it can ship in the package and back the CLI.
 *
 * Deliberately left out: the step checker, the wire builders and the HTTP helpers (internal; the
 * wire format is what the tests assert, through the official openai client).
 */
export { type MockLLMCommandOptions, runMockLLMCommand } from "./command.js";
export { MockScriptError } from "./errors.js";
export { loadScript } from "./script.js";
export { startMockLLM } from "./server.js";
export type {
  ChatMessage,
  ChatRequest,
  ContentFault,
  FaultStep,
  FinishReason,
  MockLLM,
  MockLLMOptions,
  RateLimitFault,
  RecordedRequest,
  ReplyContent,
  ReplyOptions,
  ReplyStep,
  Script,
  ScriptCallInfo,
  ServerErrorFault,
  Step,
  StepTiming,
  StepUsage,
  ToolCallStep,
} from "./types.js";
