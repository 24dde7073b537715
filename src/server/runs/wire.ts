/**
 * What a run's events and values look like outside the process: JSON, with the graph's internal
 * ids and per-step full-state snapshots left out, and the graph's thread (`tenant/thread`) shown as
 * the client's own thread id. The SSE stream, the stored events and `keel run --json` share it.
 */
import type { GraphEvent } from "../../graph/index.js";
import type { FinalStatus, RunError, RunInterrupt } from "./store.js";

export type WireEvent = { type: string } & Record<string, unknown>;

/**
 * JSON text for a value that may hold what checkpoints allow but JSON does not (BigInt, Map, Set):
 * BigInt becomes a decimal string, Map an object (or entry pairs when its keys are not strings), Set
 * an array. A value that still cannot be written (a cycle) throws.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Map) {
      const entries = [...v.entries()];
      return entries.every(([k]) => typeof k === "string") ? Object.fromEntries(entries) : entries;
    }
    if (v instanceof Set) return [...v];
    return v;
  });
}

/** `value` as plain JSON data (see `toJsonText`). */
export function toJson(value: unknown): unknown {
  return JSON.parse(toJsonText(value)) as unknown;
}

/**
 * An error as `{ code, message }`. Errors are matched by shape, not class: a workflow loaded from a
 * configuration file may use its own copy of Keel. A thrown non-Keel error is the workflow's bug; its
 * message is the tenant's own data, so it is kept.
 */
export function errorInfo(error: unknown, rename?: { from: string; to: string }): RunError {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" && /^[A-Z][A-Z0-9_]*$/.test(e.code) ? e.code : "INTERNAL";
  let message = typeof e?.message === "string" ? e.message : String(error);
  if (rename) message = message.split(`"${rename.from}"`).join(`"${rename.to}"`);
  return { code, message };
}

export const interruptsOf = (
  list: ReadonlyArray<{ id: string; node: string; payload: unknown }>,
): RunInterrupt[] => list.map((i) => ({ id: i.id, node: i.node, value: i.payload }));

const STATUS = {
  done: "completed",
  interrupted: "interrupted",
  failed: "failed",
  cancelled: "cancelled",
} as const;

/**
 * A graph event as the world sees it; undefined for what is not shown (`state` events repeat the
 * whole state after every step, which node-end updates already describe).
 */
export function wireEvent(
  event: GraphEvent<Record<string, unknown>>,
  run: { id: string; workflow: string; thread: string },
): WireEvent | undefined {
  switch (event.type) {
    case "state":
      return undefined;
    case "run-start":
      return {
        type: "run-start",
        run: run.id,
        workflow: run.workflow,
        thread: run.thread,
        ns: event.ns,
        step: event.step,
      };
    case "run-end": {
      const { runId: _, ...rest } = event;
      return { ...rest, status: STATUS[event.status] };
    }
    default: {
      const { runId: _, ...rest } = event;
      return rest;
    }
  }
}

/** How one invocation of a run ended. */
export interface Outcome {
  status: FinalStatus;
  /** The state where it stopped (null when it stopped before having one). */
  state: unknown;
  interrupts: RunInterrupt[];
  error: RunError | null;
  /** The thread's superstep where it stopped. */
  step: number | null;
}

/** The last event of an invocation: how it ended, with the state and what it waits for. */
export function endEvent(outcome: Outcome): WireEvent {
  return {
    type: "run-end",
    ns: "",
    step: outcome.step,
    status: outcome.status,
    state: outcome.state ?? null,
    ...(outcome.interrupts.length ? { interrupts: outcome.interrupts } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

/** The event as JSON text; values that JSON cannot hold (a cycle) are left out and said so. */
export function eventText(event: WireEvent): string {
  try {
    return toJsonText(event);
  } catch {
    const { update: _u, state: _s, data: _d, ...rest } = event;
    return toJsonText({ ...rest, omitted: "the event's values are not JSON (a cycle?)" });
  }
}

/** What an invocation's event stream told so far: its top-level end, and the interrupts it paused at. */
export interface Followed {
  end: Extract<GraphEvent<Record<string, unknown>>, { type: "run-end" }> | undefined;
  interrupts: RunInterrupt[];
}

/**
 * Reads an invocation's graph events into `seen`, passing each as the world sees it to `onEvent`.
 * The top-level end and error are kept out: the caller writes the invocation's outcome once. If the
 * stream throws, `seen` still holds how far it got.
 */
export async function followRun(
  events: AsyncIterable<GraphEvent<Record<string, unknown>>>,
  run: { id: string; workflow: string; thread: string },
  seen: Followed,
  onEvent: (event: WireEvent) => void,
): Promise<void> {
  for await (const event of events) {
    const top = event.ns === "";
    if (top && event.type === "run-end") {
      seen.end = event;
      continue;
    }
    if (top && event.type === "error") continue;
    if (top && event.type === "interrupt") seen.interrupts = interruptsOf(event.interrupts);
    const wire = wireEvent(event, run);
    if (wire) onEvent(wire);
  }
}
