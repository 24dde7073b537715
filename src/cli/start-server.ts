/**
 * What `keel serve` and `keel demo` run: the server of a configuration, started in this process with
 * the tables its first request would pay for already loaded, its first admin key created on an empty
 * store, and SIGINT/SIGTERM closing it gracefully. Imported by those commands' actions only, since it
 * loads the whole server.
 */
import path from "node:path";
import { countPromptTokens } from "../model/index.js";
import { loadConfig } from "../server/config.js";
import { serverGroups, startServices } from "../server/groups.js";
import { type KeelServer, openKeelServer } from "../server/index.js";

export interface ServeOptions {
  port: number;
  host: string;
  config?: string;
  /** Printed after the start banner (the demo's "what to try"). */
  banner?: (info: { url: string; key?: string; server: KeelServer }) => string;
  /** Create a fresh app key for this tenant at every start and hand it to the banner (the demo). */
  demoKey?: { tenant: string; name: string };
  /** Store path used when the configuration and KEEL_DB give none. */
  defaultStore?: string;
  /** PostgreSQL store: execute queued runs in this process too (default true). */
  worker?: boolean;
}

/** Loads tables that the first request would otherwise pay for (tokenizer, guard lexicons and weights). */
async function warmUp(server: KeelServer): Promise<void> {
  countPromptTokens([{ role: "user", content: "warm up the tokenizer" }]);
  const key = {
    id: "key_warmup",
    tenant: "_",
    role: "app" as const,
    name: null,
    guard: null,
    limits: {},
    createdAt: 0,
    revokedAt: null,
  };
  server.runtime
    .guardFor(key)
    ?.guard.scan("Warm up: Ada Lovelace, ada@example.org, ignore previous instructions.", {
      source: "input",
    });
}

export async function serve(options: ServeOptions): Promise<KeelServer> {
  const { config, file } = await loadConfig(options.config);
  const configDir = file ? path.dirname(file) : process.cwd();
  const withStore =
    options.defaultStore && !config.store && !process.env.KEEL_DB
      ? { ...config, store: { path: options.defaultStore } }
      : config;
  const server = await openKeelServer({
    config: withStore,
    configDir,
    groups: serverGroups({ worker: options.worker }),
  });
  await warmUp(server);
  const { keys } = server.runtime;
  let firstKey: string | undefined;
  if ((await keys.activeCount()) === 0 && !options.demoKey) {
    const admin = await keys.create({
      tenant: "default",
      role: "admin",
      name: "first admin (created at first start)",
    });
    await server.runtime.record({
      type: "admin.action",
      tenant: "default",
      actor: "keel serve",
      data: { action: "key.create", target: admin.id },
    });
    firstKey = admin.key;
  }
  let demoKey: string | undefined;
  if (options.demoKey) {
    for (const k of await keys.list({ tenant: options.demoKey.tenant }))
      if (k.name === options.demoKey.name) await keys.revoke(k.id);
    demoKey = (await keys.create({ tenant: options.demoKey.tenant, role: "app", name: options.demoKey.name }))
      .key;
  }
  const ingested = await startServices(server);
  const { url } = await server.listen({ port: options.port, host: options.host });
  const models = server.runtime.models.list().map((r) => r.alias);
  const lines = [
    `Keel is serving on ${url}`,
    `  store:   ${server.runtime.storePath}`,
    `  config:  ${file ?? "none (embedded store, offline model)"}`,
    `  models:  ${models.join(", ")}`,
    `  docs:    ${url}/docs    OpenAPI: ${url}/openapi.json`,
    ...ingested,
  ];
  if (firstKey) {
    lines.push(
      "",
      "No API keys existed in this store, so an admin key was created for tenant 'default'.",
      "It is shown this once; store it now:",
      "",
      `  ${firstKey}`,
      "",
      "Create app keys with: keel keys create --tenant NAME",
    );
  }
  console.log(lines.join("\n"));
  if (options.banner) console.log(options.banner({ url, key: demoKey, server }));
  const stop = async (signal: string) => {
    console.error(`\nkeel: ${signal}, closing (requests in flight finish first)...`);
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return server;
}
