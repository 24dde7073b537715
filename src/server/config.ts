/**
 * `keel.config.ts`: what a server runs with. `defineConfig` only types the object; `loadConfig`
 * imports the file (TypeScript through jiti, no build step) and `resolveConfig` validates it against
 * the schema below and the environment, failing at start with an error that names the bad field.
 * With no file at all, Keel runs on the embedded SQLite store with the offline extractive model.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { KeelError } from "../errors/index.js";
import type { CompiledGraph } from "../graph/index.js";
import type { PolicyDefinition } from "../guard/index.js";
import type { ModelPrice, Provider } from "../model/index.js";
import { nextTick } from "../queue/cron.js";
import type { Embedder } from "../rag/index.js";

/** The error of a configuration that cannot run: `field` is the path of the bad value. */
export class ConfigError extends KeelError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("INVALID_CONFIG", field ? `${field}: ${message}` : message);
    this.field = field;
  }
}

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-' (at most 64)");
const usd = z.number().nonnegative().finite();

const ProviderSchema = z.union([
  z.object({
    type: z.literal("openai"),
    baseURL: z.url().optional(),
    apiKey: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.object({
    type: z.literal("anthropic"),
    baseURL: z.url().optional(),
    apiKey: z.string().optional(),
  }),
  z.object({ type: z.literal("extractive") }),
  z.object({
    type: z.literal("custom"),
    provider: z.custom<Provider>(
      (p) => typeof p === "object" && p !== null && typeof (p as Provider).generate === "function",
      "a provider object { id, capabilities, generate, stream }",
    ),
  }),
]);

const BudgetSchema = z.object({ dailyUsd: usd.optional(), monthlyUsd: usd.optional() }).strict();
const RateLimitSchema = z
  .object({
    requestsPerMinute: z.number().int().positive().optional(),
    tokensPerMinute: z.number().int().positive().optional(),
  })
  .strict();

const GuardSchema = z
  .object({
    redaction: z.enum(["mask", "placeholder", "hash", "pseudonymize"]).optional(),
    policy: z
      .custom<PolicyDefinition>((p) => typeof p === "object" && p !== null, "a policy definition")
      .optional(),
    scanOutput: z.boolean().optional(),
    /** Also run the prompt-injection detector on answers (default false: the default policy only flags it there). */
    outputInjection: z.boolean().optional(),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** A SQLite file (`path`) or a PostgreSQL database shared by several processes (`url`). */
    store: z
      .union([z.object({ path: z.string().min(1) }).strict(), z.object({ url: z.string().min(1) }).strict()])
      .optional(),
    providers: z.record(name, ProviderSchema).optional(),
    /** Aliases clients ask for by name (`model` in a request) → a provider and its model name. */
    models: z
      .record(z.string().min(1), z.object({ provider: name, model: z.string().min(1) }).strict())
      .optional(),
    /**
     * Aliases served by other aliases: `fallback` tries them in order while they fail; `cascade` tries
     * them cheapest first and escalates while an answer is not acceptable (cut off, empty, or not the
     * JSON the request's response_format asks for) or the model fails.
     */
    routes: z
      .record(
        z.string().min(1),
        z.union([
          z.object({ fallback: z.array(z.string().min(1)).min(1) }).strict(),
          z.object({ cascade: z.array(z.string().min(1)).min(2) }).strict(),
        ]),
      )
      .optional(),
    /** The alias used when a request names none (the runs API's workflows) and `/v1/models` lists first. */
    defaultModel: z.string().min(1).optional(),
    /** Extra prices (USD per 1M tokens), e.g. for a self-hosted model that costs nothing. */
    prices: z
      .record(
        z.string().min(1),
        z.custom<ModelPrice>((p) => typeof p === "object" && p !== null),
      )
      .optional(),
    /** Named guard settings; a key uses the one it names, else `default`. `false` turns a name off. */
    guards: z.record(name, z.union([GuardSchema, z.literal(false)])).optional(),
    collections: z
      .record(
        z
          .string()
          .regex(
            /^[a-z][a-z0-9_]{0,35}$/,
            "1 to 36 lower-case letters, digits or '_', starting with a letter",
          ),
        z
          .object({
            acl: z.boolean().optional(),
            /** Files or folders (relative to the configuration file) ingested into every tenant's copy at start. */
            sources: z.array(z.string().min(1)).optional(),
            embedder: z
              .union([
                z.literal("hashing"),
                z.custom<Embedder>((e) => typeof e === "object" && e !== null && "embed" in e, "an embedder"),
              ])
              .optional(),
          })
          .strict(),
      )
      .optional(),
    workflows: z
      .record(
        name,
        z.custom<WorkflowDefinition>(
          (w) =>
            typeof w === "object" &&
            w !== null &&
            typeof (w as WorkflowDefinition).graph === "function" &&
            ((w as WorkflowDefinition).concurrency === undefined ||
              (Number.isInteger((w as WorkflowDefinition).concurrency) &&
                ((w as WorkflowDefinition).concurrency as number) > 0)),
          "{ graph: (deps) => compiled graph, description?, input?, concurrency? (a whole number of at least 1) }",
        ),
      )
      .optional(),
    /**
     * PostgreSQL store: workflows started on a schedule (`cron`: five fields, or six with seconds
     * first), one run per tick whichever process sees it due.
     */
    schedules: z
      .record(
        z.string().regex(/^[\w.:-]{1,200}$/, "letters, digits, '.', '_', ':' or '-'"),
        z
          .object({
            cron: z.string().min(1),
            workflow: z.string().min(1),
            input: z.unknown().optional(),
            tenant: name.optional(),
            timezone: z.string().min(1).optional(),
          })
          .strict(),
      )
      .optional(),
    tenants: z
      .record(
        name,
        z.object({ budget: BudgetSchema.optional(), rateLimit: RateLimitSchema.optional() }).strict(),
      )
      .optional(),
    limits: z
      .object({
        maxBodyBytes: z.number().int().positive().optional(),
        maxMessages: z.number().int().positive().optional(),
        maxTokens: z.number().int().positive().optional(),
        rateLimit: RateLimitSchema.optional(),
        /** PostgreSQL store: most runs of one tenant executing at once, across every worker. */
        runsPerTenant: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** Embedding models for `/v1/embeddings` and collections: an embedder, or an OpenAI-compatible provider's model. */
    embeddings: z
      .record(
        z.string().min(1),
        z.union([
          z
            .object({ provider: name, model: z.string().min(1), dimensions: z.number().int().positive() })
            .strict(),
          z.custom<Embedder>((e) => typeof e === "object" && e !== null && "embed" in e, "an embedder"),
        ]),
      )
      .optional(),
    /** `/metrics` without a key (default false: an admin or auditor key). */
    metrics: z.object({ public: z.boolean().optional() }).strict().optional(),
    /** Write every request to the audit log (default true). */
    audit: z
      .object({ enabled: z.boolean().optional(), signingKeyFile: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();

export type KeelConfig = z.input<typeof ConfigSchema>;

/** What a workflow gets to build its graph: the server's models, collections and checkpointer. */
export interface WorkflowDeps {
  /** The provider and model name an alias resolves to (default: the default model). */
  model(alias?: string): { provider: Provider; model: string };
  /** A configured collection of the run's tenant (another tenant's is refused). */
  collection(name: string, tenant?: string): import("../rag/index.js").Collection;
  checkpointer: import("../graph/index.js").Checkpointer;
}

export interface WorkflowDefinition {
  description?: string;
  graph: (deps: WorkflowDeps) => CompiledGraph<any>;
  /** Zod schema of the run input, checked on `POST /runs` (the graph's state schema checks it too). */
  input?: z.ZodType;
  /**
   * PostgreSQL store: most runs of this workflow executing at once, across every worker (the rest
   * wait in the queue).
   */
  concurrency?: number;
}

/** Types a configuration; it does nothing else. */
export function defineConfig(config: KeelConfig): KeelConfig {
  return config;
}

const CONFIG_FILES = ["keel.config.ts", "keel.config.mts", "keel.config.mjs", "keel.config.js"];

/**
 * Loads `file`, or the first `keel.config.*` in `cwd`; none at all is an empty configuration.
 * The module's default export (or its `config` export) is the configuration.
 */
export async function loadConfig(
  file?: string,
  cwd = process.cwd(),
): Promise<{ config: KeelConfig; file?: string }> {
  const found = file
    ? path.resolve(cwd, file)
    : CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
  if (!found) return { config: {} };
  if (!fs.existsSync(found))
    throw new ConfigError("", `The configuration file ${found} does not exist; check --config.`);
  let mod: Record<string, unknown>;
  try {
    if (/\.[mc]?ts$/.test(found)) {
      const { createJiti } = await import("jiti");
      mod = (await createJiti(import.meta.url, { interopDefault: true }).import(found)) as Record<
        string,
        unknown
      >;
    } else {
      mod = (await import(pathToFileURL(found).href)) as Record<string, unknown>;
    }
  } catch (cause) {
    throw new KeelError("INVALID_CONFIG", `Cannot load ${found}: ${(cause as Error).message}`, { cause });
  }
  const config = (mod.default ?? mod.config) as KeelConfig | undefined;
  if (typeof config !== "object" || config === null) {
    throw new ConfigError(
      "",
      `${found} must export its configuration: export default defineConfig({ ... }).`,
    );
  }
  return { config, file: found };
}

/** Validates a configuration; the first problem is thrown as a `ConfigError` naming its field. */
export function parseConfig(config: unknown): z.output<typeof ConfigSchema> {
  const parsed = ConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const field = issue.path.map(String).join(".");
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`
        : issue.message;
    throw new ConfigError(field, message);
  }
  for (const [name, schedule] of Object.entries(parsed.data.schedules ?? {})) {
    if (!Object.hasOwn(parsed.data.workflows ?? {}, schedule.workflow)) {
      throw new ConfigError(`schedules.${name}.workflow`, `no workflow "${schedule.workflow}" in workflows`);
    }
    try {
      nextTick(schedule.cron, schedule.timezone ?? "UTC", new Date());
    } catch (error) {
      throw new ConfigError(`schedules.${name}.cron`, (error as Error).message);
    }
  }
  return parsed.data;
}
