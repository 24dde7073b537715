import {
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  noJitterGenerator,
} from "cockatiel";
import { isKeelError } from "../errors/index.js";

/** How a node retries a failed attempt. Backoff is exponential with decorrelated jitter (cockatiel). */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Delay before the first retry (default 100 ms); doubles each retry up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** Longest delay (default 10 s, or `initialDelayMs` if that is longer). */
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
  const { maxAttempts = 3, initialDelayMs = 100, maxDelayMs } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) return "retry.maxAttempts must be an integer >= 1";
  if (!(initialDelayMs >= 0)) return "retry.initialDelayMs must be >= 0";
  if (maxDelayMs !== undefined && !(maxDelayMs >= initialDelayMs)) {
    return `retry.maxDelayMs (${maxDelayMs}) must be >= retry.initialDelayMs (${initialDelayMs})`;
  }
  return undefined;
}

/** Builds the cockatiel policy once per node at compile time. */
export interface BuiltRetry {
  maxAttempts: number;
  retryOn: (error: unknown) => boolean;
  backoff: IBackoffFactory<IRetryBackoffContext<unknown>>;
}

export function buildRetry(policy: RetryPolicy): BuiltRetry {
  const initialDelay = policy.initialDelayMs ?? 100;
  return {
    maxAttempts: policy.maxAttempts ?? 3,
    retryOn: policy.retryOn ?? defaultRetryOn,
    backoff: new ExponentialBackoff({
      initialDelay,
      maxDelay: Math.max(policy.maxDelayMs ?? 10_000, initialDelay),
      generator: (policy.jitter === false
        ? noJitterGenerator
        : decorrelatedJitterGenerator) as typeof noJitterGenerator,
    }),
  };
}

/** What `withRetries` needs of an abort: whether it fired, why, and a way to hear of it. */
export interface Abortable {
  readonly aborted: boolean;
  readonly abortReason: unknown;
  onAbort(listener: (reason: unknown) => void): () => void;
}

/**
 * Runs `attempt(1..maxAttempts)` with cockatiel's exponential backoff between failures. The loop is
 * ours because cockatiel's own sleeps through an abort and then calls the function again: a
 * cancelled run must not start another attempt, nor leave a backoff timer holding the process open.
 */
export async function withRetries<T>(
  policy: BuiltRetry,
  attempt: (n: number) => Promise<T>,
  abort: Abortable,
): Promise<T> {
  let backoff: IBackoff<IRetryBackoffContext<unknown>> | undefined;
  for (let n = 1; ; n++) {
    if (abort.aborted) throw abort.abortReason;
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.maxAttempts || abort.aborted || !policy.retryOn(error)) throw error;
      const context = { attempt: n, signal: neverAborted, result: { error: error as Error } };
      backoff = backoff ? backoff.next(context) : policy.backoff.next(context);
      await sleep(backoff.duration, abort);
    }
  }
}

const neverAborted = new AbortController().signal;

function sleep(ms: number, abort: Abortable): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    const unsubscribe = abort.onAbort((reason) => {
      clearTimeout(timer);
      reject(reason);
    });
  });
}
