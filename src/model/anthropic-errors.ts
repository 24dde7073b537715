/** How the Anthropic SDK's failures become ProviderError kinds (status, Retry-After, stream error events). */
import Anthropic from "@anthropic-ai/sdk";
import { ProviderError } from "./errors.js";

export function cancelled(provider: string, reason: unknown): ProviderError {
  return new ProviderError(provider, "cancelled", "the call was cancelled", { cause: reason });
}

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
    if (status === 429)
      return new ProviderError(provider, "rate-limited", `rate limited (${detail})`, fields);
    if (status === 401 || status === 403) {
      return new ProviderError(
        provider,
        "auth",
        `the server refused the credentials (${detail}); check the API key`,
        fields,
      );
    }
    if (status === 408) return new ProviderError(provider, "timeout", detail, fields);
    // 529 is Anthropic's "overloaded": retryable like any 5xx.
    if (status >= 500) return new ProviderError(provider, "unavailable", detail, fields);
    return new ProviderError(provider, "bad-request", `the server refused the request (${detail})`, fields);
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

/** Retry-After as seconds or an HTTP date, in milliseconds. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after-ms") ?? undefined;
  if (value !== undefined && Number.isFinite(Number(value))) return Number(value);
  const after = headers?.get("retry-after");
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
