/**
 * Key management over HTTP for admin keys (`/admin/keys`), and the audit log for auditors
 * (`/audit/events`): both scoped to the caller's tenant, both recorded in the audit log (creating or
 * revoking a key is an `admin.action`, reading the log is an `audit.read`).
 */
import type { Hono } from "hono";
import { z } from "zod";
import { KeelError } from "../errors/index.js";
import { ROLES } from "./keys.js";
import { type RouteBook, route } from "./routes.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

const KeyView = z.object({
  id: z.string(),
  tenant: z.string(),
  role: z.enum(ROLES),
  name: z.string().nullable(),
  guard: z.string().nullable(),
  limits: z.object({
    dailyUsd: z.number().optional(),
    monthlyUsd: z.number().optional(),
    requestsPerMinute: z.number().optional(),
    tokensPerMinute: z.number().optional(),
  }),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
});

const CreateKey = z
  .object({
    role: z.enum(ROLES).optional(),
    name: z.string().max(100).optional(),
    guard: z.string().optional(),
    limits: z
      .object({
        dailyUsd: z.number().nonnegative().optional(),
        monthlyUsd: z.number().nonnegative().optional(),
        requestsPerMinute: z.number().int().positive().optional(),
        tokensPerMinute: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: "CreateKey" });

const AuditQuery = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  run: z.string().optional(),
});

export function addAdminRoutes(app: Hono<ServerEnv>, rt: Runtime, book: RouteBook): void {
  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/admin/keys",
      summary: "Create an API key in the caller's tenant; the secret is in this answer only",
      tag: "admin",
      roles: ["admin"],
      body: CreateKey,
      response: KeyView.extend({ key: z.string() }),
      status: 201,
    },
    async (c, { body }) => {
      const admin = c.get("key");
      if (body.guard !== undefined && !rt.guardNames.includes(body.guard)) {
        throw new KeelError(
          "INVALID_REQUEST",
          `Unknown guard "${body.guard}"; the configuration has: ${rt.guardNames.join(", ")}.`,
        );
      }
      const created = await rt.keys.create({ tenant: admin.tenant, ...body });
      await rt.record({
        type: "admin.action",
        tenant: admin.tenant,
        actor: admin.id,
        data: { action: "key.create", target: created.id },
      });
      return c.json(created, 201);
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/admin/keys",
      summary: "List the API keys of the caller's tenant (never their secrets)",
      tag: "admin",
      roles: ["admin"],
      response: z.object({ data: z.array(KeyView) }),
    },
    async (c) => c.json({ data: await rt.keys.list({ tenant: c.get("key").tenant, includeRevoked: true }) }),
  );

  route(
    app,
    rt,
    book,
    {
      method: "delete",
      path: "/admin/keys/:id",
      summary: "Revoke an API key of the caller's tenant, at once for every server process",
      tag: "admin",
      roles: ["admin"],
      response: KeyView,
    },
    async (c) => {
      const admin = c.get("key");
      const id = c.req.param("id") ?? "";
      const target = await rt.keys.get(id);
      // Another tenant's key is reported as missing: ids do not leak across tenants.
      if (!target || target.tenant !== admin.tenant)
        throw new KeelError("NOT_FOUND", `No API key "${id}" in tenant ${admin.tenant}.`);
      const revoked = await rt.keys.revoke(id);
      await rt.record({
        type: "admin.action",
        tenant: admin.tenant,
        actor: admin.id,
        data: { action: "key.revoke", target: id },
      });
      return c.json(revoked);
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/audit/events",
      summary: "Read the caller's tenant's audit events (content stays encrypted); the read is itself logged",
      tag: "audit",
      roles: ["auditor", "admin"],
      query: AuditQuery,
    },
    async (c, { query }) => {
      if (!rt.audit)
        throw new KeelError("NOT_FOUND", "The audit log is turned off in this server's configuration.");
      const key = c.get("key");
      const limit = query.limit ?? 100;
      const after = query.after ?? -1;
      const rows = await rt.audit.events(key.tenant, {
        ...(query.run ? { run: query.run } : {}),
        after,
        limit,
      });
      await rt.record({
        type: "audit.read",
        tenant: key.tenant,
        actor: key.id,
        data: {
          what: query.run ? `events of run ${query.run}` : "events",
          ...(rows.length ? { seq: after + 1 } : {}),
        },
      });
      const data = rows.map((envelope) => JSON.parse(envelope) as unknown);
      return c.json({ data, size: await rt.audit.size(key.tenant) });
    },
  );
}
