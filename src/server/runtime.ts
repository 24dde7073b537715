/**
 * Everything a server instance holds, built once from a validated configuration: the store (one
 * SQLite file), API keys, budgets, rate limits, models, guards, the response cache and the audit
 * log. Routes get it as a plain object; nothing here knows about HTTP.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type AuditEventInput, type EventData, noteSigner } from "../audit/index.js";
import type { SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import {
  type Guard,
  guard,
  type PolicyDefinition,
  piiScanner,
  type Scanner,
  secretsScanner,
  type VerdictRecord,
} from "../guard/index.js";
import { type Collection, type Embedder, hashingEmbedder, openAIEmbedder } from "../rag/index.js";
import { type BackendOptions, sqliteBackend } from "./backend-sqlite.js";
import { ConfigError, type KeelConfig, parseConfig } from "./config.js";
import type { ApiKey } from "./keys.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { buildModels, type ModelTable } from "./models.js";
import type { RateLimit } from "./rate-limits.js";
import type { RuntimeAudit, StoreBackend } from "./store-backends.js";
import { storeLocationOf } from "./store-path.js";
import type { BudgetsStore, CacheStore, KeysStore, RateLimitsStore } from "./stores.js";

export { storePathOf } from "./store-path.js";

export interface Limits {
  maxBodyBytes: number;
  maxMessages: number;
  maxTokens: number;
}

export const DEFAULT_LIMITS: Limits = { maxBodyBytes: 4 * 1024 * 1024, maxMessages: 1000, maxTokens: 16_384 };

/** Who a request is for: what a guard verdict is recorded under. */
export interface RequestScope {
  requestId: string;
  key: ApiKey;
  runId?: string;
}

export interface Runtime {
  config: ReturnType<typeof parseConfig>;
  /** Where the state lives, for people: the SQLite file, or the PostgreSQL URL without its password. */
  storePath: string;
  configDir: string;
  /** The stores: one SQLite file, or a PostgreSQL database shared with other processes. */
  store: StoreBackend;
  /** The SQLite database (undefined on PostgreSQL). */
  db: SqliteDatabase | undefined;
  keys: KeysStore;
  budgets: BudgetsStore;
  rateLimits: RateLimitsStore;
  models: ModelTable;
  limits: Limits;
  cache: CacheStore | undefined;
  audit: RuntimeAudit | undefined;
  metrics: Metrics;
  /** Embedding models by name (`keel-hashing` is always there: offline, no model needed). */
  embedders: Map<string, Embedder>;
  startedAt: number;
  /** Counts a guard verdict and records it (when it found something) for the request it belongs to. */
  recordVerdict(v: VerdictRecord, scope: RequestScope): void;
  /**
   * A tenant's copy of a configured collection (each tenant has its own tables, so no query can
   * reach another tenant's documents). Unknown names are `UNKNOWN_COLLECTION`.
   */
  collection(tenant: string, name: string): Collection;
  /** The configured guard names (a key may name one). */
  guardNames: string[];
  /** The guard a key's requests go through (null: none). */
  guardFor(key: ApiKey): { guard: Guard; scanOutput: boolean } | null;
  /** Rate limits that apply to a key: its own, else the server's default per key; its tenant's. */
  rateLimitsFor(key: ApiKey): Array<{ scope: string; limit: RateLimit }>;
  /** Appends to the audit log (when enabled) and waits for the commit. */
  record(event: AuditEventInput): Promise<void>;
  now(): number;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config?: KeelConfig;
  /** Folder of the configuration file: its relative paths (collection sources) start there (default cwd). */
  configDir?: string;
  env?: Record<string, string | undefined>;
  /** Folder relative paths in the configuration are resolved against. */
  cwd?: string;
  now?: () => number;
}

let outputScannerList: Scanner[] | undefined;
const outputScanners = () => {
  outputScannerList ??= [piiScanner(), secretsScanner()];
  return outputScannerList;
};

/** Tables of a tenant's copy of a collection: the tenant's hash keeps tenants apart and within SQLite's name rules. */
export function physicalCollectionName(tenant: string, name: string): string {
  return `t${createHash("sha256").update(tenant).digest("hex").slice(0, 10)}_${name}`;
}

/**
 * The runtime on the configured store. A PostgreSQL store opens asynchronously: use `openRuntime`
 * (which `keel serve` does); this synchronous form is for the SQLite store.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const base = settings(options);
  const location = storeLocationOf(base.config, base.env, base.cwd, options.configDir ?? base.cwd);
  if (location.kind === "sqlite" && Object.keys(base.config.schedules ?? {}).length > 0) {
    throw new ConfigError(
      "schedules",
      "scheduled runs need the PostgreSQL store (KEEL_DB=postgres://... or store.url), whose workers queue them",
    );
  }
  if (location.kind === "postgres") {
    throw new ConfigError(
      location.field,
      "a PostgreSQL store opens asynchronously: use openRuntime() or openKeelServer() (keel serve does)",
    );
  }
  return assemble(options, base, sqliteBackend(location.path, backendOptions(base)));
}

/** The runtime on the configured store, SQLite or PostgreSQL (migrations run first on PostgreSQL). */
export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const base = settings(options);
  const location = storeLocationOf(base.config, base.env, base.cwd, options.configDir ?? base.cwd);
  if (location.kind === "sqlite") return createRuntime(options);
  const { postgresBackend } = await import("./backend-postgres.js");
  return assemble(options, base, await postgresBackend(location.url, backendOptions(base)));
}

interface Settings {
  env: Record<string, string | undefined>;
  cwd: string;
  config: ReturnType<typeof parseConfig>;
  now: () => number;
}

function settings(options: RuntimeOptions): Settings {
  return {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    config: parseConfig(options.config ?? {}),
    now: options.now ?? Date.now,
  };
}

function backendOptions({ config, env, cwd, now }: Settings): BackendOptions {
  if (config.audit?.enabled === false) return { now, audit: undefined };
  const keyFile = config.audit?.signingKeyFile ?? env.KEEL_AUDIT_KEY;
  if (!keyFile) return { now, audit: {} };
  const file = path.resolve(cwd, keyFile);
  if (!fs.existsSync(file))
    throw new ConfigError(
      "audit.signingKeyFile",
      `${file} does not exist (create one with keel audit keygen)`,
    );
  return { now, audit: { signer: noteSigner("keel", fs.readFileSync(file, "utf8")) } };
}

function assemble(options: RuntimeOptions, base: Settings, store: StoreBackend): Runtime {
  const { env, cwd, config, now } = base;
  const models = buildModels(config, env);
  const { keys, budgets, rateLimits, audit } = store;
  const metrics = createMetrics();
  const limits: Limits = {
    maxBodyBytes: config.limits?.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
    maxMessages: config.limits?.maxMessages ?? DEFAULT_LIMITS.maxMessages,
    maxTokens: config.limits?.maxTokens ?? DEFAULT_LIMITS.maxTokens,
  };

  const record = async (event: AuditEventInput) => {
    if (audit) await audit.append(event);
  };

  const recordVerdict = (v: VerdictRecord, s: RequestScope) => {
    metrics.guardVerdict(v);
    if (v.action === "allow" && v.findings.length === 0) return;
    void record({
      type: "guard.verdict",
      tenant: s.key.tenant,
      actor: s.key.id,
      ...(s.runId ? { runId: s.runId } : {}),
      data: {
        source: v.source,
        scanners: v.scanners,
        policy: v.policy,
        findingTypes: [...new Set(v.findings.map((f) => f.type))],
        action: v.action,
        requestId: s.requestId,
      } as EventData["guard.verdict"],
    }).catch(() => metrics.auditFailure());
  };
  const guards = new Map<string, { guard: Guard; scanOutput: boolean } | null>();
  type GuardSettings = {
    redaction?: "mask" | "placeholder" | "hash" | "pseudonymize";
    policy?: PolicyDefinition;
    scanOutput?: boolean;
    outputInjection?: boolean;
  };
  const guardConfigs: Record<string, GuardSettings | false> = { default: {}, ...(config.guards ?? {}) };
  for (const [name, g] of Object.entries(guardConfigs)) {
    guards.set(
      name,
      g === false
        ? null
        : {
            guard: guard({
              redaction: g.redaction ?? "pseudonymize",
              ...(g.policy ? { policy: g.policy } : {}),
              // Answers are scanned for personal data, secrets and canary leaks (canaries are added
              // by the guard itself). The default policy only flags an injection found in an answer,
              // and the detector is most of an answer's scan: it runs there only when asked.
              ...(g.outputInjection ? {} : { sources: { output: outputScanners() } }),
            }),
            scanOutput: g.scanOutput ?? true,
          },
    );
  }

  const embedders = new Map<string, Embedder>([["keel-hashing", hashingEmbedder()]]);
  for (const [alias, e] of Object.entries(config.embeddings ?? {})) {
    if ("embed" in e) {
      embedders.set(alias, e);
      continue;
    }
    const p = config.providers?.[e.provider];
    if (p?.type !== "openai") {
      throw new ConfigError(
        `embeddings.${alias}.provider`,
        `"${e.provider}" is not an openai-type provider in providers`,
      );
    }
    embedders.set(
      alias,
      openAIEmbedder({
        model: e.model,
        dimensions: e.dimensions,
        baseURL: p.baseURL ?? env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
        apiKey: p.apiKey ?? env.OPENAI_API_KEY,
      }),
    );
  }

  const collections = new Map<string, Collection>();
  const collection = (tenant: string, name: string): Collection => {
    const spec = config.collections?.[name];
    if (!spec || !Object.hasOwn(config.collections ?? {}, name)) {
      throw new KeelError(
        "UNKNOWN_COLLECTION",
        `No collection "${name}"; this server has: ${Object.keys(config.collections ?? {}).join(", ") || "none"} (collections in keel.config.ts).`,
      );
    }
    const physical = physicalCollectionName(tenant, name);
    let c = collections.get(physical);
    if (!c) {
      const embedder =
        spec.embedder === undefined || spec.embedder === "hashing"
          ? embedders.get("keel-hashing")
          : spec.embedder;
      c = store.collection(physical, { acl: spec.acl ?? false, ...(embedder ? { embedder } : {}), now });
      collections.set(physical, c);
    }
    return c;
  };

  const cache = store.cache;
  const tenants = config.tenants ?? {};
  const defaultRate = config.limits?.rateLimit;

  return {
    config,
    storePath: store.label,
    configDir: options.configDir ?? cwd,
    store,
    db: store.sqlite,
    collection,
    keys,
    budgets,
    rateLimits,
    models,
    limits,
    cache,
    audit,
    metrics,
    embedders,
    startedAt: now(),
    recordVerdict,
    now,
    record,
    guardNames: [...guards.keys()],
    guardFor(key) {
      const name = key.guard ?? "default";
      const g = guards.get(name);
      if (g === undefined) {
        // A key naming a guard the configuration no longer has fails closed: the strictest known.
        return guards.get("default") ?? null;
      }
      return g;
    },
    rateLimitsFor(key) {
      const own: RateLimit = {
        requestsPerMinute: key.limits.requestsPerMinute ?? defaultRate?.requestsPerMinute,
        tokensPerMinute: key.limits.tokensPerMinute ?? defaultRate?.tokensPerMinute,
      };
      const out: Array<{ scope: string; limit: RateLimit }> = [];
      if (own.requestsPerMinute !== undefined || own.tokensPerMinute !== undefined)
        out.push({ scope: `key:${key.id}`, limit: own });
      const t = tenants[key.tenant]?.rateLimit;
      if (t) out.push({ scope: `tenant:${key.tenant}`, limit: t });
      return out;
    },
    close: () => store.close(),
  };
}
