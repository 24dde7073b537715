/**
 * `keel/server`: the HTTP server. `createKeelServer({ config })` builds the runtime and the Hono app;
 * `listen()` serves it on Node. The app's `fetch` also runs on any runtime Hono supports.
 *
 * @example
 * const server = await createKeelServer({ config: defineConfig({ models: { fast: { provider: "openai", model: "gpt-4o-mini" } }, providers: { openai: { type: "openai" } } }) });
 * const { url } = await server.listen({ port: 8787 });
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { type AppExtras, createApp } from "./app.js";
import type { RouteBook } from "./routes.js";
import { createRuntime, openRuntime, type Runtime, type RuntimeOptions } from "./runtime.js";
import type { ServerEnv } from "./types.js";

export { BudgetExceededError, BudgetStore } from "./budgets.js";
export {
  ConfigError,
  defineConfig,
  type KeelConfig,
  loadConfig,
  type WorkflowDefinition,
  type WorkflowDeps,
} from "./config.js";
export { type ApiKey, type CreatedKey, KeyStore, ROLES, type Role } from "./keys.js";
export { RateLimitedError } from "./rate-limits.js";
export { type RunRoutesOptions, runRoutes } from "./runs/routes.js";
export { createRuntime, openRuntime, type Runtime, type RuntimeOptions, storePathOf } from "./runtime.js";

export interface KeelServer {
  app: Hono<ServerEnv>;
  runtime: Runtime;
  book: RouteBook;
  /** Serves on Node (default 127.0.0.1, port 8787; port 0 picks a free one). */
  listen(options?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

export interface KeelServerOptions extends RuntimeOptions, AppExtras {
  /** A runtime opened already (`openRuntime`), instead of building one from the options. */
  runtime?: Runtime;
}

/**
 * The server on the configured store. On a PostgreSQL store (`KEEL_DB=postgres://...` or
 * `store.url`) use `openKeelServer`, which opens it asynchronously.
 */
export function createKeelServer(options: KeelServerOptions = {}): KeelServer {
  const runtime = options.runtime ?? createRuntime(options);
  const { app, book } = createApp(runtime, options);
  let server: ReturnType<typeof serve> | undefined;
  return {
    app,
    runtime,
    book,
    listen({ port = 8787, host = "127.0.0.1" } = {}) {
      return new Promise((resolve, reject) => {
        server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
          const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
          resolve({ url: `http://${shown}:${info.port}`, port: info.port });
        });
        server.once("error", reject);
      });
    },
    async close() {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      }
      await runtime.close();
    },
  };
}

/** The server on either store: PostgreSQL stores open (and migrate) asynchronously. */
export async function openKeelServer(options: KeelServerOptions = {}): Promise<KeelServer> {
  const runtime = options.runtime ?? (await openRuntime(options));
  try {
    return createKeelServer({ ...options, runtime });
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
