/**
 * The route groups a full server serves, and what it starts with them. `createKeelServer` takes
 * groups as options (a test builds a server with only what it tests); `keel serve` uses all of them.
 */
import type { Hono } from "hono";
import type { KeelServer } from "./index.js";
import type { RouteBook } from "./routes.js";
import { addRunRoutes } from "./runs/index.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

export type RouteGroup = (app: Hono<ServerEnv>, rt: Runtime, book: RouteBook) => void;

export function serverGroups(): RouteGroup[] {
  return [addRunRoutes];
}

/** Work a server does once it is built and before it listens (collection sources). */
export async function startServices(_server: KeelServer): Promise<void> {}
