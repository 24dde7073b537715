/**
 * A provider whose every call is recorded as a `model.call` event before the caller gets the answer:
 * models asked for and used, parameters, usage, cost with the price table's version, latency, and a
 * hash of the request (the key a replay serves recorded answers by). The prompt and the answer go in
 * the event's content: redacted, encrypted, and erasable with the subject's key.
 */
import { createHash } from "node:crypto";
import { costOf, defaultPrices, type PriceTable } from "../model/pricing.js";
import type { ModelRequest, ModelResponse, Provider, StreamPart } from "../model/types.js";
import { canonicalJson } from "./canonical-json.js";
import type { AuditLog } from "./log.js";
import { currentRunId } from "./run-context.js";

export interface AuditedOptions {
  log: Pick<AuditLog, "append">;
  tenant: string;
  /** Who the calls are made for: a user, an API key id, a service. */
  actor: string;
  /** The run the calls belong to (default: the one `recordRun` set around the call). */
  runId?: string;
  /** Whose personal data the prompts hold (erasable by this id). */
  subject?: string;
  prices?: PriceTable;
}

/** SHA-256 of the canonical request: identical requests get identical hashes. */
export function requestHash(request: ModelRequest): string {
  return createHash("sha256").update(canonicalJson(request)).digest("hex");
}

function parameters(request: ModelRequest) {
  return {
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    ...(request.stop ? { stop: request.stop } : {}),
    ...(request.toolChoice
      ? { toolChoice: typeof request.toolChoice === "string" ? request.toolChoice : request.toolChoice.name }
      : {}),
    ...(request.responseFormat ? { responseFormat: request.responseFormat.type } : {}),
    ...(request.tools?.length ? { tools: request.tools.map((t) => t.name) } : {}),
  };
}

export function audited(provider: Provider, options: AuditedOptions): Provider {
  const prices = options.prices ?? defaultPrices;
  const record = async (
    request: ModelRequest,
    started: number,
    response?: ModelResponse,
    error?: unknown,
  ) => {
    let cost: { usd: number | null; priceTable: string } = { usd: null, priceTable: prices.version };
    if (response) {
      try {
        cost = { usd: costOf(response.model, response.usage, prices).costUsd, priceTable: prices.version };
      } catch {
        // A model missing from the price table is recorded as unpriced, not as free.
      }
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    const runId = options.runId ?? currentRunId();
    await options.log.append({
      type: "model.call",
      tenant: options.tenant,
      actor: options.actor,
      ...(runId ? { runId } : {}),
      data: {
        provider: response?.provider ?? provider.id,
        requestedModel: request.model,
        resolvedModel: response?.model ?? request.model,
        parameters: parameters(request),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        ...(response?.systemFingerprint ? { systemFingerprint: response.systemFingerprint } : {}),
        usage: {
          inputTokens: response?.usage.inputTokens ?? 0,
          outputTokens: response?.usage.outputTokens ?? 0,
        },
        cost: cost as { usd: number; priceTable: string },
        latencyMs: Math.round(performance.now() - started),
        attempts: 1,
        requestHash: requestHash(request),
        status: error === undefined ? "ok" : "error",
        ...(error === undefined
          ? {}
          : { error: typeof code === "string" ? code : ((error as Error)?.name ?? "Error") }),
        ...(response ? { finishReason: response.finishReason } : {}),
      },
      content: {
        messages: JSON.stringify(request.messages),
        ...(response
          ? { output: JSON.stringify({ text: response.text, toolCalls: response.toolCalls }) }
          : {}),
      },
      ...(options.subject ? { subject: options.subject } : {}),
    });
  };
  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request, callOptions) {
      const started = performance.now();
      let response: ModelResponse;
      try {
        response = await provider.generate(request, callOptions);
      } catch (error) {
        await record(request, started, undefined, error);
        throw error;
      }
      await record(request, started, response);
      return response;
    },
    async *stream(request, callOptions): AsyncIterable<StreamPart> {
      const started = performance.now();
      try {
        for await (const part of provider.stream(request, callOptions)) {
          // The event is committed before the caller sees the end of the answer.
          if (part.type === "finish") await record(request, started, part.response);
          yield part;
        }
      } catch (error) {
        await record(request, started, undefined, error);
        throw error;
      }
    },
  };
}
