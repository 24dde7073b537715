/** Error handling shared by the adapters: HTTP statuses, Retry-After, and how a stream can end badly. */
import { ProviderError } from "./errors.js";

export function cancelled(provider: string, reason: unknown): ProviderError {
  return new ProviderError(provider, "cancelled", "the call was cancelled", { cause: reason });
}

/** The ProviderError for an HTTP error status (429, 401/403, 408, 5xx including 529, other 4xx). */
export function errorForStatus(
  provider: string,
  status: number,
  detail: string,
  fields: { status?: number; retryAfterMs?: number; cause?: unknown },
): ProviderError {
  if (status === 429) return new ProviderError(provider, "rate-limited", `rate limited (${detail})`, fields);
  if (status === 401 || status === 403) {
    return new ProviderError(
      provider,
      "auth",
      `the server refused the credentials (${detail}); check the API key`,
      fields,
    );
  }
  if (status === 408) return new ProviderError(provider, "timeout", detail, fields);
  // 5xx, and Anthropic's 529 "overloaded": worth another try.
  if (status >= 500) return new ProviderError(provider, "unavailable", detail, fields);
  return new ProviderError(provider, "bad-request", `the server refused the request (${detail})`, fields);
}

/** Retry-After (or retry-after-ms) as milliseconds; the header may hold seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get("retry-after-ms") ?? undefined;
  if (ms !== undefined && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers?.get("retry-after");
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A failure while a stream was being read: a cancellation if the signal aborted, a cut-off stream if
 * the connection broke once the stream was flowing, otherwise the mapped error.
 */
export function streamFailure(
  provider: string,
  error: unknown,
  signal: AbortSignal | undefined,
  map: (provider: string, error: unknown) => ProviderError,
): ProviderError {
  if (signal?.aborted) return cancelled(provider, signal.reason);
  const mapped = map(provider, error);
  if (mapped.kind !== "network") return mapped;
  return new ProviderError(
    provider,
    "stream-interrupted",
    `the stream was cut off (${(error as Error).message})`,
    {
      cause: error,
    },
  );
}

/**
 * Checks how a stream ended: the SDKs end the iteration quietly when the signal aborts (a
 * cancellation, not a cut), and a stream without a finish reason was cut off.
 */
export function checkStreamEnd<T>(
  provider: string,
  signal: AbortSignal | undefined,
  finish: T | undefined,
): T {
  if (signal?.aborted) throw cancelled(provider, signal.reason);
  if (finish === undefined) {
    throw new ProviderError(
      provider,
      "stream-interrupted",
      "the stream ended before the model finished; retry the call",
    );
  }
  return finish;
}

/**
 * A server may echo the credential it refused into its error text; the adapters pass their key
 * here so that it never reaches a message (the SDK error, which may hold it too, is dropped).
 */
export function withoutSecret(error: ProviderError, secret: string | undefined): ProviderError {
  if (!secret || secret.length < 8 || !error.message.includes(secret)) return error;
  const message = error.message
    .slice(error.provider.length + 2)
    .split(secret)
    .join("[redacted]");
  return new ProviderError(error.provider, error.kind, message, {
    status: error.status,
    retryAfterMs: error.retryAfterMs,
  });
}

/** `withoutSecret` for every error a stream throws. */
export async function* guardSecret<T>(
  parts: AsyncIterable<T>,
  secret: string | undefined,
): AsyncGenerator<T> {
  try {
    yield* parts;
  } catch (error) {
    throw error instanceof ProviderError ? withoutSecret(error, secret) : error;
  }
}
