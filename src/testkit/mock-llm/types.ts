/**
 * The mock LLM's public vocabulary: script steps, the chat request a script sees, recorded requests,
 * and the running server's handle. Plain types only, so a script can be written as JSON.
 */

/** A tool call the mock should answer with. `arguments` is sent as given when a string (even invalid JSON). */
export interface ToolCallStep {
  name: string;
  arguments: Record<string, unknown> | string;
  /** Default: `call_mock_<request>_<index>`, deterministic per server. */
  id?: string;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Token counts to report instead of the computed ones (ceil(chars / 4)). */
export interface StepUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /**
   * Cache reads, a part of `prompt_tokens`: `prompt_tokens_details.cached_tokens` on chat completions,
   * `cache_read_input_tokens` on Anthropic messages.
   */
  cached_tokens?: number;
  /**
   * Cache writes, a part of `prompt_tokens`: `cache_creation_input_tokens` on Anthropic messages (whose
   * `input_tokens` then excludes both cache counts); chat completions do not report them.
   */
  cache_write_tokens?: number;
}

/** When and how the answer arrives. */
export interface StepTiming {
  /** Delay before the response headers. */
  latencyMs?: number;
  /** Delay between stream chunks. */
  chunkDelayMs?: number;
  /** Characters of content (or tool-call arguments) per stream chunk; default 4. */
  chunkSize?: number;
}

export interface ReplyOptions extends StepTiming {
  usage?: StepUsage;
  /** Default: the model the request asked for. */
  model?: string;
  /** Default: "tool_calls" for tool calls, "stop" otherwise. */
  finishReason?: FinishReason;
}

/** Exactly one kind of answer. `json` is serialized as the message content. */
export type ReplyContent =
  | { text: string; json?: never; toolCalls?: never }
  | { json: unknown; text?: never; toolCalls?: never }
  | { toolCalls: ToolCallStep[]; text?: never; json?: never };

type NoContent = { text?: never; json?: never; toolCalls?: never };

export type ReplyStep = ReplyContent & ReplyOptions & { fault?: never };

/** 429 with a `Retry-After` header (seconds, default 1) and an OpenAI error body. */
export interface RateLimitFault {
  fault: "rate-limit";
  retryAfter?: number;
  latencyMs?: number;
}

/** A 5xx with an OpenAI (or, on /v1/messages, Anthropic) error body; 529 is Anthropic's "overloaded". */
export interface ServerErrorFault {
  fault: "server-error";
  status?: 500 | 502 | 503 | 529;
  latencyMs?: number;
}

/**
 * Faults that send (part of) an answer: its content is the step's `text` / `json` / `toolCalls`, or the
 * default reply when the step has none.
 * - `malformed-json`: non-stream, a 200 JSON response cut in the middle; stream, `afterChunks` (default
 *   1) good chunks, then a `data:` line with broken JSON, then `[DONE]`.
 * - `truncate`: stream, `afterChunks` chunks then the socket is destroyed (no `[DONE]`); non-stream, half
 *   the body then the socket is destroyed.
 * - `stall`: stream, `afterChunks` chunks then nothing until the client aborts or the server closes;
 *   non-stream, the headers and then nothing.
 */
export type ContentFault = (
  | { fault: "malformed-json"; afterChunks?: number }
  | { fault: "truncate"; afterChunks: number }
  | { fault: "stall"; afterChunks: number }
) &
  (ReplyContent | NoContent) &
  ReplyOptions;

export type FaultStep = RateLimitFault | ServerErrorFault | ContentFault;

/** What the mock does with one chat request. */
export type Step = ReplyStep | FaultStep;

/** A chat message as the mock reads it (only the fields it uses are typed). */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { function?: { name?: string; arguments?: string } }[];
  [key: string]: unknown;
}

/** The body of a `POST /v1/chat/completions`, as received (unknown fields kept). */
export interface ChatRequest {
  model?: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  response_format?: unknown;
  [key: string]: unknown;
}

export interface ScriptCallInfo {
  /** 0 for the first chat request this server scripted, then 1, 2, ... (both endpoints count). */
  index: number;
  /**
   * "chat" for `POST /v1/chat/completions`; "messages" for Anthropic's `POST /v1/messages`, whose
   * request then carries Anthropic content blocks and `system`.
   */
  endpoint: "chat" | "messages";
  headers: Record<string, string>;
}

/** An array is consumed in order, one step per chat request; a function decides per request. */
export type Script = readonly Step[] | ((request: ChatRequest, info: ScriptCallInfo) => Step | Promise<Step>);

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. "/v1/chat/completions". */
  path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Milliseconds since the epoch, from the `now` option. */
  at: number;
}

export interface MockLLMOptions {
  /** Without one, every chat request gets the default reply (`mock reply to: <last user message>`). */
  script?: Script;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Listed by `GET /v1/models`; default ["mock-small", "mock-large"]. */
  models?: string[];
  /** Clock for `at` and `created`; default Date.now. */
  now?: () => number;
}

export interface MockLLM {
  /** Base URL for an OpenAI client, e.g. "http://127.0.0.1:41234/v1". */
  readonly url: string;
  /** Base URL for an Anthropic client, which adds `/v1/messages` itself: e.g. "http://127.0.0.1:41234". */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in arrival order (live array). */
  readonly requests: RecordedRequest[];
  /** Stops listening and ends every open connection, stalled streams included. Safe to call twice. */
  close(): Promise<void>;
}
