/**
 * Bearer-key authentication and roles. `Authorization: Bearer keel_…` (what the official OpenAI
 * clients send with `apiKey`) or `x-api-key`. A missing, unknown or revoked key is a 401; a key
 * whose role may not use the route is a 403. Every route behind it works within the key's tenant.
 */
import type { MiddlewareHandler } from "hono";
import { KeelError } from "../errors/index.js";
import type { Role } from "./keys.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

export function auth(rt: Runtime, roles: readonly Role[]): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const secret = header?.startsWith("Bearer ") ? header.slice(7).trim() : c.req.header("x-api-key");
    if (!secret) {
      throw new KeelError(
        "UNAUTHORIZED",
        "Missing API key: send Authorization: Bearer <key> (create one with `keel keys create --tenant NAME`).",
      );
    }
    const key = await rt.keys.verify(secret);
    if (!key) throw new KeelError("UNAUTHORIZED", "Invalid or revoked API key.");
    if (!roles.includes(key.role)) {
      throw new KeelError(
        "FORBIDDEN",
        `This route needs a key with role ${roles.join(" or ")}; key ${key.id} has role ${key.role}.`,
      );
    }
    c.set("key", key);
    await next();
  };
}
