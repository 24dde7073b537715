/**
 * Records a graph run in the audit log: pass `graph.stream(...)` through `auditedRun` and its
 * run, step, interrupt and resume events are appended as they happen (each committed before the
 * stream moves on). State and node updates are not recorded: they may hold personal data, and the
 * checkpointer keeps them; the audit log keeps which node ran, when, how long, and how it ended.
 */
import type { GraphEvent } from "../graph/types.js";
import type { AuditLog } from "./log.js";
import { currentRunId } from "./run-context.js";

export interface AuditedRunOptions {
  log: Pick<AuditLog, "append">;
  tenant: string;
  actor: string;
  /** The graph's name in the events. */
  graph: string;
  /** Interrupt ids this run answers (when it is a `resume`): recorded as `graph.resume`. */
  resumed?: string[];
}

const STATUS = {
  done: "completed",
  interrupted: "interrupted",
  failed: "failed",
  cancelled: "cancelled",
} as const;

export async function* auditedRun<S>(
  events: AsyncIterable<GraphEvent<S>>,
  options: AuditedRunOptions,
): AsyncIterable<GraphEvent<S>> {
  const { log, tenant, actor, graph } = options;
  const base = (runId: string) => ({ tenant, actor, runId: currentRunId() ?? runId });
  for await (const event of events) {
    // Subgraph events carry a namespace; only the top-level run is a run of this graph.
    const top = event.ns === "";
    if (event.type === "run-start" && top) {
      await log.append({ type: "graph.run", ...base(event.runId), data: { graph, status: "started" } });
      for (const interruptId of options.resumed ?? []) {
        await log.append({ type: "graph.resume", ...base(event.runId), data: { graph, interruptId } });
      }
    } else if (event.type === "node-end") {
      await log.append({
        type: "graph.step",
        ...base(event.runId),
        data: {
          graph,
          node: event.node,
          superstep: event.step,
          status: "completed",
          durationMs: Math.round(event.durationMs),
          ns: event.ns,
        },
      });
    } else if (event.type === "interrupt") {
      for (const i of event.interrupts) {
        await log.append({
          type: "graph.interrupt",
          ...base(event.runId),
          data: { graph, node: i.node, interruptId: i.id },
        });
      }
    } else if (event.type === "error" && top) {
      await log.append({
        type: "graph.step",
        ...base(event.runId),
        data: { graph, node: "(run)", superstep: event.step, status: "failed", error: event.error.code },
      });
    } else if (event.type === "run-end" && top) {
      await log.append({
        type: "graph.run",
        ...base(event.runId),
        data: { graph, status: STATUS[event.status], steps: event.step },
      });
    }
    yield event;
  }
}
