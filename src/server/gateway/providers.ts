/**
 * The provider one gateway request goes through, built from the model layer's wrappers in the order
 * the request flows: input guard → cache → route (fallback) → audit of each upstream call → the
 * upstream. The innermost wrapper, `observed`, is the one that sees what the upstream itself did:
 * its time (for `x-keel-overhead-ms`), its responses (the real cost, even when the guard then blocks
 * the answer) and the text streamed so far (the cost of a stream the client walked away from).
 */
import { audited } from "../../audit/index.js";
import { guarded, type VerdictRecord } from "../../guard/index.js";
import {
  type CallOptions,
  cached,
  fallback,
  type ModelRequest,
  type ModelResponse,
  type Provider,
  type StreamPart,
} from "../../model/index.js";
import type { ApiKey } from "../keys.js";
import type { ModelRoute, Target } from "../models.js";
import type { RequestScope, Runtime } from "../runtime.js";
import { cascadeProvider } from "./cascade.js";

/** What the upstream did for one gateway request, across every attempt. */
export interface Upstream {
  /** Milliseconds spent waiting for the upstream. */
  ms: number;
  /** Every complete upstream response (attempts that failed leave none). */
  responses: ModelResponse[];
  /** Text streamed by the attempt in progress, for a stream cut short. */
  partialText: string;
  /** The target whose call is in progress or answered last. */
  target: Target | undefined;
  /** Every target called, in order (a fallback or cascade route may call several). */
  tried: Target[];
  /**
   * Appends the request's guard verdicts held back so far. They are held until the upstream
   * answers, so that they join the transaction of the `model.call` event appended in the same
   * tick: one commit per request instead of two. The gateway calls it again at the end for what
   * no upstream call flushed (a cache hit).
   */
  flushVerdicts(): void;
}

function observed(target: Target, upstream: Upstream): Provider {
  const { provider, model } = target;
  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request: ModelRequest, options?: CallOptions) {
      upstream.target = target;
      upstream.tried.push(target);
      const started = performance.now();
      try {
        const response = await provider.generate({ ...request, model }, options);
        upstream.responses.push(response);
        return response;
      } finally {
        upstream.ms += performance.now() - started;
        upstream.flushVerdicts();
      }
    },
    async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamPart> {
      upstream.target = target;
      upstream.tried.push(target);
      upstream.partialText = "";
      const iterator = provider.stream({ ...request, model }, options)[Symbol.asyncIterator]();
      for (;;) {
        const started = performance.now();
        let next: IteratorResult<StreamPart>;
        try {
          next = await iterator.next();
        } catch (error) {
          upstream.flushVerdicts();
          throw error;
        } finally {
          upstream.ms += performance.now() - started;
        }
        if (next.done) {
          upstream.flushVerdicts();
          return;
        }
        const part = next.value;
        if (part.type === "text-delta") upstream.partialText += part.text;
        else if (part.type === "tool-call-delta") upstream.partialText += part.argumentsDelta;
        else if (part.type === "finish") {
          upstream.responses.push(part.response);
          upstream.partialText = "";
          upstream.flushVerdicts();
        }
        yield part;
      }
    },
  };
}

export interface RequestProvider {
  provider: Provider;
  upstream: Upstream;
}

/** The provider for one request of `key` to `route`. */
export function requestProvider(
  rt: Runtime,
  key: ApiKey,
  route: ModelRoute,
  options: { cache: boolean; runId?: string; requestId?: string },
): RequestProvider {
  const heldVerdicts: VerdictRecord[] = [];
  let flushed = false;
  const scope: RequestScope = {
    key,
    requestId: options.requestId ?? options.runId ?? "",
    runId: options.runId,
  };
  const upstream: Upstream = {
    ms: 0,
    responses: [],
    partialText: "",
    target: undefined,
    tried: [],
    flushVerdicts() {
      flushed = true;
      for (const v of heldVerdicts) rt.recordVerdict(v, scope);
      heldVerdicts.length = 0;
    },
  };
  const attempt = (target: Target): Provider => {
    const inner = observed(target, upstream);
    return rt.audit
      ? audited(inner, {
          log: rt.audit.log,
          tenant: key.tenant,
          actor: key.id,
          prices: rt.models.prices,
          ...(options.runId ? { runId: options.runId } : {}),
        })
      : inner;
  };
  const targets = route.targets;
  let provider: Provider =
    targets.length === 1
      ? attempt(targets[0] as Target)
      : route.kind === "cascade"
        ? cascadeProvider(`route:${route.alias}`, targets.map(attempt))
        : fallback(targets.map(attempt), { id: `route:${route.alias}` });
  // Cache entries are per route and tenant; the id names the route, so two routes never share one.
  if (options.cache && rt.cache)
    provider = cached({ ...provider, id: `route:${route.alias}` }, { cache: rt.cache, tenant: key.tenant });
  const g = rt.guardFor(key);
  if (g) {
    // The verdicts of this request's scans, told to this request's hook: no async context needed.
    // Until the upstream answers they are held (see `flushVerdicts`); a block is recorded at once,
    // since no upstream call follows it.
    const onVerdict = (v: VerdictRecord) => {
      if (flushed || v.action === "block") rt.recordVerdict(v, scope);
      else heldVerdicts.push(v);
    };
    provider = guarded(provider, g.guard, { scanOutput: g.scanOutput, onVerdict });
  }
  return { provider, upstream };
}
