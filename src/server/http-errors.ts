/**
 * How errors reach HTTP clients: a status from the error's stable `code`, and OpenAI's error shape
 * `{ error: { message, type, param, code } }` with Keel's code, so the official clients raise their
 * usual exceptions (`AuthenticationError`, `RateLimitError`, ...) carrying it. An error that is not
 * a `KeelError` is a bug: the client gets a generic 500 with the request id, never its message or
 * stack (which may hold data), and the server logs it.
 */
import { isKeelError, KeelError } from "../errors/index.js";
import { ProviderError } from "../model/index.js";
import { BudgetExceededError } from "./budgets.js";
import { RateLimitedError } from "./rate-limits.js";

const STATUS: Record<string, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_MODEL: 404,
  UNKNOWN_WORKFLOW: 404,
  UNKNOWN_COLLECTION: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BUDGET_EXCEEDED: 402,
  RATE_LIMITED: 429,
  CIRCUIT_OPEN: 503,
  SERVER_CLOSING: 503,
  NO_CAPABLE_MODEL: 400,
  UNPRICED_MODEL: 400,
  PROVIDER_RATE_LIMITED: 429,
  PROVIDER_UNAVAILABLE: 502,
  PROVIDER_NETWORK: 502,
  PROVIDER_INVALID_RESPONSE: 502,
  PROVIDER_STREAM_INTERRUPTED: 502,
  PROVIDER_AUTH: 502,
  PROVIDER_TIMEOUT: 504,
  PROVIDER_BAD_REQUEST: 400,
  ALL_PROVIDERS_FAILED: 502,
  INTERNAL: 500,
  OPENAPI_SCHEMA: 500,
};

const TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "insufficient_quota",
  403: "permission_error",
  404: "invalid_request_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  429: "rate_limit_error",
  500: "api_error",
  502: "api_error",
  503: "api_error",
  504: "api_error",
};

export interface HttpError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string } };
  headers: Record<string, string>;
}

/** The HTTP answer for an error; `requestId` is named in the message of unexpected ones. */
export function httpError(error: unknown, requestId: string): HttpError {
  if (!isKeelError(error)) {
    return {
      status: 500,
      body: {
        error: {
          message: `Internal error (request ${requestId}); the server log has the details.`,
          type: "api_error",
          param: null,
          code: "INTERNAL",
        },
      },
      headers: {},
    };
  }
  let status = STATUS[error.code] ?? (error.code.startsWith("INVALID") ? 400 : 400);
  if (error instanceof ProviderError && error.kind === "bad-request" && error.status === 404) status = 404;
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError)
    headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  if (error instanceof ProviderError && error.retryAfterMs !== undefined)
    headers["retry-after"] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  // The official clients retry 429 and 5xx by themselves; a spent budget or a policy refusal will
  // not pass on a retry, and they honour this header.
  if (error instanceof BudgetExceededError || status < 429 || status === 501)
    headers["x-should-retry"] = "false";
  const param = (error as KeelError & { param?: string }).param ?? null;
  return {
    status,
    body: { error: { message: error.message, type: TYPE[status] ?? "api_error", param, code: error.code } },
    headers,
  };
}

/** A 4xx for a malformed request, with the field at fault as OpenAI's `param`. */
export class RequestError extends KeelError {
  readonly param: string | null;
  constructor(code: string, message: string, param: string | null = null) {
    super(code, message);
    this.param = param;
  }
}
