/**
 * One invocation of a workflow's graph (a start, a resume, or a continuation after a restart), as the
 * runs API and `keel run` both execute it: inside the run's scopes, so that model calls go through
 * the key's guards and are audited under the run id, with the graph's own events audited through
 * `auditedRun`. It never throws: how the invocation ended is its result.
 */
import { randomBytes } from "node:crypto";
import { auditedRun, recordRun } from "../../audit/index.js";
import type { GraphEvent } from "../../graph/index.js";
import { RequestError } from "../http-errors.js";
import type { ApiKey } from "../keys.js";
import type { Runtime } from "../runtime.js";
import { errorInfo, type Followed, followRun, type Outcome, type WireEvent } from "./wire.js";
import { graphThread, inRun, type LoadedWorkflow } from "./workflows.js";

export type Invocation =
  | { kind: "start"; input: unknown }
  /** `answers`: the interrupt ids the value answers (for the audit log). */
  | { kind: "resume"; value: unknown; answers: string[] }
  /** Continues the thread from its last checkpoint (after a restart). */
  | { kind: "continue" };

export interface InvocationTarget {
  rt: Runtime;
  workflow: LoadedWorkflow;
  runId: string;
  key: ApiKey;
  /** The client's thread id; the graph's is scoped to the key's tenant. */
  thread: string;
  signal: AbortSignal;
}

type Event = GraphEvent<Record<string, unknown>>;

export const newRunId = (): string => `run_${randomBytes(12).toString("base64url")}`;

/**
 * The interrupt ids a resume value answers: the single pending one, or the keys of an object keyed
 * by interrupt id when several are pending. Checked before resuming, so that a malformed answer is
 * refused rather than failing the run.
 */
export function answeredIds(pending: string[], value: unknown, what: string): string[] {
  if (pending.length === 1) return pending;
  const ids = new Set(pending);
  const keys = typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
  const unknown = keys.filter((k) => !ids.has(k));
  if (keys.length === 0 || unknown.length > 0) {
    throw new RequestError(
      "INVALID_REQUEST",
      `${what} waits at ${pending.length} interrupts; answer with an object keyed by their ids: { ${pending.map((p) => `"${p}": ...`).join(", ")} }` +
        (unknown.length ? ` (no pending interrupt is ${unknown.map((u) => `"${u}"`).join(" or ")}).` : "."),
      "value",
    );
  }
  return keys;
}

export function invoke(
  target: InvocationTarget,
  invocation: Invocation,
  onEvent: (event: WireEvent) => void,
): Promise<Outcome> {
  const { rt, workflow, runId, key, thread, signal } = target;
  const run = { id: runId, workflow: workflow.name, thread };
  const gthread = graphThread(key.tenant, thread);
  const rename = { from: gthread, to: thread };
  // The scopes must be in place when the graph starts (inside `stream`): its nodes inherit them.
  return recordRun(runId, () =>
    inRun({ runId, key }, async (): Promise<Outcome> => {
      const options = { thread: gthread, signal };
      let events: AsyncIterable<Event> =
        invocation.kind === "resume"
          ? workflow.graph.stream(null, { ...options, resume: invocation.value })
          : workflow.graph.stream(
              // No input is an empty one: null would ask the graph to continue the thread instead.
              invocation.kind === "start" ? ((invocation.input ?? {}) as Record<string, unknown>) : null,
              options,
            );
      if (rt.audit) {
        events = auditedRun(events, {
          log: rt.audit.log,
          tenant: key.tenant,
          actor: key.id,
          graph: workflow.name,
          ...(invocation.kind === "resume" ? { resumed: invocation.answers } : {}),
        });
      }
      const seen: Followed = { end: undefined, interrupts: [] };
      try {
        await followRun(events, run, seen, onEvent);
        const { end, interrupts } = seen;
        return {
          status: end?.status === "interrupted" ? "interrupted" : "completed",
          state: end?.state ?? null,
          interrupts: end?.status === "interrupted" ? interrupts : [],
          error: null,
          step: end?.step ?? null,
        };
      } catch (error) {
        const info = errorInfo(error, rename);
        return {
          status: info.code === "RUN_CANCELLED" ? "cancelled" : "failed",
          state: seen.end?.state ?? null,
          interrupts: [],
          error: info,
          step: seen.end?.step ?? null,
        };
      }
    }),
  );
}
