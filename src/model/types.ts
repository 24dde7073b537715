/**
 * The provider contract: plain data types and a plain-object provider, no dependencies. Every
 * adapter (OpenAI-compatible, Anthropic, offline) translates its wire format to and from these.
 */

export interface TextPart {
  type: "text";
  text: string;
}

export interface ImagePart {
  type: "image";
  /** An https URL or a data: URL. */
  url: string;
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text, possibly invalid). */
  arguments: string;
}

export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ContentPart[] }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export type ResponseFormat =
  | { type: "text" }
  | { type: "json" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean };

export interface ModelRequest {
  /** The provider's model name (aliases are resolved before a request reaches a provider). */
  model: string;
  messages: Message[];
  tools?: ToolSpec[];
  toolChoice?: "auto" | "none" | "required" | { name: string };
  responseFormat?: ResponseFormat;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string[];
}

/** Token counts, normalised: `inputTokens` includes cached and cache-write tokens. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (a subset of inputTokens). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (a subset of inputTokens). */
  cacheWriteTokens: number;
  /** "provider" when the provider reported the counts, "estimated" when Keel counted them. */
  source: "provider" | "estimated";
}

export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "other";

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** The model that answered, as the provider reports it. */
  model: string;
  provider: string;
  systemFingerprint?: string;
}

/** One part of a streamed response, discriminated on `type`. */
export type StreamPart =
  | { type: "text-delta"; text: string }
  | { type: "tool-call-start"; index: number; id: string; name: string }
  | { type: "tool-call-delta"; index: number; id: string; argumentsDelta: string }
  | { type: "tool-call"; toolCall: ToolCall }
  | { type: "finish"; response: ModelResponse };

export interface ProviderCapabilities {
  tools: boolean;
  /** Native JSON-schema constrained output. */
  jsonSchema: boolean;
  images: boolean;
  streaming: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * A model provider: a plain object. `stream` yields parts and ends with one `finish` part carrying
 * the whole response (text, tool calls, usage), so a caller can stream and still account exactly.
 */
export interface Provider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse>;
  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamPart>;
}
