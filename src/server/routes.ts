/**
 * Routes are declared once, with their Zod schemas: the same declaration registers the handler
 * (behind auth for its roles, with the body and query validated) and describes the route in the
 * OpenAPI document, so the document cannot drift from what the server does.
 */
import type { Context, Hono } from "hono";
import type { z } from "zod";
import { auth } from "./auth.js";
import { readJson } from "./gateway/body.js";
import { RequestError } from "./http-errors.js";
import type { Role } from "./keys.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

export interface RouteSpec {
  method: "get" | "post" | "delete";
  /** Hono's form: `/runs/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Roles that may call it; `null` for a public route. */
  roles: readonly Role[] | null;
  /** Validated JSON body; the handler gets the parsed value. */
  body?: z.ZodType;
  /** Read by the route itself (e.g. the chat route applies its own limits), documented here. */
  rawBody?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  /** The success status (default 200). */
  status?: 200 | 201 | 202;
  /** The route answers with Server-Sent Events. */
  events?: boolean;
  /** Other answers than 200, by status, for the document. */
  errors?: Record<number, string>;
}

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
}

export class RouteBook {
  readonly routes: RouteSpec[] = [];
}

/** A parse failure as a 400 naming the field, as OpenAI's `param`. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.map(String).join(".");
  throw new RequestError(
    "INVALID_REQUEST",
    `Invalid ${where}: ${param ? `${param}: ` : ""}${issue.message}.`,
    param || null,
  );
}

export function route<B = undefined, Q = undefined>(
  app: Hono<ServerEnv>,
  rt: Runtime,
  book: RouteBook,
  spec: RouteSpec & { body?: z.ZodType<B>; query?: z.ZodObject & z.ZodType<Q> },
  handler: (c: Context<ServerEnv>, input: RouteInput<B, Q>) => Response | Promise<Response>,
): void {
  book.routes.push(spec);
  const handlers = [];
  if (spec.roles) handlers.push(auth(rt, spec.roles));
  app.on(spec.method.toUpperCase(), [spec.path], ...handlers, async (c: Context<ServerEnv>) => {
    const body = (
      spec.body ? parseOr400(spec.body, await readJson(c, rt.limits.maxBodyBytes), "body") : undefined
    ) as B;
    const query = (spec.query ? parseOr400(spec.query, c.req.query(), "query") : undefined) as Q;
    return handler(c, { body, query });
  });
}
