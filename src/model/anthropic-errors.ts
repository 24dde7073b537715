/** How the Anthropic SDK's failures become ProviderError kinds (status, Retry-After, stream error events). */
import Anthropic from "@anthropic-ai/sdk";
import { ProviderError } from "./errors.js";
import { cancelled, errorForStatus, retryAfterMs } from "./wire-errors.js";

/** Error `type`s Anthropic sends in an `error` stream event, which has no HTTP status. */
const STREAM_ERROR_KINDS: Record<string, "rate-limited" | "unavailable"> = {
  rate_limit_error: "rate-limited",
  overloaded_error: "unavailable",
  api_error: "unavailable",
};

/** Maps the SDK's errors to ProviderError, keeping status and Retry-After but never the request. */
export function toProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof Anthropic.APIUserAbortError) return cancelled(provider, error);
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new ProviderError(provider, "timeout", "the request timed out", { cause: error });
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return new ProviderError(provider, "network", `could not reach the server (${error.message})`, {
      cause: error,
    });
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    const detail = `${status === undefined ? "error event" : `HTTP ${status}`}${error.message ? `: ${error.message}` : ""}`;
    const fields = { status, cause: error, retryAfterMs: retryAfterMs(error.headers) };
    if (status === undefined) {
      const kind = STREAM_ERROR_KINDS[error.type ?? ""];
      if (kind) return new ProviderError(provider, kind, detail, fields);
      return new ProviderError(provider, "bad-request", `the server refused the request (${detail})`, fields);
    }
    return errorForStatus(provider, status, detail, fields);
  }
  if (
    error instanceof SyntaxError ||
    (error instanceof Anthropic.AnthropicError && /JSON/i.test(error.message))
  ) {
    return new ProviderError(
      provider,
      "invalid-response",
      `the server sent malformed JSON (${error.message})`,
      {
        cause: error,
      },
    );
  }
  if ((error as { name?: string })?.name === "AbortError") return cancelled(provider, error);
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(provider, "network", `the call failed (${message})`, { cause: error });
}
