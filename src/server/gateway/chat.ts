/**
 * `POST /v1/chat/completions`. In order: the key (auth middleware), the request's shape and limits,
 * the model route, rate limits, a budget reservation of the worst-case cost, then the provider chain
 * (input guard, cache, route, audited upstream call, output guard and de-anonymization), and last the
 * settlement of the real cost. Whatever happens after the reservation, it is settled: a failure
 * settles what the upstream really billed (zero if it answered nothing), a client that walks away
 * mid-stream settles the tokens generated until then.
 */
import type { ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import type { EventData } from "../../audit/index.js";
import { KeelError } from "../../errors/index.js";
import {
  costOf,
  countPromptTokens,
  countTextTokens,
  type ModelRequest,
  type ModelResponse,
  type StreamPart,
} from "../../model/index.js";
import { type BudgetLimit, fromNano, type Reservation, toNano } from "../budgets.js";
import { httpError, RequestError } from "../http-errors.js";
import { newId } from "../ids.js";
import type { ApiKey } from "../keys.js";
import type { ModelRoute } from "../models.js";
import type { Taken } from "../rate-limits.js";
import type { Runtime } from "../runtime.js";
import type { ServerEnv } from "../types.js";
import { readJson } from "./body.js";
import { requestProvider, type Upstream } from "./providers.js";
import { ChatCompletionRequest, ChunkWriter, toChatCompletion, toModelRequest } from "./wire.js";

/** The budgets a key's request must fit in: its own, then its tenant's. */
export function budgetLimitsFor(rt: Runtime, key: ApiKey): BudgetLimit[] {
  const out: BudgetLimit[] = [];
  const add = (scope: string, b: { dailyUsd?: number; monthlyUsd?: number } | undefined) => {
    if (b?.dailyUsd !== undefined) out.push({ scope, period: "day", limitUsd: b.dailyUsd });
    if (b?.monthlyUsd !== undefined) out.push({ scope, period: "month", limitUsd: b.monthlyUsd });
  };
  add(`key:${key.id}`, key.limits);
  add(`tenant:${key.tenant}`, rt.config.tenants?.[key.tenant]?.budget);
  return out;
}

/**
 * The most a request can cost on any target of its route: the prompt counted with a margin (the
 * upstream's tokenizer may count some percent more) and the whole `max_tokens` of output.
 */
function worstCaseUsd(rt: Runtime, route: ModelRoute, promptTokens: number, maxTokens: number): number {
  const input = Math.ceil(promptTokens * 1.1) + 16;
  let worst = 0;
  for (const t of route.targets) {
    try {
      const { costUsd } = costOf(
        t.model,
        {
          inputTokens: input,
          outputTokens: maxTokens,
          cachedInputTokens: 0,
          cacheWriteTokens: 0,
          source: "estimated",
        },
        rt.models.prices,
      );
      worst = Math.max(worst, costUsd);
    } catch {
      throw new KeelError(
        "UNPRICED_MODEL",
        `Model "${t.model}" (route "${route.alias}") has no price, so this key's budget cannot be enforced for it. ` +
          "Add its price to the configuration's `prices`.",
      );
    }
  }
  return worst;
}

/** What the upstream billed: every complete response, plus the text of a stream cut short. */
function spent(rt: Runtime, upstream: Upstream, promptTokens: () => number) {
  let usd: number | null = 0;
  let input = 0;
  let output = 0;
  for (const r of upstream.responses) {
    input += r.usage.inputTokens;
    output += r.usage.outputTokens;
    try {
      if (usd !== null) usd += costOf(r.model, r.usage, rt.models.prices).costUsd;
    } catch {
      usd = null;
    }
  }
  if (upstream.partialText !== "" && upstream.target) {
    // The upstream was cut off mid-answer: it billed the prompt and what it generated until then.
    const partial = countTextTokens(upstream.partialText);
    input += promptTokens();
    output += partial;
    try {
      if (usd !== null)
        usd += costOf(
          upstream.target.model,
          {
            inputTokens: promptTokens(),
            outputTokens: partial,
            cachedInputTokens: 0,
            cacheWriteTokens: 0,
            source: "estimated",
          },
          rt.models.prices,
        ).costUsd;
    } catch {
      usd = null;
    }
  }
  return { usd, input, output };
}

const completionId = () => newId("chatcmpl").replace("_", "-");

interface Admitted {
  body: ChatCompletionRequest;
  route: ModelRoute;
  request: ModelRequest;
  /** Tokens of the prompt, counted when first needed (budgets, token rate limits, a cut stream). */
  promptTokens: () => number;
  taken: Taken;
  reservation: Reservation | undefined;
}

/** Checks, rate-limits and reserves; anything thrown here changed nothing that is not undone. */
async function admit(c: Context<ServerEnv>, rt: Runtime, key: ApiKey): Promise<Admitted> {
  const raw = await readJson(c, rt.limits.maxBodyBytes);
  const parsed = ChatCompletionRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.map(String).join(".");
    throw new RequestError(
      "INVALID_REQUEST",
      `Invalid request: ${param ? `${param}: ` : ""}${issue.message}.`,
      param || null,
    );
  }
  const body = parsed.data;
  if (body.messages.length > rt.limits.maxMessages) {
    throw new RequestError(
      "TOO_MANY_MESSAGES",
      `A request may hold at most ${rt.limits.maxMessages} messages; this one has ${body.messages.length}.`,
      "messages",
    );
  }
  const asked = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (asked !== undefined && asked > rt.limits.maxTokens) {
    throw new RequestError(
      "MAX_TOKENS_TOO_LARGE",
      `max_tokens may be at most ${rt.limits.maxTokens} on this server; got ${asked}.`,
      body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
    );
  }
  const route = rt.models.resolve(body.model);
  // Without max_tokens the server's limit bounds the answer: a worst case needs a bound.
  const request = toModelRequest(body, body.model, rt.limits.maxTokens);
  const maxTokens = request.maxTokens as number;
  let counted: number | undefined;
  const promptTokens = () => {
    counted ??= countPromptTokens(request.messages, request.tools);
    return counted;
  };
  const limits = budgetLimitsFor(rt, key);
  const worst = limits.length > 0 ? worstCaseUsd(rt, route, promptTokens(), maxTokens) : 0;
  const rateLimits = rt.rateLimitsFor(key);
  const needsTokens = rateLimits.some((r) => r.limit.tokensPerMinute !== undefined);
  const taken = await rt.rateLimits
    .take(rateLimits, needsTokens ? promptTokens() + maxTokens : 0)
    .catch(async (error) => {
      await rt.record({
        type: "ratelimit.decision",
        tenant: key.tenant,
        actor: key.id,
        data: {
          limiter: (error as { limiter?: string }).limiter ?? "unknown",
          decision: "limited",
          retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs ?? 0,
        },
      });
      throw error;
    });
  let reservation: Reservation | undefined;
  if (limits.length > 0) {
    try {
      reservation = await rt.budgets.reserve(limits, worst);
    } catch (error) {
      await rt.rateLimits.giveBack(taken, 0);
      const e = error as KeelError & { scope?: string; remainingUsd?: number };
      await rt.record({
        type: "budget.decision",
        tenant: key.tenant,
        actor: key.id,
        data: {
          budget: e.scope ?? "unknown",
          decision: "refused",
          amountUsd: worst,
          remainingUsd: e.remainingUsd ?? 0,
        },
      });
      throw error;
    }
  }
  return { body, route, request, promptTokens, taken, reservation };
}

/** Settles the reservation and the rate limits to what the request really used. */
async function settle(rt: Runtime, key: ApiKey, a: Admitted, upstream: Upstream, requestId: string) {
  upstream.flushVerdicts();
  const cost = spent(rt, upstream, a.promptTokens);
  if (a.reservation) {
    // Unpriced answers cannot happen here (a budgeted route is priced); keep the reservation if so.
    const usd = cost.usd ?? a.reservation.amountUsd;
    await rt.budgets.settle(a.reservation, usd);
    await rt
      .record({
        type: "budget.decision",
        tenant: key.tenant,
        actor: key.id,
        data: {
          budget: a.reservation.windows.map(([scope, window]) => `${scope}@${window}`).join(","),
          decision: "settled",
          amountUsd: fromNano(toNano(usd)),
          remainingUsd: await rt.budgets.remaining(budgetLimitsFor(rt, key)),
          requestId,
        } as EventData["budget.decision"],
      })
      .catch(() => rt.metrics.auditFailure());
  }
  await recordRoute(rt, key, a.route, upstream, requestId);
  await rt.rateLimits.giveBack(a.taken, cost.input + cost.output);
  const model = upstream.target?.model ?? a.route.alias;
  rt.metrics.tokens(key.tenant, model, cost.input, cost.output);
  if (cost.usd !== null) rt.metrics.cost(key.tenant, model, cost.usd);
  return cost;
}

/** For a route of several models, which one answered and which were tried before it. */
async function recordRoute(
  rt: Runtime,
  key: ApiKey,
  route: ModelRoute,
  upstream: Upstream,
  requestId: string,
) {
  if (route.targets.length < 2 || upstream.tried.length === 0) return;
  const name = (t: { providerName: string; model: string }) => `${t.providerName}/${t.model}`;
  const choice = upstream.tried.at(-1) as (typeof upstream.tried)[number];
  const earlier = upstream.tried.slice(0, -1);
  const answered = upstream.responses.length > 0;
  await rt
    .record({
      type: "route.choice",
      tenant: key.tenant,
      actor: key.id,
      data: {
        candidates: route.targets.map(name),
        choice: name(choice),
        reason:
          earlier.length === 0
            ? `${route.kind} route: the first candidate ${answered ? "answered" : "failed"}`
            : `${route.kind} route: ${earlier.length} earlier candidate(s) ${route.kind === "cascade" ? "failed or were not accepted" : "failed"}`,
        fallbacks: earlier.map(name),
        route: route.alias,
        requestId,
      } as EventData["route.choice"],
    })
    .catch(() => rt.metrics.auditFailure());
}

const routeHeader = (upstream: Upstream, response: ModelResponse | undefined) =>
  upstream.target ? `${upstream.target.providerName}/${response?.model ?? upstream.target.model}` : "cache";

const usdHeader = (usd: number | null) =>
  usd === null
    ? "unpriced"
    : fromNano(toNano(usd))
        .toFixed(9)
        .replace(/\.?0+$/, "") || "0";

export async function chatCompletions(c: Context<ServerEnv>, rt: Runtime): Promise<Response> {
  const started = performance.now();
  const key = c.get("key");
  const requestId = c.get("requestId");
  const a = await admit(c, rt, key);
  const useCache = cacheWanted(c, a.body);
  const { provider, upstream } = requestProvider(rt, key, a.route, { cache: useCache, requestId });
  const controller = new AbortController();
  const abort = () => controller.abort(new KeelError("CLIENT_CLOSED", "The client closed the connection."));
  const signal = clientGone(c, abort);
  const id = completionId();
  const created = Math.floor(rt.now() / 1000);

  if (!a.body.stream) {
    let response: ModelResponse & { cacheHit?: boolean };
    try {
      response = await provider.generate(a.request, { signal: controller.signal });
    } catch (error) {
      await settle(rt, key, a, upstream, requestId);
      throw error;
    } finally {
      signal.stop();
    }
    const cost = await settle(rt, key, a, upstream, requestId);
    const hit = response.cacheHit === true;
    if (useCache) {
      rt.metrics.cacheLookup(hit);
      if (hit)
        await rt.record({
          type: "cache.hit",
          tenant: key.tenant,
          actor: key.id,
          data: { key: requestId, provider: `route:${a.route.alias}`, model: response.model },
        });
    }
    const overhead = performance.now() - started - upstream.ms;
    rt.metrics.overhead("/v1/chat/completions", overhead / 1000);
    c.header("x-keel-overhead-ms", overhead.toFixed(3));
    c.header("x-keel-cost-usd", usdHeader(cost.usd));
    c.header("x-keel-cache", useCache ? (hit ? "hit" : "miss") : "off");
    c.header("x-keel-route", hit ? "cache" : routeHeader(upstream, response));
    return c.json(toChatCompletion(id, created, a.body.model, response));
  }

  // Streaming: the first part is awaited before answering, so a refusal (input guard, upstream
  // error) is a proper HTTP error rather than a 200 stream that fails.
  const iterator = provider.stream(a.request, { signal: controller.signal })[Symbol.asyncIterator]();
  const next = () => iterator.next();
  let first: IteratorResult<StreamPart>;
  try {
    first = await next();
  } catch (error) {
    signal.stop();
    await settle(rt, key, a, upstream, requestId);
    throw error;
  }
  const writer = new ChunkWriter(id, created, a.body.model);
  const includeUsage = a.body.stream_options?.include_usage === true;
  const overhead = performance.now() - started - upstream.ms;
  rt.metrics.overhead("/v1/chat/completions", overhead / 1000);
  let settled = false;
  const finish = async () => {
    if (settled) return;
    settled = true;
    signal.stop();
    await settle(rt, key, a, upstream, requestId);
  };
  // Nothing went upstream for the first part: the answer is replayed from the cache.
  const hit = upstream.target === undefined;
  const headers: Record<string, string> = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-keel-request-id": requestId,
    "x-keel-overhead-ms": overhead.toFixed(3),
    "x-keel-cache": useCache ? (hit ? "hit" : "miss") : "off",
    "x-keel-route": hit ? "cache" : routeHeader(upstream, undefined),
  };

  /** Sends every part as OpenAI's chunks; `send` resolves when the client can take more. */
  const pump = async (send: (json: string) => void | Promise<void>, close: () => void) => {
    let part = first;
    try {
      await send(writer.start());
      while (!part.done) {
        const p = part.value;
        if (p.type === "text-delta") await send(writer.text(p.text));
        else if (p.type === "tool-call-start") await send(writer.toolCallStart(p.index, p.id, p.name));
        else if (p.type === "tool-call-delta") await send(writer.toolCallDelta(p.index, p.argumentsDelta));
        else if (p.type === "finish") {
          await send(writer.finish(p.response));
          if (includeUsage) await send(writer.usage(p.response.usage));
          if (useCache) rt.metrics.cacheLookup((p.response as { cacheHit?: boolean }).cacheHit === true);
        }
        if (controller.signal.aborted) break;
        part = await next();
      }
      await finish();
      if (controller.signal.aborted) {
        await iterator.return?.(undefined).catch(() => undefined);
        return;
      }
      await send("[DONE]");
      close();
    } catch (error) {
      await finish();
      if (controller.signal.aborted) return;
      // Mid-stream failures (an output guard block, an upstream cut) end the stream with an
      // error event in OpenAI's shape, which the official clients raise.
      await send(JSON.stringify(httpError(error, requestId).body));
      close();
    }
  };

  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && typeof outgoing.writeHead === "function") {
    // On Node the chunks go straight to the socket: web streams cost more per chunk than the
    // rest of the gateway's work on it. Writes wait for the socket to drain, so a slow client
    // holds the upstream back rather than filling memory.
    outgoing.writeHead(200, headers);
    const send = (json: string) =>
      outgoing.destroyed || outgoing.writableEnded || outgoing.write(`data: ${json}\n\n`)
        ? undefined
        : new Promise<void>((resolve) => {
            const done = () => {
              outgoing.off("drain", done);
              outgoing.off("close", done);
              resolve();
            };
            outgoing.once("drain", done);
            outgoing.once("close", done);
          });
    void pump(send, () => outgoing.end());
    return RESPONSE_ALREADY_SENT;
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(out) {
      void pump(
        (json) => out.enqueue(encoder.encode(`data: ${json}\n\n`)),
        () => out.close(),
      );
    },
    async cancel() {
      abort();
      await iterator.return?.(undefined).catch(() => undefined);
      await finish();
    },
  });
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.body(body);
}

/**
 * Calls `abort` when the client goes away before its answer is complete. On Node the response's
 * `close` event says so directly; elsewhere the request's signal does (on Node it costs an
 * AbortController per request, which the gateway would pay on every call).
 */
function clientGone(c: Context<ServerEnv>, abort: () => void): { stop(): void } {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && typeof outgoing.once === "function") {
    const onClose = () => {
      if (!outgoing.writableFinished) abort();
    };
    outgoing.once("close", onClose);
    return { stop: () => outgoing.off("close", onClose) };
  }
  const signal = c.req.raw.signal;
  if (signal.aborted) abort();
  else signal.addEventListener("abort", abort, { once: true });
  return { stop: () => signal.removeEventListener("abort", abort) };
}

/**
 * Deterministic requests (temperature 0) are served from the cache unless the client says
 * `cache-control: no-cache` or `x-keel-cache: off`; `x-keel-cache: on` caches any request.
 */
function cacheWanted(c: Context<ServerEnv>, body: ChatCompletionRequest): boolean {
  const mode = c.req.header("x-keel-cache");
  if (mode === "off" || /no-cache|no-store/.test(c.req.header("cache-control") ?? "")) return false;
  if (mode === "on") return true;
  return body.temperature === 0;
}
