import { KeelError } from "../errors/index.js";
import { costOf, defaultPrices, type PriceTable } from "./pricing.js";
import type { ModelRequest, ModelResponse, Provider, StreamPart } from "./types.js";

/** What every model call returns: the response, and what it cost in money, time and requests. */
export interface CallResult extends ModelResponse {
  /**
   * USD for this call at `priceTableVersion`: 0 for a cache hit, `null` when the table has no price
   * for the model.
   */
  costUsd: number | null;
  priceTableVersion: string;
  latencyMs: number;
  /** Requests it took (more than 1 when a resilient provider retried or fell back). */
  attempts: number;
}

export interface GenerateTextOptions {
  model: Provider;
  request: ModelRequest;
  signal?: AbortSignal;
  prices?: PriceTable;
  /** Milliseconds, for latency; injected for deterministic tests and replay. */
  now?: () => number;
}

/**
 * One model call with its accounting: usage as the provider reported it (or as Keel counted it),
 * its cost from the dated price table, latency and attempts.
 *
 * @example
 * const { text, costUsd, latencyMs } = await generateText({ model, request: { model: "gpt-4o-mini", messages } });
 */
export async function generateText(options: GenerateTextOptions): Promise<CallResult> {
  const now = options.now ?? performance.now.bind(performance);
  const started = now();
  const response = await options.model.generate(options.request, { signal: options.signal });
  return account(response, now() - started, options.prices ?? defaultPrices);
}

export type TextStreamPart =
  | Exclude<StreamPart, { type: "finish" }>
  | { type: "finish"; response: CallResult };

/** Like `generateText`, streamed: the parts as they come, the finish part carrying the accounted result. */
export async function* streamText(options: GenerateTextOptions): AsyncGenerator<TextStreamPart> {
  const now = options.now ?? performance.now.bind(performance);
  const started = now();
  for await (const part of options.model.stream(options.request, { signal: options.signal })) {
    if (part.type === "finish") {
      yield {
        type: "finish",
        response: account(part.response, now() - started, options.prices ?? defaultPrices),
      };
      return;
    }
    yield part;
  }
}

/**
 * What one response cost: 0 when it came from the response cache, `null` when the price table does
 * not know the model (priced as `model`, default the model the provider reports).
 */
export function responseCost(
  response: ModelResponse,
  prices: PriceTable = defaultPrices,
  model = response.model,
): number | null {
  if ((response as { cacheHit?: boolean }).cacheHit) return 0;
  try {
    return costOf(model, response.usage, prices).costUsd;
  } catch (error) {
    if (error instanceof KeelError && error.code === "UNKNOWN_PRICE") return null;
    throw error;
  }
}

function account(response: ModelResponse, latencyMs: number, prices: PriceTable): CallResult {
  const costUsd = responseCost(response, prices);
  const attempts = (response as { attempts?: unknown }).attempts;
  return {
    ...response,
    costUsd,
    priceTableVersion: prices.version,
    latencyMs,
    attempts: typeof attempts === "number" ? attempts : 1,
  };
}
