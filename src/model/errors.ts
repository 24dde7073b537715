import { KeelError } from "../errors/index.js";

export type ProviderErrorKind =
  | "rate-limited"
  | "unavailable"
  | "timeout"
  | "network"
  | "bad-request"
  | "auth"
  | "invalid-response"
  | "stream-interrupted"
  | "cancelled";

const CODES: Record<ProviderErrorKind, string> = {
  "rate-limited": "PROVIDER_RATE_LIMITED",
  unavailable: "PROVIDER_UNAVAILABLE",
  timeout: "PROVIDER_TIMEOUT",
  network: "PROVIDER_NETWORK",
  "bad-request": "PROVIDER_BAD_REQUEST",
  auth: "PROVIDER_AUTH",
  "invalid-response": "PROVIDER_INVALID_RESPONSE",
  "stream-interrupted": "PROVIDER_STREAM_INTERRUPTED",
  cancelled: "PROVIDER_CANCELLED",
};

const RETRYABLE = new Set<ProviderErrorKind>([
  "rate-limited",
  "unavailable",
  "timeout",
  "network",
  "invalid-response",
  "stream-interrupted",
]);

/**
 * A call to a model provider failed. `retryable` says whether the same request may succeed later;
 * `retryAfterMs` carries the provider's Retry-After. Never contains the API key or the prompt.
 */
export class ProviderError extends KeelError {
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    provider: string,
    kind: ProviderErrorKind,
    message: string,
    fields: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(CODES[kind], `${provider}: ${message}`, { cause: fields.cause, retryable: RETRYABLE.has(kind) });
    this.provider = provider;
    this.kind = kind;
    this.status = fields.status;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** A provider is configured in a way that cannot work (missing base URL, a capability it lacks). */
export class ModelConfigError extends KeelError {
  constructor(message: string) {
    super("MODEL_CONFIG", message);
  }
}
