import type { AgentState } from "./agent-state.js";

/**
 * A loop policy: the agent stops when one holds. Conditions are checked after every model call
 * (when the model asked for tools; an answer ends the turn anyway) and after every tools step, on the
 * state as that step left it. A condition that holds after a model call leaves its tool calls unrun.
 */
export type StopCondition = (state: AgentState) => boolean;

/** Stops once the current turn has made `n` model calls (its tool calls are then not run). */
export function stepCount(n: number): StopCondition {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`stepCount(n) needs an integer n >= 1, got ${n}.`);
  return (state) => state.steps >= n;
}

/**
 * Stops right after the tool `name` ran successfully, before the model sees its result (the result is
 * in `messages`). A call that was refused (invalid arguments, not allowed, rejected by a human) or
 * that failed does not count, so the model gets the chance to correct it.
 */
export function toolCalled(name: string): StopCondition {
  return (state) => state.lastToolResults.some((r) => r.name === name && r.ok);
}
