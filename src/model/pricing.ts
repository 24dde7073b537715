import { KeelError } from "../errors/index.js";
import table from "./prices.json" with { type: "json" };
import type { Usage } from "./types.js";

/** Prices of one model in USD per million tokens. */
export interface ModelPrice {
  provider: string;
  input: number;
  /** Input tokens read from the prompt cache; defaults to `input`. */
  cachedInput?: number;
  /** Input tokens written to the prompt cache; defaults to `input`. */
  cacheWrite?: number;
  output: number;
}

export interface PriceTable {
  /** The date the prices were taken from the providers' pages; recorded with every cost. */
  version: string;
  models: Record<string, ModelPrice>;
}

/** The table shipped with Keel (src/model/prices.json). */
export const defaultPrices: PriceTable = table as PriceTable;

export interface Cost {
  costUsd: number;
  priceTableVersion: string;
  /** The table entry that priced the call (a dated model name resolves to its base name). */
  pricedAs: string;
}

/**
 * Prices one call. `usage.inputTokens` includes cached and cache-write tokens (the adapters
 * normalise to that), so each token is priced exactly once at its own rate.
 */
export function costOf(model: string, usage: Usage, prices: PriceTable = defaultPrices): Cost {
  const pricedAs = lookup(model, prices);
  if (!pricedAs) {
    throw new KeelError(
      "UNKNOWN_PRICE",
      `No price for model "${model}" in price table ${prices.version}. Add it to the table you pass ` +
        `(prices.models["${model}"] = { provider, input, output, ... } in USD per 1M tokens).`,
    );
  }
  const p = prices.models[pricedAs]!;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens, usage.inputTokens - cached);
  const plain = usage.inputTokens - cached - written;
  const micro =
    plain * p.input +
    cached * (p.cachedInput ?? p.input) +
    written * (p.cacheWrite ?? p.input) +
    usage.outputTokens * p.output;
  return { costUsd: micro / 1_000_000, priceTableVersion: prices.version, pricedAs };
}

/** Exact name first, then without a date suffix ("gpt-4o-2024-08-06" → "gpt-4o"), then provider prefixes. */
function lookup(model: string, prices: PriceTable): string | undefined {
  const candidates = [model, model.replace(/^[\w-]+\//, "")];
  for (const c of [...candidates]) {
    candidates.push(
      c.replace(/-\d{4}-\d{2}-\d{2}$/, ""),
      c.replace(/-\d{8}$/, ""),
      c.replace(/-latest$/, ""),
    );
  }
  return candidates.find((c) => Object.hasOwn(prices.models, c));
}
