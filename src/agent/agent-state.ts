import { z } from "zod";
import type { Message } from "../model/types.js";

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

const contentPartSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({ type: z.literal("image"), url: z.string() }),
]);

/** The provider contract's `Message`, as a schema: every appended message is checked against it. */
export const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: z.string() }),
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(contentPartSchema)]) }),
  z.object({
    role: z.literal("assistant"),
    content: z.string(),
    toolCalls: z.array(toolCallSchema).optional(),
  }),
  z.object({ role: z.literal("tool"), toolCallId: z.string(), content: z.string() }),
]);

const usageTotalsSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number(),
  cacheWriteTokens: z.number(),
});

/** Why the last turn ended: the model answered, a `stopWhen` condition held, or `maxSteps` was reached. */
export type AgentStopReason = "answer" | "stop-condition" | "max-steps";

export const agentStateSchema = z.object({
  messages: z.array(messageSchema).default([]),
  /** Model calls in the current turn (since the last user message). */
  steps: z.number().int().default(0),
  /** Summed over every model call of the thread. */
  usage: usageTotalsSchema.default({
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
  }),
  /** USD summed over every model call of the thread; null once any call had no price. */
  costUsd: z.number().nullable().default(0),
  /** The tool calls the last "tools" step handled (empty after a model call); what `toolCalled` reads. */
  lastToolResults: z.array(z.object({ callId: z.string(), name: z.string(), ok: z.boolean() })).default([]),
  /** Set when the turn ended; null while the agent is still working. */
  stopReason: z.enum(["answer", "stop-condition", "max-steps"]).nullable().default(null),
});

export type UsageTotals = z.infer<typeof usageTotalsSchema>;

export type AgentState = Omit<z.infer<typeof agentStateSchema>, "messages"> & { messages: Message[] };

export function addUsage(current: UsageTotals, update: UsageTotals): UsageTotals {
  return {
    inputTokens: current.inputTokens + update.inputTokens,
    outputTokens: current.outputTokens + update.outputTokens,
    cachedInputTokens: current.cachedInputTokens + update.cachedInputTokens,
    cacheWriteTokens: current.cacheWriteTokens + update.cacheWriteTokens,
  };
}

/** An unpriced call makes the total unknown rather than silently too low. */
export function addCost(current: number | null, update: number | null): number | null {
  return current === null || update === null ? null : current + update;
}
