import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  IsolatedCircuitError,
} from "cockatiel";
import { KeelError } from "../errors/index.js";
import { ModelConfigError, ProviderError } from "./errors.js";
import type { CallOptions, ModelRequest, ModelResponse, Provider, StreamPart } from "./types.js";
import { cancelled } from "./wire-errors.js";

/** A response that says how many requests it took (the successful one included). */
export type AttemptedResponse = ModelResponse & { attempts: number };

/** A stream part whose `finish` response says how many requests the stream took. */
export type AttemptedStreamPart =
  | Exclude<StreamPart, { type: "finish" }>
  | { type: "finish"; response: AttemptedResponse };

/** A provider whose results carry `attempts`; still a `Provider`, so it can be used anywhere one is. */
export interface ResilientProvider extends Provider {
  generate(request: ModelRequest, options?: CallOptions): Promise<AttemptedResponse>;
  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<AttemptedStreamPart>;
}

export interface RetryOptions {
  /** Requests in all, the first included (default 3). */
  maxAttempts?: number;
  /** Delay before the first retry (default 200 ms); grows exponentially, with jitter. */
  initialDelayMs?: number;
  /** Longest backoff delay (default 10 s). A provider's Retry-After may ask for longer. */
  maxDelayMs?: number;
  /** Longest Retry-After honoured (default 60 s); a provider asking for more fails the call at once. */
  maxRetryAfterMs?: number;
}

export interface BreakerOptions {
  /** Consecutive provider failures that open the circuit (default 5). */
  consecutiveFailures?: number;
  /** How long an open circuit fails fast before letting one test call through (default 30 s). */
  halfOpenAfterMs?: number;
}

export interface ResilienceOptions {
  retry?: RetryOptions;
  /**
   * Per attempt: for `generate`, the whole request; for `stream`, the wait for each part (so a long
   * answer may take as long as it flows, but a stalled one is cut). Default: none.
   */
  timeoutMs?: number;
  /** A circuit breaker for this wrapper (default on); `false` turns it off. */
  breaker?: BreakerOptions | false;
}

/**
 * The circuit of a provider is open: it failed too often in a row, so calls fail fast, without a
 * request, until `halfOpenAfterMs` has passed. `retryable` is false because retrying within a
 * backoff window only meets the open circuit again; a fallback chain moves on to its next provider.
 */
export class CircuitOpenError extends KeelError {
  readonly provider: string;
  /** Requests this call made before the circuit opened (0 when it was open from the start). */
  readonly attempts: number;

  constructor(provider: string, attempts: number, cause?: unknown) {
    super(
      "PROVIDER_CIRCUIT_OPEN",
      `${provider}: the circuit is open after repeated failures, so the call was not sent; use a fallback provider or try again later.`,
      { cause },
    );
    this.provider = provider;
    this.attempts = attempts;
  }
}

/**
 * How many requests a failed call made. `resilient()` rethrows the provider's own last error (so
 * `kind`, `status` and `code` still work) and records the count on it; this reads it back.
 */
export function attemptsOf(error: unknown): number | undefined {
  if (error instanceof CircuitOpenError) return error.attempts;
  const attempts = (error as { attempts?: unknown } | null)?.attempts;
  return typeof attempts === "number" ? attempts : undefined;
}

/**
 * Wraps a provider with retries (exponential backoff with jitter, honouring Retry-After), a timeout
 * per attempt and a circuit breaker. Only retryable `ProviderError`s are retried; a cancelled call,
 * a bad request or bad credentials fail at once. One breaker per call of `resilient()`: wrap each
 * provider once and share the wrapper.
 *
 * @example
 * const model = resilient(openaiCompatible({ baseURL }), { timeoutMs: 30_000 });
 * const { text, attempts } = await model.generate(request, { signal });
 */
export function resilient(provider: Provider, options: ResilienceOptions = {}): ResilientProvider {
  const policy = buildPolicy(provider.id, options);

  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request, callOptions = {}) {
      const { value, attempts } = await withRetries(policy, callOptions.signal, async () => {
        const scope = attemptScope(provider.id, callOptions.signal, options.timeoutMs);
        let answered = false;
        try {
          const response = await scope.run(provider.generate(request, { signal: scope.signal }));
          answered = true;
          return response;
        } finally {
          // An answered call has read its response to the end: nothing to release.
          scope.close(answered);
        }
      });
      return { ...value, attempts };
    },
    stream(request, callOptions = {}) {
      return resilientStream(provider, request, callOptions.signal, policy, options.timeoutMs);
    },
  };
}

interface Policy {
  provider: string;
  maxAttempts: number;
  maxRetryAfterMs: number;
  backoff: IBackoffFactory<IRetryBackoffContext<unknown>>;
  breaker: CircuitBreakerPolicy | undefined;
}

function buildPolicy(provider: string, options: ResilienceOptions): Policy {
  const problem = validate(options);
  if (problem) throw new ModelConfigError(`resilient(${provider}): ${problem}`);
  const {
    maxAttempts = 3,
    initialDelayMs = 200,
    maxDelayMs = 10_000,
    maxRetryAfterMs = 60_000,
  } = options.retry ?? {};
  const breaker =
    options.breaker === false
      ? undefined
      : circuitBreaker(handleWhen(isProviderFailure), {
          halfOpenAfter: options.breaker?.halfOpenAfterMs ?? 30_000,
          breaker: new ConsecutiveBreaker(options.breaker?.consecutiveFailures ?? 5),
        });
  return {
    provider,
    maxAttempts,
    maxRetryAfterMs,
    backoff: new ExponentialBackoff({
      initialDelay: initialDelayMs,
      maxDelay: Math.max(maxDelayMs, initialDelayMs),
      generator: decorrelatedJitterGenerator,
    }),
    breaker,
  };
}

function validate({ retry = {}, timeoutMs, breaker }: ResilienceOptions): string | undefined {
  const { maxAttempts = 3, initialDelayMs = 200, maxDelayMs = 10_000, maxRetryAfterMs = 60_000 } = retry;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) return "retry.maxAttempts must be an integer >= 1";
  if (!(initialDelayMs >= 0)) return "retry.initialDelayMs must be a number >= 0";
  if (!(maxDelayMs >= initialDelayMs)) return "retry.maxDelayMs must be >= retry.initialDelayMs";
  if (!(maxRetryAfterMs >= 0)) return "retry.maxRetryAfterMs must be a number >= 0";
  if (timeoutMs !== undefined && !(timeoutMs > 0)) return "timeoutMs must be a number > 0 (or left out)";
  if (breaker) {
    const { consecutiveFailures = 5, halfOpenAfterMs = 30_000 } = breaker;
    if (!Number.isInteger(consecutiveFailures) || consecutiveFailures < 1) {
      return "breaker.consecutiveFailures must be an integer >= 1";
    }
    if (!(halfOpenAfterMs >= 0)) return "breaker.halfOpenAfterMs must be a number >= 0";
  }
  return undefined;
}

/**
 * What counts against a provider's health: the retryable kinds (rate limits, 5xx, network, timeouts,
 * broken responses). A bad request or a cancelled call says nothing about the provider.
 */
function isProviderFailure(error: unknown): boolean {
  return error instanceof ProviderError && error.retryable;
}

/**
 * Runs `attempt` until it succeeds or may not be retried. The loop is ours, with cockatiel's backoff
 * and breaker, because cockatiel's RetryPolicy sleeps through an abort and then calls again: a
 * cancelled call must not send another request, nor leave a backoff timer running.
 */
async function withRetries<T>(
  policy: Policy,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  let backoff: IBackoff<IRetryBackoffContext<unknown>> | undefined;
  let lastError: unknown;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw withAttempts(cancelled(policy.provider, signal.reason), n - 1);
    try {
      const value = policy.breaker ? await policy.breaker.execute(attempt) : await attempt();
      return { value, attempts: n };
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new CircuitOpenError(policy.provider, n - 1, lastError);
      }
      lastError = error;
      const retry = { attempt: n, signal: neverAborted, result: { error: error as Error } };
      backoff = backoff ? backoff.next(retry) : policy.backoff.next(retry);
      const delay = retryDelay(policy, error, n, backoff.duration);
      if (delay === undefined || signal?.aborted) throw withAttempts(error, n);
      await sleep(delay, signal).catch((reason) => {
        throw withAttempts(cancelled(policy.provider, reason), n);
      });
    }
  }
}

const neverAborted = new AbortController().signal;

/** How long to wait before the next attempt, or undefined to give up with this error. */
function retryDelay(policy: Policy, error: unknown, attempt: number, backoffMs: number): number | undefined {
  if (!(error instanceof ProviderError) || !error.retryable || attempt >= policy.maxAttempts)
    return undefined;
  const after = error.retryAfterMs ?? 0;
  // Waiting longer than the caller allows would only hold the call open to fail later.
  if (after > policy.maxRetryAfterMs) return undefined;
  return Math.max(backoffMs, after);
}

function withAttempts<E>(error: E, attempts: number): E {
  if (error instanceof Error && !(error instanceof CircuitOpenError)) {
    Object.defineProperty(error, "attempts", { value: attempts, configurable: true, enumerable: false });
  }
  return error;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * One attempt's cancellation scope: the provider gets `signal`, aborted when the caller aborts or a
 * wait in `run` exceeds `timeoutMs`. `run` settles as soon as either happens, even if the provider
 * ignores its signal.
 */
interface AttemptScope {
  readonly signal: AbortSignal;
  run<T>(work: Promise<T>): Promise<T>;
  /** Ends the scope; `answered`: the provider returned, so its connection needs no abort to be freed. */
  close(answered?: boolean): void;
}

/** Without a timeout a scope needs no signal of its own: the caller's is passed through. */
function passThrough(caller: AbortSignal | undefined): AttemptScope {
  return {
    signal: caller as AbortSignal,
    run: (work) => work,
    close: () => undefined,
  };
}

function attemptScope(
  provider: string,
  caller: AbortSignal | undefined,
  timeoutMs: number | undefined,
): AttemptScope {
  // An AbortController costs more than the rest of a call's bookkeeping here: make one only when a
  // timeout may have to abort the attempt.
  if (timeoutMs === undefined && caller !== undefined) return passThrough(caller);
  const controller = new AbortController();
  const waiting = new Set<(error: unknown) => void>();
  // Cleared on failure too: a provider that ignores its signal must not keep a timer (and the
  // process) alive after the caller gave up.
  const timers = new Set<NodeJS.Timeout>();
  let failure: unknown;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const reject of waiting) reject(error);
    controller.abort(error);
  };
  const onCallerAbort = () => fail(cancelled(provider, caller?.reason));
  caller?.addEventListener("abort", onCallerAbort, { once: true });
  if (caller?.aborted) onCallerAbort();

  return {
    signal: controller.signal,
    run(work) {
      return new Promise((resolve, reject) => {
        if (failure !== undefined) {
          work.catch(() => undefined);
          reject(failure);
          return;
        }
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(
                () =>
                  fail(
                    new ProviderError(provider, "timeout", `no answer within ${timeoutMs} ms (timeoutMs)`),
                  ),
                timeoutMs,
              );
        if (timer) timers.add(timer);
        waiting.add(reject);
        work
          .then(resolve, (error) => reject(failure ?? error))
          .finally(() => {
            clearTimeout(timer);
            if (timer) timers.delete(timer);
            waiting.delete(reject);
          });
      });
    },
    close(answered = false) {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      caller?.removeEventListener("abort", onCallerAbort);
      // Releases the connection of an attempt that was given up or not read to the end.
      if (!answered) controller.abort();
    },
  };
}

interface OpenedStream {
  iterator: AsyncIterator<StreamPart>;
  first: IteratorResult<StreamPart>;
  scope: AttemptScope;
}

/**
 * Retries only until the first part arrives: once a part has reached the caller, a failure is
 * propagated, since replaying half a stream would show the caller text twice.
 */
async function* resilientStream(
  provider: Provider,
  request: ModelRequest,
  signal: AbortSignal | undefined,
  policy: Policy,
  timeoutMs: number | undefined,
): AsyncGenerator<AttemptedStreamPart> {
  const { value: opened, attempts } = await withRetries(policy, signal, () =>
    openStream(provider, request, signal, timeoutMs),
  );
  const { iterator, scope } = opened;
  let next = opened.first;
  try {
    while (!next.done) {
      const part = next.value;
      yield part.type === "finish" ? { type: "finish", response: { ...part.response, attempts } } : part;
      next = await scope.run(iterator.next());
    }
  } catch (error) {
    throw withAttempts(error, attempts);
  } finally {
    scope.close();
    if (!next.done) iterator.return?.()?.catch(() => undefined);
  }
}

async function openStream(
  provider: Provider,
  request: ModelRequest,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Promise<OpenedStream> {
  const scope = attemptScope(provider.id, signal, timeoutMs);
  let iterator: AsyncIterator<StreamPart> | undefined;
  try {
    iterator = provider.stream(request, { signal: scope.signal })[Symbol.asyncIterator]();
    const first = await scope.run(iterator.next());
    return { iterator, first, scope };
  } catch (error) {
    scope.close();
    iterator?.return?.()?.catch(() => undefined);
    throw error;
  }
}
