/**
 * OpenTelemetry spans with the GenAI semantic conventions: `chat {model}` for model calls,
 * `execute_tool {name}`, `invoke_agent {name}` and `invoke_workflow {name}`, plus Keel's own
 * `keel.guard.*` and `keel.route.*` attributes where the conventions have none. Prompt and answer
 * text goes on spans only when `captureContent` is set (the conventions make it opt-in). Keel takes
 * a `Tracer` from `@opentelemetry/api`; the application chooses the SDK and exporter.
 */
import { type Attributes, type Span, SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import type { VerdictRecord } from "../guard/guard.js";
import type { ModelRequest, ModelResponse, Provider, StreamPart } from "../model/types.js";

export interface TelemetryOptions {
  tracer: Tracer;
  /** Put messages and answers on spans (`gen_ai.input.messages`, `gen_ai.output.messages`). Default false. */
  captureContent?: boolean;
  /** `gen_ai.provider.name` (default: the provider's id, e.g. "openai"). */
  providerName?: string;
}

function requestAttributes(request: ModelRequest, provider: string, capture: boolean): Attributes {
  const attributes: Attributes = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": provider,
    "gen_ai.request.model": request.model,
  };
  if (request.temperature !== undefined) attributes["gen_ai.request.temperature"] = request.temperature;
  if (request.maxTokens !== undefined) attributes["gen_ai.request.max_tokens"] = request.maxTokens;
  if (request.seed !== undefined) attributes["gen_ai.request.seed"] = request.seed;
  if (request.stop?.length) attributes["gen_ai.request.stop_sequences"] = request.stop;
  if (capture) {
    const system = request.messages.filter((m) => m.role === "system");
    if (system.length)
      attributes["gen_ai.system_instructions"] = JSON.stringify(system.map((m) => m.content));
    attributes["gen_ai.input.messages"] = JSON.stringify(request.messages.filter((m) => m.role !== "system"));
  }
  return attributes;
}

function responseAttributes(response: ModelResponse, capture: boolean): Attributes {
  const attributes: Attributes = {
    "gen_ai.response.model": response.model,
    "gen_ai.response.finish_reasons": [response.finishReason],
    "gen_ai.usage.input_tokens": response.usage.inputTokens,
    "gen_ai.usage.output_tokens": response.usage.outputTokens,
  };
  if (capture) {
    attributes["gen_ai.output.messages"] = JSON.stringify([
      { role: "assistant", content: response.text, toolCalls: response.toolCalls },
    ]);
  }
  return attributes;
}

function fail(span: Span, error: unknown): void {
  const code = (error as { code?: unknown }).code;
  span.setAttribute("error.type", typeof code === "string" ? code : ((error as Error)?.name ?? "_OTHER"));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/** A provider whose every call is a `chat {model}` client span. */
export function traced(provider: Provider, options: TelemetryOptions): Provider {
  const { tracer, captureContent = false } = options;
  const name = options.providerName ?? provider.id;
  const start = (request: ModelRequest) =>
    tracer.startSpan(`chat ${request.model}`, {
      kind: SpanKind.CLIENT,
      attributes: requestAttributes(request, name, captureContent),
    });
  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request, callOptions) {
      const span = start(request);
      try {
        const response = await provider.generate(request, callOptions);
        span.setAttributes(responseAttributes(response, captureContent));
        return response;
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    async *stream(request, callOptions): AsyncIterable<StreamPart> {
      const span = start(request);
      try {
        for await (const part of provider.stream(request, callOptions)) {
          if (part.type === "finish") span.setAttributes(responseAttributes(part.response, captureContent));
          yield part;
        }
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        // Also when the caller stops reading early: the span ends with the stream.
        span.end();
      }
    },
  };
}

async function inSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs a tool call inside an `execute_tool {name}` span. */
export function traceTool<T>(
  tracer: Tracer,
  tool: { name: string; callId?: string; description?: string },
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const attributes: Attributes = {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": tool.name,
    "gen_ai.tool.type": "function",
  };
  if (tool.callId) attributes["gen_ai.tool.call.id"] = tool.callId;
  if (tool.description) attributes["gen_ai.tool.description"] = tool.description;
  return inSpan(tracer, `execute_tool ${tool.name}`, attributes, run);
}

/** Runs an agent's turn inside an `invoke_agent {name}` span. */
export function traceAgent<T>(
  tracer: Tracer,
  agent: { name: string; id?: string },
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const attributes: Attributes = { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agent.name };
  if (agent.id) attributes["gen_ai.agent.id"] = agent.id;
  return inSpan(tracer, `invoke_agent ${agent.name}`, attributes, run);
}

/** Runs a graph run inside an `invoke_workflow {name}` span. */
export function traceWorkflow<T>(
  tracer: Tracer,
  workflow: { name: string; runId?: string },
  run: (span: Span) => Promise<T>,
): Promise<T> {
  const attributes: Attributes = {
    "gen_ai.operation.name": "invoke_workflow",
    "gen_ai.workflow.name": workflow.name,
  };
  if (workflow.runId) attributes["keel.run.id"] = workflow.runId;
  return inSpan(tracer, `invoke_workflow ${workflow.name}`, attributes, run);
}

/** A guard verdict as span attributes (finding types and actions, never the text). */
export function guardAttributes(record: VerdictRecord): Attributes {
  return {
    "keel.guard.source": record.source,
    "keel.guard.action": record.action,
    "keel.guard.policy.id": record.policy.id,
    "keel.guard.policy.version": String(record.policy.version),
    "keel.guard.scanners": record.scanners,
    "keel.guard.finding_types": [...new Set(record.findings.map((f) => f.type))],
  };
}

/** Records a verdict as a `keel.guard.verdict` event on a span (by default the active one). */
export function recordGuardVerdict(span: Span | undefined, record: VerdictRecord): void {
  span?.addEvent("keel.guard.verdict", guardAttributes(record));
}

/** A routing decision as span attributes. */
export function routeAttributes(route: {
  candidates: string[];
  choice: string;
  reason: string;
  fallbacks?: string[];
}): Attributes {
  return {
    "keel.route.candidates": route.candidates,
    "keel.route.choice": route.choice,
    "keel.route.reason": route.reason,
    "keel.route.fallbacks": route.fallbacks ?? [],
  };
}
