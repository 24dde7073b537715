/**
 * The OpenAI-compatible routes: chat completions, embeddings, models, and the Prometheus metrics.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { KeelError } from "../../errors/index.js";
import { parseOr400, type RouteBook, route } from "../routes.js";
import type { Runtime } from "../runtime.js";
import type { ServerEnv } from "../types.js";
import { readJson } from "./body.js";
import { chatCompletions } from "./chat.js";
import { ChatCompletion, ChatCompletionRequest } from "./wire.js";

const ModelList = z.object({
  object: z.literal("list"),
  data: z.array(
    z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() }),
  ),
});

export const EmbeddingsRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .meta({ id: "EmbeddingsRequest" });

const GATEWAY_ERRORS = {
  400: "invalid request (error.param names the field), or blocked by a guard (GUARD_BLOCKED)",
  401: "missing, unknown or revoked API key",
  402: "a budget of the key or its tenant would be exceeded (BUDGET_EXCEEDED)",
  404: "unknown model (UNKNOWN_MODEL)",
  413: "body over the server's limit",
  415: "the body is not JSON",
  429: "rate limited (Retry-After says when to try again)",
  502: "the upstream model failed",
};

export function addGatewayRoutes(app: Hono<ServerEnv>, rt: Runtime, book: RouteBook): void {
  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/v1/chat/completions",
      summary: "Chat completion (OpenAI-compatible), streamed or not",
      description:
        "OpenAI's wire format. Goes through auth, rate limits, the budget reservation, the key's input guards, the cache, the route, the upstream call, the output guards and de-anonymization, then settles the cost and writes the audit event. Headers: x-keel-request-id, x-keel-overhead-ms, x-keel-cost-usd, x-keel-cache, x-keel-route.",
      tag: "gateway",
      roles: ["app", "admin"],
      rawBody: ChatCompletionRequest,
      response: ChatCompletion,
      events: true,
      errors: GATEWAY_ERRORS,
    },
    (c) => chatCompletions(c, rt),
  );

  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/v1/embeddings",
      summary: "Embeddings (OpenAI-compatible)",
      tag: "gateway",
      roles: ["app", "admin"],
      rawBody: EmbeddingsRequest,
      errors: GATEWAY_ERRORS,
    },
    async (c) => {
      const body = parseOr400(EmbeddingsRequest, await readJson(c, rt.limits.maxBodyBytes), "body");
      const embedder = rt.embedders.get(body.model);
      if (!embedder) {
        throw new KeelError(
          "UNKNOWN_MODEL",
          `Unknown embedding model "${body.model}". Known: ${[...rt.embedders.keys()].join(", ")}.`,
        );
      }
      if (body.dimensions !== undefined && body.dimensions !== embedder.dimensions) {
        throw new KeelError(
          "UNSUPPORTED_PARAMETER",
          `${body.model} gives vectors of ${embedder.dimensions} dimensions; dimensions=${body.dimensions} is not available.`,
        );
      }
      const inputs = typeof body.input === "string" ? [body.input] : body.input;
      const vectors = await embedder.embed(inputs, { signal: c.req.raw.signal });
      const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
      return c.json({
        object: "list",
        model: body.model,
        data: vectors.map((v, index) => ({
          object: "embedding",
          index,
          embedding:
            body.encoding_format === "base64"
              ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")
              : Array.from(v),
        })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/v1/models",
      summary: "The models this server routes (aliases)",
      tag: "gateway",
      roles: ["app", "admin"],
      response: ModelList,
    },
    (c) => {
      const created = Math.floor(rt.startedAt / 1000);
      return c.json({
        object: "list",
        data: [
          ...rt.models.list().map((r) => ({
            id: r.alias,
            object: "model",
            created,
            owned_by: r.targets.map((t) => t.providerName).join(","),
          })),
          ...[...rt.embedders.keys()].map((id) => ({ id, object: "model", created, owned_by: "keel" })),
        ],
      });
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (text format): requests, latency, tokens, cost, guard verdicts",
      tag: "operations",
      roles: rt.config.metrics?.public ? null : ["admin", "auditor"],
    },
    async (c) => {
      c.header("content-type", rt.metrics.registry.contentType);
      return c.body(await rt.metrics.registry.metrics());
    },
  );
}
