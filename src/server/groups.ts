/**
 * The route groups a full server serves, and what it starts with them. `createKeelServer` takes
 * groups as options (a test builds a server with only what it tests); `keel serve` uses all of them.
 */
import type { Hono } from "hono";
import { addCollectionRoutes, ingestSources } from "./collections/index.js";
import { addDocsRoutes } from "./docs.js";
import type { KeelServer } from "./index.js";
import type { RouteBook } from "./routes.js";
import { runRoutes } from "./runs/routes.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

export type RouteGroup = (app: Hono<ServerEnv>, rt: Runtime, book: RouteBook) => void;

/** Every group; `worker: false` leaves a PostgreSQL store's queued runs to `keel worker` processes. */
export function serverGroups(options: { worker?: boolean } = {}): RouteGroup[] {
  return [runRoutes(options), addCollectionRoutes, addDocsRoutes];
}

/**
 * Work a server does once it is built and before it listens: the configured collection sources,
 * ingested into the copy of every tenant that has keys (unchanged files cost a hash each).
 */
export async function startServices(server: KeelServer): Promise<string[]> {
  const rt = server.runtime;
  const lines: string[] = [];
  for (const tenant of new Set((await rt.keys.list()).map((k) => k.tenant))) {
    for (const r of await ingestSources(rt, tenant)) {
      lines.push(
        `  sources: ${r.collection} (tenant ${r.tenant}): ${r.files} files, ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.deleted} removed`,
      );
    }
  }
  return lines;
}
