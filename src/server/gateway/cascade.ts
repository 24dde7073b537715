/**
 * A cascade route: the cheapest model first, the next one only when an answer is not acceptable or
 * the model fails with a retryable error. A gateway sees no application schema, so "acceptable" is
 * what the request itself can say: the answer finished (not cut at max_tokens, not filtered), is not
 * empty, and, when response_format asks for JSON, parses as a JSON object holding the schema's
 * required top-level keys. Streams are answered once an answer is accepted (a streamed answer cannot
 * be taken back once sent).
 */
import {
  type CallOptions,
  type ModelRequest,
  type ModelResponse,
  type Provider,
  ProviderError,
  type StreamPart,
} from "../../model/index.js";

/** Why an answer is not acceptable, or undefined when it is. */
export function unacceptable(request: ModelRequest, response: ModelResponse): string | undefined {
  if (response.finishReason !== "stop" && response.finishReason !== "tool-calls")
    return `the answer ended with ${response.finishReason}`;
  if (response.toolCalls.length > 0) return undefined;
  if (response.text.trim() === "") return "the answer is empty";
  const format = request.responseFormat;
  if (format?.type !== "json" && format?.type !== "json_schema") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(response.text);
  } catch {
    return "the answer is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "the answer is not a JSON object";
  const required = format.type === "json_schema" ? (format.schema.required as unknown) : undefined;
  const missing = Array.isArray(required)
    ? required.filter((k) => typeof k === "string" && !(k in value))
    : [];
  return missing.length > 0 ? `the answer lacks ${missing.join(", ")}` : undefined;
}

export function cascadeProvider(id: string, steps: readonly Provider[]): Provider {
  const generate = async (request: ModelRequest, options?: CallOptions): Promise<ModelResponse> => {
    let last: ModelResponse | undefined;
    let lastError: unknown;
    for (const [i, step] of steps.entries()) {
      const final = i === steps.length - 1;
      try {
        last = await step.generate(request, options);
      } catch (error) {
        // A bad request fails on every model; a cancellation is the caller's.
        if (!(error instanceof ProviderError) || !error.retryable || final) throw error;
        lastError = error;
        continue;
      }
      if (final || unacceptable(request, last) === undefined) return last;
    }
    if (last) return last;
    throw lastError;
  };
  return {
    id,
    capabilities: steps[steps.length - 1]?.capabilities ?? steps[0]!.capabilities,
    generate,
    async *stream(request, options): AsyncIterable<StreamPart> {
      const response = await generate(request, options);
      if (response.text) yield { type: "text-delta", text: response.text };
      for (const [index, call] of response.toolCalls.entries()) {
        yield { type: "tool-call-start", index, id: call.id, name: call.name };
        yield { type: "tool-call-delta", index, id: call.id, argumentsDelta: call.arguments };
        yield { type: "tool-call", toolCall: call };
      }
      yield { type: "finish", response };
    },
  };
}
