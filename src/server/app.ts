/**
 * The Hono app: request ids and metrics around every request, errors in OpenAI's shape, and the
 * route groups (gateway, admin, health). Each group is a function adding its routes to the app and
 * to the route book the OpenAPI document is made from.
 */
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { KeelError } from "../errors/index.js";
import { addAdminRoutes } from "./admin.js";
import { addGatewayRoutes } from "./gateway/routes.js";
import { httpError } from "./http-errors.js";
import { newId } from "./ids.js";
import { RouteBook } from "./routes.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

export interface AppExtras {
  /** More route groups (runs, collections, documentation), added after the built-in ones. */
  groups?: Array<(app: Hono<ServerEnv>, rt: Runtime, book: RouteBook) => void>;
  /** Where unexpected errors are reported (default: stderr, without request content). */
  onInternalError?: (error: unknown, requestId: string) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function createApp(rt: Runtime, extras: AppExtras = {}): { app: Hono<ServerEnv>; book: RouteBook } {
  const app = new Hono<ServerEnv>();
  const book = new RouteBook();
  const report =
    extras.onInternalError ??
    ((error: unknown, requestId: string) =>
      console.error(
        `keel: internal error in request ${requestId}:`,
        error instanceof Error ? error.stack : error,
      ));

  app.use("*", async (c, next) => {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : newId("req");
    c.set("requestId", requestId);
    await next();
    // A response written straight to the socket (streamed chat completions on Node) carries its
    // own headers; the marker response it returns is shared and must not be changed.
    if (c.res !== RESPONSE_ALREADY_SENT) c.header("x-keel-request-id", requestId);
    rt.metrics.request(c.req.routePath, c.req.method, c.res.status, (performance.now() - started) / 1000);
  });

  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    const e = httpError(error, requestId);
    if (e.status >= 500 && !(error instanceof KeelError)) report(error, requestId);
    for (const [name, value] of Object.entries(e.headers)) c.header(name, value);
    c.header("x-keel-request-id", requestId);
    return c.json(e.body, e.status as 400);
  });

  app.notFound((c) => {
    const e = httpError(
      new KeelError("NOT_FOUND", `No route ${c.req.method} ${c.req.path}; GET /openapi.json lists them.`),
      c.get("requestId"),
    );
    return c.json(e.body, 404);
  });

  addHealthRoutes(app, rt, book);
  addGatewayRoutes(app, rt, book);
  addAdminRoutes(app, rt, book);
  for (const group of extras.groups ?? []) group(app, rt, book);
  return { app, book };
}

function addHealthRoutes(app: Hono<ServerEnv>, rt: Runtime, book: RouteBook): void {
  book.routes.push({
    method: "get",
    path: "/healthz",
    summary: "Liveness and store check",
    tag: "operations",
    roles: null,
  });
  app.get("/healthz", async (c) => {
    try {
      await rt.store.ping();
    } catch {
      return c.json({ status: "unavailable", store: "unreachable" }, 503);
    }
    return c.json({ status: "ok", store: "ok" });
  });
}
