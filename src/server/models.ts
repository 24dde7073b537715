/**
 * The models a server serves: configured aliases (`models`), fallback routes (`routes`), and, with
 * no configuration, the model the environment names or the offline extractive model. Each provider
 * is built once, behind a circuit breaker and a timeout; retries are left to fallback routes and to
 * the client (the official clients retry by themselves), so one request never costs N upstream calls
 * silently.
 */
import {
  anthropic,
  defaultModel,
  defaultPrices,
  EXTRACTIVE_MODEL,
  extractive,
  openaiCompatible,
  type PriceTable,
  type Provider,
  resilient,
  UnknownModelError,
} from "../model/index.js";
import type { parseConfig } from "./config.js";
import { ConfigError } from "./config.js";

type Config = ReturnType<typeof parseConfig>;

export interface Target {
  /** The configured provider's name (e.g. "openai"). */
  providerName: string;
  provider: Provider;
  /** The upstream's name for the model. */
  model: string;
}

export interface ModelRoute {
  alias: string;
  /** One target, or the order of a fallback or cascade route. */
  targets: Target[];
  kind: "model" | "fallback" | "cascade";
}

export interface ModelTable {
  readonly defaultAlias: string;
  resolve(alias: string): ModelRoute;
  list(): ModelRoute[];
  prices: PriceTable;
}

const UPSTREAM_TIMEOUT_MS = 120_000;

/** The alias the offline model is served under when nothing else is configured. */
export const EXTRACTIVE_ALIAS = "keel-extractive";

export function buildModels(config: Config, env: Record<string, string | undefined>): ModelTable {
  const providers = new Map<string, Provider>();
  // The HTTP transport times out by itself (no byte for 2 minutes); the others through resilient().
  const add = (name: string, provider: Provider, ownTimeout = false) =>
    providers.set(
      name,
      resilient(provider, {
        ...(ownTimeout ? {} : { timeoutMs: UPSTREAM_TIMEOUT_MS }),
        retry: { maxAttempts: 1 },
      }),
    );
  for (const [name, p] of Object.entries(config.providers ?? {})) {
    if (p.type === "openai") {
      const baseURL = p.baseURL ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1";
      const apiKey = p.apiKey ?? env.OPENAI_API_KEY;
      if (!apiKey && baseURL.startsWith("https://api.openai.com"))
        throw new ConfigError(
          `providers.${name}.apiKey`,
          "OpenAI needs an API key: set OPENAI_API_KEY or apiKey.",
        );
      add(
        name,
        openaiCompatible({
          baseURL,
          apiKey,
          headers: p.headers,
          id: name,
          transport: "http",
          timeoutMs: UPSTREAM_TIMEOUT_MS,
        }),
        true,
      );
    } else if (p.type === "anthropic") {
      const apiKey = p.apiKey ?? env.ANTHROPIC_API_KEY;
      if (!apiKey)
        throw new ConfigError(
          `providers.${name}.apiKey`,
          "Anthropic needs an API key: set ANTHROPIC_API_KEY or apiKey.",
        );
      add(name, anthropic({ apiKey, baseURL: p.baseURL, id: name }));
    } else if (p.type === "extractive") {
      add(name, extractive());
    } else {
      add(name, p.provider);
    }
  }
  const routes = new Map<string, ModelRoute>();
  for (const [alias, m] of Object.entries(config.models ?? {})) {
    const provider = providers.get(m.provider);
    if (!provider) {
      throw new ConfigError(
        `models.${alias}.provider`,
        `no provider "${m.provider}" in providers (known: ${[...providers.keys()].join(", ") || "none"})`,
      );
    }
    routes.set(alias, {
      alias,
      kind: "model",
      targets: [{ providerName: m.provider, provider, model: m.model }],
    });
  }
  if (routes.size === 0) {
    // No models configured: the environment's model (OPENAI_*, ANTHROPIC_API_KEY) or the offline one.
    const d = defaultModel(env);
    const providerName = d.provider.id === "openai" || d.provider.id === "anthropic" ? d.provider.id : "keel";
    // The environment's OpenAI-compatible server, over the faster transport the gateway uses.
    const base =
      d.provider.id === "openai"
        ? openaiCompatible({
            baseURL: env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
            apiKey: env.OPENAI_API_KEY,
            id: "openai",
            transport: "http",
            timeoutMs: UPSTREAM_TIMEOUT_MS,
          })
        : d.provider;
    const provider = resilient(base, {
      ...(base === d.provider ? { timeoutMs: UPSTREAM_TIMEOUT_MS } : {}),
      retry: { maxAttempts: 1 },
    });
    const alias = d.model === EXTRACTIVE_MODEL ? EXTRACTIVE_ALIAS : d.model;
    routes.set(alias, { alias, kind: "model", targets: [{ providerName, provider, model: d.model }] });
  }
  for (const [alias, r] of Object.entries(config.routes ?? {})) {
    if (routes.has(alias)) throw new ConfigError(`routes.${alias}`, `"${alias}" is already a model alias`);
    const kind = "fallback" in r ? "fallback" : "cascade";
    const names = "fallback" in r ? r.fallback : r.cascade;
    const targets = names.map((name, i) => {
      const route = routes.get(name);
      if (!route) throw new ConfigError(`routes.${alias}.${kind}.${i}`, `no model alias "${name}"`);
      return route.targets;
    });
    routes.set(alias, { alias, kind, targets: targets.flat() });
  }
  const defaultAlias = config.defaultModel ?? [...routes.keys()][0]!;
  if (!routes.has(defaultAlias)) throw new ConfigError("defaultModel", `no model alias "${defaultAlias}"`);
  // The offline model runs here and costs nothing: it is priced at zero, not left unpriced.
  const prices: PriceTable = {
    version: defaultPrices.version,
    models: {
      ...defaultPrices.models,
      [EXTRACTIVE_MODEL]: { provider: "keel", input: 0, output: 0 },
      ...(config.prices ?? {}),
    },
  };
  const aliases = [...routes.keys()];
  return {
    defaultAlias,
    prices,
    resolve(alias) {
      const route = routes.get(alias);
      if (!route) throw new UnknownModelError(alias, aliases);
      return route;
    },
    list: () => [...routes.values()],
  };
}
