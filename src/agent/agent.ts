import { KeelError } from "../errors/index.js";
import { graph } from "../graph/builder.js";
import type { Checkpointer } from "../graph/checkpointer.js";
import type { CompiledGraph } from "../graph/compiled.js";
import { END, START } from "../graph/constants.js";
import type { NodeContext } from "../graph/types.js";
import { defaultModel } from "../model/default-model.js";
import { type CallResult, generateText, streamText } from "../model/generate-text.js";
import type { Message, ModelRequest, Provider, ToolCall } from "../model/types.js";
import {
  type AgentState,
  type AgentStopReason,
  addCost,
  addUsage,
  agentStateSchema,
  type UsageTotals,
} from "./agent-state.js";
import { runToolCalls } from "./agent-tools.js";
import type { StopCondition } from "./stop.js";
import type { Tool } from "./tool.js";

export interface AgentOptions {
  /** Default: `defaultModel()`, from the environment, or the offline extractive model. */
  model?: Provider;
  /** The provider's model name (default: the default model's, or "default"). */
  modelName?: string;
  tools?: Tool<any, any>[];
  /** Sent as the system message of every call (not stored in the thread's messages). */
  instructions?: string;
  /** Names of the tools this agent may call; default all of `tools`. Only these are shown to the model. */
  allowTools?: string[];
  stopWhen?: StopCondition | StopCondition[];
  /** Model calls per turn (default 10); reaching it ends the turn with `stopReason: "max-steps"`. */
  maxSteps?: number;
  checkpointer?: Checkpointer;
}

/** The custom events an agent emits; `stream()` yields them as `{ type: "custom", data }`. */
export type AgentEvent =
  | { type: "model-delta"; text: string }
  | { type: "tool-result"; callId: string; name: string; ok: boolean };

/** What the "model-call" durable step records: plain JSON, enough to rebuild the turn. */
interface RecordedCall {
  text: string;
  toolCalls: ToolCall[];
  usage: UsageTotals;
  costUsd: number | null;
}

/**
 * A tool-calling agent as a compiled graph, so it is checkpointed, resumable and streamable like any
 * graph: "model" calls the model, "tools" runs the tool calls it asked for (in parallel), and the loop
 * repeats until the model answers, a `stopWhen` condition holds or `maxSteps` model calls were made.
 * Model calls and tool runs are durable steps: a continued or resumed thread never repeats them.
 *
 * @example
 * const bot = agent({ model, modelName: "gpt-4o-mini", tools: [weather], stopWhen: stepCount(5),
 *   checkpointer: memoryCheckpointer() });
 * const { state } = await bot.run({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { thread: "t1" });
 * state.messages.at(-1); // the answer
 */
export function agent(options: AgentOptions): CompiledGraph<AgentState> {
  const tools = options.tools ?? [];
  const allowed = allowedTools(tools, options.allowTools);
  const maxSteps = options.maxSteps ?? 10;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new KeelError("INVALID_OPTION", `agent(): maxSteps must be an integer >= 1, got ${maxSteps}.`);
  }
  const conditions = [options.stopWhen ?? []].flat();
  const shouldStop = (state: AgentState) => conditions.some((c) => c(state));
  const specs = allowed.map((t) => t.spec);
  const fallback = options.model ? undefined : defaultModel();
  const model = options.model ?? fallback!.provider;
  const modelName = options.modelName ?? fallback?.model ?? "default";

  const modelNode = async (state: AgentState, ctx: NodeContext) => {
    const steps = modelCallsThisTurn(state.messages) + 1;
    const request: ModelRequest = {
      model: modelName,
      messages: options.instructions
        ? [{ role: "system", content: options.instructions }, ...state.messages]
        : state.messages,
      ...(specs.length ? { tools: specs } : {}),
    };
    const call = await ctx.step("model-call", () => callModel(model, request, ctx));
    const assistant: Message = {
      role: "assistant",
      content: call.text,
      ...(call.toolCalls.length ? { toolCalls: call.toolCalls } : {}),
    };
    const after: AgentState = {
      ...state,
      messages: [...state.messages, assistant],
      steps,
      usage: addUsage(state.usage, call.usage),
      costUsd: addCost(state.costUsd, call.costUsd),
      lastToolResults: [],
      stopReason: null,
    };
    let stopReason: AgentStopReason | null = null;
    if (call.toolCalls.length === 0) stopReason = "answer";
    else if (shouldStop(after)) stopReason = "stop-condition";
    else if (steps >= maxSteps) stopReason = "max-steps";
    // A turn that stops with tool calls unrun still answers each of them, so the conversation stays
    // valid for the model APIs when the thread goes on with a new user message.
    const unrun: Message[] =
      stopReason && stopReason !== "answer"
        ? call.toolCalls.map((c) => ({
            role: "tool",
            toolCallId: c.id,
            content: `Not run: the agent stopped (${stopReason}) before running this tool.`,
          }))
        : [];
    return {
      messages: [assistant, ...unrun],
      steps,
      usage: call.usage,
      costUsd: call.costUsd,
      lastToolResults: [],
      stopReason,
    };
  };

  const toolsNode = async (state: AgentState, ctx: NodeContext) => {
    const last = state.messages.at(-1);
    const calls = last?.role === "assistant" ? (last.toolCalls ?? []) : [];
    const { messages, results } = await runToolCalls({ calls, tools, allowed, ctx });
    const lastToolResults = results.map(({ callId, name, ok }) => ({ callId, name, ok }));
    const after: AgentState = { ...state, messages: [...state.messages, ...messages], lastToolResults };
    return { messages, lastToolResults, stopReason: shouldStop(after) ? ("stop-condition" as const) : null };
  };

  return (
    graph({
      state: agentStateSchema,
      reducers: { messages: "append", usage: addUsage, costUsd: addCost },
    })
      // The schema's message type is structurally the provider's Message; the casts only say so.
      .node("model", modelNode as any)
      .node("tools", toolsNode as any)
      .edge(START, "model")
      .branch("model", (s) => (s.stopReason ? END : "tools"), { paths: ["tools", END] })
      .branch("tools", (s) => (s.stopReason ? END : "model"), { paths: ["model", END] })
      // A turn of n model calls is at most 2n - 1 supersteps; maxSteps itself ends the turn gracefully,
      // so the graph's own limit is only a backstop (and a caller's `invoke({ maxSteps })` still wins).
      .compile({
        checkpointer: options.checkpointer,
        maxSteps: 2 * maxSteps,
      }) as unknown as CompiledGraph<AgentState>
  );
}

function allowedTools(tools: Tool<any, any>[], allow: string[] | undefined): Tool[] {
  const names = tools.map((t) => t.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new KeelError(
      "INVALID_OPTION",
      `agent(): two tools are named "${duplicate}"; tool names must be unique.`,
    );
  }
  if (!allow) return tools;
  const unknown = allow.filter((n) => !names.includes(n));
  if (unknown.length) {
    throw new KeelError(
      "INVALID_OPTION",
      `agent(): allowTools names ${unknown.map((n) => `"${n}"`).join(", ")}, which ${unknown.length > 1 ? "are" : "is"} not among tools (${names.join(", ") || "none"}).`,
    );
  }
  return tools.filter((t) => allow.includes(t.name));
}

/** Assistant messages since the last user message: the model calls of the current turn. */
function modelCallsThisTurn(messages: Message[]): number {
  let count = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role !== "user"; i--) {
    if (messages[i]!.role === "assistant") count++;
  }
  return count;
}

/** Streams when the provider can, emitting each text delta; otherwise emits the whole text once. */
async function callModel(model: Provider, request: ModelRequest, ctx: NodeContext): Promise<RecordedCall> {
  let result: CallResult | undefined;
  if (model.capabilities.streaming) {
    for await (const part of streamText({ model, request, signal: ctx.signal })) {
      if (part.type === "text-delta" && part.text) ctx.emit({ type: "model-delta", text: part.text });
      else if (part.type === "finish") result = part.response;
    }
    if (!result) {
      throw new KeelError("PROVIDER_STREAM_INTERRUPTED", "The model's stream ended without a finish part.", {
        retryable: true,
      });
    }
  } else {
    result = await generateText({ model, request, signal: ctx.signal });
    if (result.text) ctx.emit({ type: "model-delta", text: result.text });
  }
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens } = result.usage;
  return {
    text: result.text,
    toolCalls: result.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
    usage: { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens },
    costUsd: result.costUsd,
  };
}
