import {
  type RetryPolicy as CockatielRetry,
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  handleWhen,
  noJitterGenerator,
  retry,
} from "cockatiel";
import { isKeelError } from "../errors/index.js";

/** How a node retries a failed attempt. Backoff is exponential with decorrelated jitter (cockatiel). */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Delay before the first retry (default 100 ms); doubles each retry up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Randomise delays so that many failing runs do not retry in lockstep (default true). */
  jitter?: boolean;
  /**
   * Which errors are worth another attempt. Default: every error except Keel errors marked not
   * retryable (validation, definition, cancellation).
   */
  retryOn?: (error: unknown) => boolean;
}

export function defaultRetryOn(error: unknown): boolean {
  return isKeelError(error) ? error.retryable : true;
}

export function validateRetryPolicy(policy: RetryPolicy): string | undefined {
  const { maxAttempts = 3, initialDelayMs = 100, maxDelayMs = 10_000 } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) return "retry.maxAttempts must be an integer >= 1";
  if (!(initialDelayMs >= 0)) return "retry.initialDelayMs must be >= 0";
  if (!(maxDelayMs >= initialDelayMs)) return "retry.maxDelayMs must be >= retry.initialDelayMs";
  return undefined;
}

/** Builds the cockatiel policy once per node at compile time. */
export interface BuiltRetry {
  execute: CockatielRetry["execute"];
  maxAttempts: number;
}

export function buildRetry(policy: RetryPolicy): BuiltRetry {
  const maxAttempts = policy.maxAttempts ?? 3;
  const initialDelay = policy.initialDelayMs ?? 100;
  const cockatiel = retry(handleWhen(policy.retryOn ?? defaultRetryOn), {
    maxAttempts: maxAttempts - 1,
    backoff: new ExponentialBackoff({
      initialDelay,
      maxDelay: Math.max(policy.maxDelayMs ?? 10_000, initialDelay),
      generator: (policy.jitter === false
        ? noJitterGenerator
        : decorrelatedJitterGenerator) as typeof noJitterGenerator,
    }),
  });
  return { execute: cockatiel.execute.bind(cockatiel), maxAttempts };
}
