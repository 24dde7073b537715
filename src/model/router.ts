import { KeelError } from "../errors/index.js";
// The graph engine's edit-distance helper; shared rather than copied so both give the same hints.
import { closest } from "../graph/state.js";
import { ModelConfigError } from "./errors.js";
import { type CallResult, generateText } from "./generate-text.js";
import { costOf, defaultPrices, type PriceTable } from "./pricing.js";
import type { ModelRequest, Provider, ProviderCapabilities } from "./types.js";

/** A concrete model: the provider that serves it and the provider's name for it. */
export interface ModelTarget {
  provider: Provider;
  model: string;
}

/** A target as the router resolved it, with the alias it was configured under. */
export interface ResolvedModel extends ModelTarget {
  alias: string;
}

export interface RouterOptions {
  /** Alias → target, e.g. `{ fast: { provider, model: "gpt-4o-mini" }, smart: { provider, model: "gpt-4o" } }`. */
  models: Record<string, ModelTarget>;
  /** The alias `resolve()` and `generate()` use when given none. */
  default?: string;
  /** Prices for `cheapest()` and for the cost of `generate()` calls (default: the shipped table). */
  prices?: PriceTable;
}

export type Capability = keyof ProviderCapabilities;

export interface CheapestOptions {
  /** Capabilities the provider must have; a `false` or missing need is no constraint. */
  needs?: Partial<Record<Capability, boolean>>;
  /** Tokens of a typical call, to weigh input against output prices (default 1,000 each). */
  estimateTokens?: { input: number; output: number };
}

/** One capable model, as `cheapest()` ranked it. */
export interface RankedModel extends ResolvedModel {
  /** USD for a call of `estimateTokens`; `null` when the price table has no price for the model. */
  estimatedCostUsd: number | null;
}

export interface CheapestChoice extends RankedModel {
  /** Every capable model, cheapest first; models without a price come last, in configuration order. */
  ranking: RankedModel[];
  /** Aliases of capable models that have no price and were therefore ranked last. */
  unpriced: string[];
  priceTableVersion: string;
}

export interface RouterCallOptions {
  signal?: AbortSignal;
  now?: () => number;
}

export interface Router {
  /** The configured aliases, in configuration order. */
  readonly aliases: readonly string[];
  /** An alias, or a model name some alias points to; none means the default alias. */
  resolve(aliasOrModel?: string): ResolvedModel;
  /** `generateText` through the resolved target; the request needs no `model`. */
  generate(
    aliasOrModel: string | undefined,
    request: Omit<ModelRequest, "model">,
    options?: RouterCallOptions,
  ): Promise<CallResult & { alias: string }>;
  /** The cheapest configured model whose provider has every needed capability. */
  cheapest(options?: CheapestOptions): CheapestChoice;
}

/**
 * A name is neither a configured alias nor a model an alias points to. `known` lists the aliases;
 * `suggestion` is the nearest one when the name looks like a typo.
 */
export class UnknownModelError extends KeelError {
  /** The name that was asked for. */
  readonly requested: string;
  readonly known: readonly string[];
  readonly suggestion: string | undefined;

  constructor(name: string, known: readonly string[]) {
    const suggestion = closest(name, known);
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : "";
    super(
      "UNKNOWN_MODEL",
      `Unknown model alias "${name}".${hint} Known aliases: ${known.join(", ")}. ` +
        "Use one of them, or add it to router({ models: { ... } }).",
    );
    this.requested = name;
    this.known = known;
    this.suggestion = suggestion;
  }
}

/** No configured model has every needed capability; `missing` says what each one lacks. */
export class NoCapableModelError extends KeelError {
  readonly needs: readonly Capability[];
  readonly missing: readonly { alias: string; model: string; lacks: Capability[] }[];

  constructor(needs: readonly Capability[], missing: NoCapableModelError["missing"]) {
    const each = missing.map((m) => `${m.alias} (${m.model}) lacks ${m.lacks.join(", ")}`).join("; ");
    super(
      "NO_CAPABLE_MODEL",
      `No configured model has every needed capability (${needs.join(", ")}): ${each}. ` +
        "Add a model whose provider supports it to router({ models }), or drop the need.",
    );
    this.needs = needs;
    this.missing = missing;
  }
}

/**
 * Names models by what they are for (`"fast"`, `"smart"`) so that call sites do not hard-code a
 * provider's model name, and picks the cheapest model able to do a job.
 *
 * @example
 * const models = router({
 *   models: { fast: { provider: openai, model: "gpt-4o-mini" }, smart: { provider: openai, model: "gpt-4o" } },
 *   default: "fast",
 * });
 * const { text, costUsd } = await models.generate("smart", { messages });
 * const { alias } = models.cheapest({ needs: { images: true } });
 */
export function router(options: RouterOptions): Router {
  const targets = checkModels(options?.models);
  const aliases = [...targets.keys()];
  const prices = options.prices ?? defaultPrices;
  if (options.default !== undefined && !targets.has(options.default)) {
    throw new UnknownModelError(options.default, aliases);
  }

  function resolve(aliasOrModel: string | undefined = options.default): ResolvedModel {
    if (aliasOrModel === undefined) {
      throw new ModelConfigError(
        `No model given and the router has no default. Pass an alias (${aliases.join(", ")}) or set router({ default }).`,
      );
    }
    const byAlias = targets.get(aliasOrModel);
    if (byAlias) return { alias: aliasOrModel, ...byAlias };
    for (const [alias, target] of targets) {
      if (target.model === aliasOrModel) return { alias, ...target };
    }
    throw new UnknownModelError(aliasOrModel, aliases);
  }

  return {
    aliases,
    resolve,
    async generate(aliasOrModel, request, callOptions = {}) {
      const { alias, provider, model } = resolve(aliasOrModel);
      const result = await generateText({
        model: provider,
        request: { ...request, model },
        prices,
        signal: callOptions.signal,
        now: callOptions.now,
      });
      return { ...result, alias };
    },
    cheapest: (cheapestOptions = {}) => cheapest(targets, prices, cheapestOptions),
  };
}

function checkModels(models: unknown): Map<string, ModelTarget> {
  if (typeof models !== "object" || models === null || Object.keys(models).length === 0) {
    throw new ModelConfigError(
      'router() needs at least one model, e.g. router({ models: { fast: { provider, model: "gpt-4o-mini" } } }).',
    );
  }
  const targets = new Map<string, ModelTarget>();
  for (const [alias, target] of Object.entries(models as Record<string, Partial<ModelTarget>>)) {
    if (
      typeof target?.provider?.generate !== "function" ||
      typeof target.model !== "string" ||
      !target.model
    ) {
      throw new ModelConfigError(
        `router(): model "${alias}" must be { provider, model } with a provider (e.g. openaiCompatible(...)) ` +
          "and the provider's model name.",
      );
    }
    targets.set(alias, { provider: target.provider, model: target.model });
  }
  return targets;
}

const CAPABILITIES: readonly Capability[] = ["tools", "jsonSchema", "images", "streaming"];

function cheapest(
  targets: ReadonlyMap<string, ModelTarget>,
  prices: PriceTable,
  options: CheapestOptions,
): CheapestChoice {
  const needs = CAPABILITIES.filter((c) => options.needs?.[c] === true);
  const tokens = options.estimateTokens ?? { input: 1_000, output: 1_000 };
  if (![tokens.input, tokens.output].every((n) => Number.isFinite(n) && n >= 0)) {
    throw new ModelConfigError(
      `estimateTokens must be { input, output } with counts of 0 or more; got ${JSON.stringify(tokens)}.`,
    );
  }
  const ranking: RankedModel[] = [];
  const missing: NoCapableModelError["missing"][number][] = [];
  for (const [alias, target] of targets) {
    const lacks = needs.filter((c) => !target.provider.capabilities[c]);
    if (lacks.length > 0) {
      missing.push({ alias, model: target.model, lacks });
      continue;
    }
    ranking.push({ alias, ...target, estimatedCostUsd: estimate(target.model, tokens, prices) });
  }
  if (ranking.length === 0) throw new NoCapableModelError(needs, missing);
  // A stable sort: equal prices keep configuration order, and unpriced models go last rather than
  // being taken for free.
  ranking.sort((a, b) => byPrice(a.estimatedCostUsd, b.estimatedCostUsd));
  return {
    ...ranking[0]!,
    ranking,
    unpriced: ranking.filter((r) => r.estimatedCostUsd === null).map((r) => r.alias),
    priceTableVersion: prices.version,
  };
}

function byPrice(a: number | null, b: number | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return a - b;
}

function estimate(
  model: string,
  tokens: { input: number; output: number },
  prices: PriceTable,
): number | null {
  try {
    const usage = {
      inputTokens: tokens.input,
      outputTokens: tokens.output,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      source: "estimated" as const,
    };
    return costOf(model, usage, prices).costUsd;
  } catch (error) {
    if (error instanceof KeelError && error.code === "UNKNOWN_PRICE") return null;
    throw error;
  }
}
