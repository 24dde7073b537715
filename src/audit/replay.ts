/**
 * Replay: re-execute a recorded run with every model answer and tool result served from the audit
 * log, matched by request hash and order, and report the first call where the new execution asks
 * for something the recorded one did not. With another provider (counterfactual replay), model
 * calls go to it and the answers are compared side by side with the recorded ones.
 */
import { createHash } from "node:crypto";
import type { Tool } from "../agent/tool.js";
import { KeelError } from "../errors/index.js";
import type { ModelRequest, ModelResponse, Provider, StreamPart, ToolCall } from "../model/types.js";
import { requestHash } from "./audited-provider.js";
import { canonicalJson } from "./canonical-json.js";
import type { AuditLog } from "./log.js";
import { currentRunId } from "./run-context.js";

/** SHA-256 of a tool call: its name and canonical input. */
export function toolCallHash(name: string, input: unknown): string {
  return createHash("sha256")
    .update(canonicalJson({ name, input: input ?? null }))
    .digest("hex");
}

export interface AuditedToolOptions {
  log: AuditLog;
  tenant: string;
  actor: string;
  runId?: string;
  subject?: string;
}

/** A tool whose every call is recorded as a `tool.call` event (arguments and result as content). */
export function auditedTool<S extends Tool>(tool: S, options: AuditedToolOptions): S {
  const run: Tool["run"] = async (input, ctx) => {
    const started = performance.now();
    const runId = options.runId ?? currentRunId();
    const record = (status: "ok" | "error", result?: unknown) =>
      options.log.append({
        type: "tool.call",
        tenant: options.tenant,
        actor: options.actor,
        ...(runId ? { runId } : {}),
        data: {
          name: tool.name,
          callId: ctx.callId,
          status,
          latencyMs: Math.round(performance.now() - started),
          requestHash: toolCallHash(tool.name, input),
        },
        content: {
          arguments: JSON.stringify(input ?? null),
          ...(status === "ok" ? { result: JSON.stringify(result ?? null) } : {}),
        },
        ...(options.subject ? { subject: options.subject } : {}),
      });
    let result: unknown;
    try {
      result = await tool.run(input, ctx);
    } catch (error) {
      await record("error");
      throw error;
    }
    await record("ok", result);
    return result;
  };
  return { ...tool, run } as S;
}

interface RecordedCall {
  kind: "model" | "tool";
  hash: string;
  /** Model name or tool name, for reports. */
  name: string;
  seq: number;
  response?: ModelResponse;
  result?: unknown;
}

export interface Recording {
  tenant: string;
  runId: string;
  calls: RecordedCall[];
}

/** The recorded calls of a run, in order, with their answers decrypted. */
export async function loadRecording(
  log: AuditLog,
  run: { tenant: string; runId: string; actor: string },
): Promise<Recording> {
  const events = await log.runEvents(run.runId, { tenant: run.tenant, actor: run.actor });
  const calls: RecordedCall[] = [];
  for (const e of events) {
    const { type, data, seq } = e.envelope;
    if (type !== "model.call" && type !== "tool.call") continue;
    if (data.status !== "ok") continue;
    if (e.erased || !e.content) {
      throw new KeelError(
        "REPLAY_UNAVAILABLE",
        `Event ${seq} of run "${run.runId}" has no readable content (erased, or redaction failed when it was recorded), so the run cannot be replayed.`,
      );
    }
    if (type === "model.call") {
      const output = JSON.parse(e.content.output ?? "{}") as { text?: string; toolCalls?: ToolCall[] };
      const usage = data.usage as { inputTokens: number; outputTokens: number };
      calls.push({
        kind: "model",
        hash: String(data.requestHash),
        name: String(data.requestedModel),
        seq,
        response: {
          text: output.text ?? "",
          toolCalls: output.toolCalls ?? [],
          finishReason: (data.finishReason as ModelResponse["finishReason"]) ?? "stop",
          usage: { ...usage, cachedInputTokens: 0, cacheWriteTokens: 0, source: "provider" },
          model: String(data.resolvedModel),
          provider: String(data.provider),
        },
      });
    } else {
      calls.push({
        kind: "tool",
        hash: String(data.requestHash),
        name: String(data.name),
        seq,
        result: JSON.parse(e.content.result ?? "null"),
      });
    }
  }
  return { tenant: run.tenant, runId: run.runId, calls };
}

export interface Divergence {
  /** Position of the call in the run (model and tool calls counted together, from 0). */
  index: number;
  kind: "model" | "tool";
  /** What the recorded run did at this point (absent when it had made no more calls). */
  recorded?: { kind: "model" | "tool"; name: string; hash: string; seq: number };
  /** What the new execution asked for (absent when it stopped early). */
  replayed?: { kind: "model" | "tool"; name: string; hash: string };
}

export class ReplayDivergedError extends KeelError {
  readonly divergence: Divergence;
  constructor(divergence: Divergence) {
    const at = divergence.recorded
      ? `the recorded run made a ${divergence.recorded.kind} call to ${divergence.recorded.name} (event ${divergence.recorded.seq})`
      : "the recorded run had made no more calls";
    const asked = divergence.replayed
      ? `a ${divergence.replayed.kind} call to ${divergence.replayed.name}`
      : "nothing";
    super(
      "REPLAY_DIVERGED",
      `The replay diverged at call ${divergence.index}: ${at}, the new execution asked for ${asked}.`,
    );
    this.divergence = divergence;
  }
}

export interface ReplayReport {
  tenant: string;
  runId: string;
  status: "identical" | "diverged" | "counterfactual";
  recordedCalls: number;
  replayedCalls: number;
  divergence?: Divergence;
  /** Counterfactual replay: each model call's recorded answer beside the new one. */
  diffs?: Array<{ index: number; model: string; recorded: string; replayed: string; changed: boolean }>;
  /** What the execution returned (when it finished). */
  output?: unknown;
}

export interface ReplayDeps {
  /** Serves recorded answers (or asks the counterfactual provider). */
  provider: Provider;
  /** Wraps a tool so its recorded result is returned without running it. */
  tool<S extends Tool>(tool: S): S;
}

function streamOf(response: ModelResponse): AsyncIterable<StreamPart> {
  return (async function* () {
    if (response.text) yield { type: "text-delta", text: response.text };
    for (const toolCall of response.toolCalls) yield { type: "tool-call", toolCall };
    yield { type: "finish", response };
  })();
}

/**
 * Re-executes a recorded run: `execute` gets a provider and a tool wrapper that serve the recording;
 * the report says whether the execution asked for exactly the recorded calls, in order.
 */
export async function replayRun(
  recording: Recording,
  execute: (deps: ReplayDeps) => Promise<unknown>,
  options: { provider?: Provider } = {},
): Promise<ReplayReport> {
  const live = options.provider;
  let next = 0;
  let divergence: Divergence | undefined;
  const diffs: NonNullable<ReplayReport["diffs"]> = [];
  const take = (kind: "model" | "tool", name: string, hash: string): RecordedCall => {
    const index = next++;
    const recorded = recording.calls[index];
    if (!recorded || recorded.kind !== kind || (recorded.hash !== hash && !(live && kind === "model"))) {
      divergence ??= {
        index,
        kind,
        ...(recorded
          ? { recorded: { kind: recorded.kind, name: recorded.name, hash: recorded.hash, seq: recorded.seq } }
          : {}),
        replayed: { kind, name, hash },
      };
      throw new ReplayDivergedError(divergence);
    }
    return recorded;
  };
  const answer = async (
    request: ModelRequest,
    callOptions?: Parameters<Provider["generate"]>[1],
  ): Promise<ModelResponse> => {
    const index = next;
    const recorded = take("model", request.model, requestHash(request));
    if (!live) return recorded.response as ModelResponse;
    const response = await live.generate(request, callOptions);
    const before = recorded.response?.text ?? "";
    diffs.push({
      index,
      model: response.model,
      recorded: before,
      replayed: response.text,
      changed: before !== response.text,
    });
    return response;
  };
  const provider: Provider = {
    id: live?.id ?? "replay",
    capabilities: live?.capabilities ?? { tools: true, jsonSchema: true, images: true, streaming: true },
    generate: answer,
    stream: (request, callOptions) =>
      (async function* () {
        yield* streamOf(await answer(request, callOptions));
      })(),
  };
  const deps: ReplayDeps = {
    provider,
    tool: <S extends Tool>(t: S): S =>
      ({
        ...t,
        run: async (input: unknown) => take("tool", t.name, toolCallHash(t.name, input)).result,
      }) as S,
  };
  const report: ReplayReport = {
    tenant: recording.tenant,
    runId: recording.runId,
    status: live ? "counterfactual" : "identical",
    recordedCalls: recording.calls.length,
    replayedCalls: 0,
  };
  try {
    report.output = await execute(deps);
    if (!divergence && next < recording.calls.length) {
      const recorded = recording.calls[next] as RecordedCall;
      divergence = {
        index: next,
        kind: recorded.kind,
        recorded: { kind: recorded.kind, name: recorded.name, hash: recorded.hash, seq: recorded.seq },
      };
    }
  } catch (error) {
    if (!(error instanceof ReplayDivergedError) && !divergence) throw error;
  }
  report.replayedCalls = next;
  if (divergence) {
    report.status = "diverged";
    report.divergence = divergence;
  }
  if (live) report.diffs = diffs;
  return report;
}
