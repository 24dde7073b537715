import { isKeelError, KeelError } from "../errors/index.js";
import { ModelConfigError, ProviderError } from "./errors.js";
import {
  type AttemptedResponse,
  type AttemptedStreamPart,
  attemptsOf,
  CircuitOpenError,
  type ResilientProvider,
} from "./resilience.js";
import type { CallOptions, ModelRequest, Provider, ProviderCapabilities, StreamPart } from "./types.js";

export interface FallbackOptions {
  /** Provider id of the chain (default `fallback(a,b,...)` from the members' ids). */
  id?: string;
}

/** One provider's failure in a chain, in the order they were tried. */
export interface ProviderFailure {
  provider: string;
  error: unknown;
  /** Requests made to that provider (0 when its circuit was open). */
  attempts: number;
}

/**
 * Every provider of a fallback chain failed. `failures` holds each provider's error; the message
 * lists their codes only (a provider's message may echo what it was sent). Not retryable: every
 * provider has had its own retries, and retrying the whole chain multiplies the load on all of them.
 */
export class AllProvidersFailedError extends KeelError {
  readonly failures: readonly ProviderFailure[];

  constructor(failures: readonly ProviderFailure[]) {
    const list = failures.map(describe).join("; ");
    super("PROVIDER_ALL_FAILED", `All ${failures.length} providers failed: ${list}.`);
    this.failures = failures;
  }
}

function describe({ provider, error, attempts }: ProviderFailure): string {
  const code = isKeelError(error) ? error.code : error instanceof Error ? error.name : "error";
  const status = error instanceof ProviderError && error.status !== undefined ? `, HTTP ${error.status}` : "";
  return `${provider}: ${code}${status}, ${attempts} attempt${attempts === 1 ? "" : "s"}`;
}

/**
 * Whether the next provider should be tried: on failures of the provider (retryable errors, once its
 * own retries are spent) and on an open circuit. Not on a bad request, bad credentials or a
 * cancellation: those are the caller's to fix, and answering them from another provider would hide
 * the mistake behind a different model's bill.
 */
export function shouldFallBack(error: unknown): boolean {
  return (
    error instanceof CircuitOpenError ||
    error instanceof AllProvidersFailedError ||
    (isKeelError(error) && error.retryable)
  );
}

/**
 * Tries each provider in order until one answers. The answer's `provider` says which one did and
 * `attempts` counts the requests of the whole chain. Wrap each member in `resilient()` first so it
 * retries before the chain moves on. Capabilities are those every member has, so a caller that
 * checks them can rely on whichever provider answers.
 *
 * @example
 * const model = fallback([resilient(openaiCompatible(primary)), resilient(openaiCompatible(backup))]);
 */
export function fallback(providers: readonly Provider[], options: FallbackOptions = {}): ResilientProvider {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new ModelConfigError("fallback() needs at least one provider, e.g. fallback([primary, backup]).");
  }
  const chain = [...providers];
  return {
    id: options.id ?? `fallback(${chain.map((p) => p.id).join(",")})`,
    capabilities: commonCapabilities(chain),
    async generate(request, callOptions = {}) {
      const failures: ProviderFailure[] = [];
      for (const provider of chain) {
        if (callOptions.signal?.aborted) break;
        try {
          const response = await provider.generate(request, callOptions);
          return { ...response, attempts: totalAttempts(failures) + attemptsIn(response) };
        } catch (error) {
          if (!shouldFallBack(error)) throw error;
          failures.push({ provider: provider.id, error, attempts: attemptsOf(error) ?? 1 });
        }
      }
      throw endOfChain(failures, callOptions);
    },
    stream(request, callOptions = {}) {
      return fallbackStream(chain, request, callOptions);
    },
  };
}

/** Streams from the first provider that yields a part; once one has, its failures propagate. */
async function* fallbackStream(
  chain: readonly Provider[],
  request: ModelRequest,
  callOptions: CallOptions,
): AsyncGenerator<AttemptedStreamPart> {
  const failures: ProviderFailure[] = [];
  for (const provider of chain) {
    if (callOptions.signal?.aborted) break;
    const iterator = provider.stream(request, callOptions)[Symbol.asyncIterator]();
    let next: IteratorResult<StreamPart>;
    try {
      next = await iterator.next();
    } catch (error) {
      if (!shouldFallBack(error)) throw error;
      failures.push({ provider: provider.id, error, attempts: attemptsOf(error) ?? 1 });
      continue;
    }
    try {
      for (; !next.done; next = await iterator.next()) {
        const part = next.value;
        yield part.type === "finish"
          ? {
              type: "finish",
              response: { ...part.response, attempts: totalAttempts(failures) + attemptsIn(part.response) },
            }
          : part;
      }
    } finally {
      if (!next.done) await iterator.return?.();
    }
    return;
  }
  throw endOfChain(failures, callOptions);
}

function endOfChain(failures: ProviderFailure[], callOptions: CallOptions): Error {
  const signal = callOptions.signal;
  if (signal?.aborted) {
    return new ProviderError(failures.at(-1)?.provider ?? "fallback", "cancelled", "the call was cancelled", {
      cause: signal.reason,
    });
  }
  return new AllProvidersFailedError(failures);
}

function attemptsIn(response: object): number {
  return (response as Partial<AttemptedResponse>).attempts ?? 1;
}

function totalAttempts(failures: readonly ProviderFailure[]): number {
  return failures.reduce((sum, f) => sum + f.attempts, 0);
}

function commonCapabilities(chain: readonly Provider[]): ProviderCapabilities {
  const all = (key: keyof ProviderCapabilities) => chain.every((p) => p.capabilities[key]);
  return {
    tools: all("tools"),
    jsonSchema: all("jsonSchema"),
    images: all("images"),
    streaming: all("streaming"),
  };
}
