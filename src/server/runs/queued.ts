/**
 * The runs API on PostgreSQL: `POST /runs` on any server queues the run; workers (one inside each
 * `keel serve`, and any number of `keel worker` processes) execute it with the starting key's guards
 * and audit; its events stream to whichever server a client asks (NOTIFY, then a read from the
 * cursor). The same routes and shapes as the embedded store's runs (service.ts).
 */
import { auditedRun, recordRun } from "../../audit/index.js";
import { KeelError } from "../../errors/index.js";
import type { StateSnapshot } from "../../graph/index.js";
import {
  type QueuedRun,
  type RunInfo,
  type RunQueue,
  startWorker,
  type Worker,
  type WorkerOptions,
} from "../../queue/index.js";
import type { ApiKey } from "../keys.js";
import type { Runtime } from "../runtime.js";
import { answeredIds, newRunId } from "./execute.js";
import type { RunInterrupt, RunRecord } from "./store.js";
import { graphThread, inRun, type LoadedWorkflow, parseWorkflowInput, unknownWorkflow } from "./workflows.js";

/** A comment line every so often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/** How long `cancel` waits for the worker running the run to record it cancelled. */
const CANCEL_WAIT_MS = 10_000;

export function recordOf(run: QueuedRun): RunRecord {
  return {
    id: run.id,
    tenant: run.tenant,
    thread: run.clientThread,
    workflow: run.workflow,
    keyId: run.keyId ?? "",
    // A run waiting for a worker is "queued": the API shows it so.
    status: run.status as RunRecord["status"],
    input: run.input,
    output: run.output,
    error: run.error,
    interrupts: run.interrupts as RunInterrupt[],
    phase: "start",
    baseCheckpoint: null,
    resume: null,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    endedAt: run.endedAt,
  };
}

export class QueuedRunService {
  readonly #rt: Runtime;
  readonly #queue: RunQueue;
  readonly #workflows: ReadonlyMap<string, LoadedWorkflow>;
  readonly #worker: Promise<Worker | undefined>;

  /**
   * The service, with a worker of its own unless `worker: false` (runs then wait for `keel worker`).
   * The worker starts in the background; a failure to start it is reported on stderr, and runs wait
   * for another worker.
   */
  constructor(
    rt: Runtime,
    workflows: ReadonlyMap<string, LoadedWorkflow>,
    options: { worker?: boolean } = {},
  ) {
    this.#rt = rt;
    this.#queue = rt.store.queue as RunQueue;
    this.#workflows = workflows;
    void syncSchedules(rt).catch((error) =>
      process.stderr.write(
        `keel serve: the configured schedules were not saved: ${(error as Error).message}\n`,
      ),
    );
    this.#worker =
      options.worker !== false && workflows.size > 0
        ? startRunWorker(rt, workflows).catch((error) => {
            process.stderr.write(`keel serve: the run worker did not start: ${(error as Error).message}\n`);
            return undefined;
          })
        : Promise.resolve(undefined);
  }

  workflow(name: string): LoadedWorkflow {
    const w = this.#workflows.get(name);
    if (!w) throw unknownWorkflow(this.#rt, name);
    return w;
  }

  async get(tenant: string, id: string): Promise<RunRecord> {
    const run = await this.#queue.get(id);
    if (!run || run.tenant !== tenant)
      throw new KeelError("NOT_FOUND", `No run "${id}" in tenant ${tenant}.`);
    return recordOf(run);
  }

  async start(
    key: ApiKey,
    workflow: LoadedWorkflow,
    input: unknown,
    thread?: string,
    when?: { delayMs: number } | { runAt: number },
  ): Promise<RunRecord> {
    const parsed = parseWorkflowInput(workflow, input);
    const id = newRunId();
    const clientThread = thread ?? id;
    const gthread = graphThread(key.tenant, clientThread);
    const before = await workflow.graph.getState(gthread);
    const run = await this.#queue.enqueueExclusive(
      {
        id,
        workflow: workflow.name,
        tenant: key.tenant,
        thread: gthread,
        clientThread,
        keyId: key.id,
        input: parsed ?? {},
        ...when,
      },
      (last) => {
        if (last && last.workflow !== workflow.name) {
          throw new KeelError(
            "CONFLICT",
            `Thread "${clientThread}" belongs to workflow "${last.workflow}" (run ${last.id}); use another thread id for "${workflow.name}".`,
          );
        }
        if (last && ["queued", "running", "interrupted"].includes(last.status)) {
          const next = last.status === "interrupted" ? "resume or cancel it" : "wait for it or cancel it";
          throw new KeelError(
            "CONFLICT",
            `Thread "${clientThread}" has run ${last.id}, which is ${last.status}; ${next} first.`,
          );
        }
        if (before && before.interrupts.length > 0) {
          throw new KeelError(
            "CONFLICT",
            `Thread "${clientThread}" is paused at an interrupt that no run here waits on (its run was cancelled); use a new thread id.`,
          );
        }
      },
    );
    return recordOf(run);
  }

  async resume(key: ApiKey, id: string, value: unknown): Promise<RunRecord> {
    const run = await this.get(key.tenant, id);
    if (run.status !== "interrupted") {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} is ${run.status}, not interrupted; only an interrupted run can be resumed.`,
      );
    }
    answeredIds(
      run.interrupts.map((i) => i.id),
      value,
      `Run ${id}`,
    );
    try {
      return recordOf(await this.#queue.resume(id, value, { keyId: key.id }));
    } catch (error) {
      if ((error as KeelError).code === "RUN_NOT_INTERRUPTED") {
        throw new KeelError("CONFLICT", `Run ${id} was resumed or cancelled by another request.`);
      }
      throw error;
    }
  }

  /** Cancels a queued, running or interrupted run; answers once it has stopped (wherever it ran). */
  async cancel(key: ApiKey, id: string): Promise<RunRecord> {
    const run = await this.get(key.tenant, id);
    if (!["queued", "running", "interrupted"].includes(run.status)) {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} has already ${run.status === "completed" ? "completed" : `ended (${run.status})`}; there is nothing to cancel.`,
      );
    }
    await this.#queue.cancel(id);
    const after = await this.#queue
      .wait(id, { signal: AbortSignal.timeout(CANCEL_WAIT_MS), pollMs: 25 })
      .catch(() => undefined);
    if (!after) {
      throw new KeelError(
        "CANCEL_PENDING",
        `Run ${id} is marked cancelled, but the worker running it has not stopped within ${CANCEL_WAIT_MS / 1000} s; it stops at its next heartbeat, or another worker ends it when its lease expires.`,
        { retryable: true },
      );
    }
    if (after.status !== "cancelled") {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} ended (${after.status}) before the cancellation took effect.`,
      );
    }
    return recordOf(after);
  }

  async history(
    tenant: string,
    thread: string,
    limit?: number,
  ): Promise<{ workflow: string; snapshots: StateSnapshot<Record<string, unknown>>[] }> {
    const last = await this.#queue.latestOnThread(tenant, thread);
    if (!last) throw new KeelError("NOT_FOUND", `No thread "${thread}" in tenant ${tenant}.`);
    const workflow = this.workflow(last.workflow);
    const snapshots = await workflow.graph.history(
      graphThread(tenant, thread),
      limit === undefined ? {} : { limit },
    );
    return { workflow: workflow.name, snapshots };
  }

  /** The run's events after `after` as Server-Sent Events, then live ones, until its end event. */
  events(runId: string, after: number, signal: AbortSignal): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const gone = new AbortController();
    const onGone = () => gone.abort();
    signal.addEventListener("abort", onGone, { once: true });
    const follow = this.#queue.follow(runId, { after, signal: gone.signal, pollMs: KEEP_ALIVE_MS });
    let opened = false;
    let pending: Promise<IteratorResult<unknown>> | undefined;
    const close = async (out: ReadableStreamDefaultController<Uint8Array>) => {
      signal.removeEventListener("abort", onGone);
      await follow.return(undefined).catch(() => undefined);
      out.close();
    };
    return new ReadableStream<Uint8Array>({
      async pull(out) {
        if (!opened) {
          opened = true;
          out.enqueue(encoder.encode(`: events of ${runId} after ${after}\n\n`));
          return;
        }
        pending ??= follow.next();
        const timer = new Promise<"quiet">((resolve) =>
          setTimeout(() => resolve("quiet"), KEEP_ALIVE_MS).unref(),
        );
        const next = await Promise.race([pending, timer]);
        if (next === "quiet") {
          out.enqueue(encoder.encode(": keep-alive\n\n"));
          return;
        }
        pending = undefined;
        if (next.done || gone.signal.aborted) return close(out);
        const e = next.value as { seq: number; type: string; data: unknown };
        out.enqueue(encoder.encode(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`));
      },
      async cancel() {
        gone.abort();
        signal.removeEventListener("abort", onGone);
        await follow.return(undefined).catch(() => undefined);
      },
    });
  }

  async shutdown(): Promise<void> {
    await (await this.#worker)?.stop();
  }
}

/** Saves the configuration's `schedules` in the queue (each process does at start; they agree). */
export function syncSchedules(rt: Runtime): Promise<void> {
  const schedules = Object.entries(rt.config.schedules ?? {}).map(([name, s]) => ({ name, ...s }));
  return (rt.store.queue as RunQueue).syncSchedules(schedules);
}

/**
 * A worker executing the queue's runs of `workflows` as the server would (with the configuration's
 * limits: `workflows.NAME.concurrency`, `limits.runsPerTenant`, the same in every process): inside the run's scopes
 * (the starting key's guards, the run id on every audited model call) and with its graph events in
 * the audit log. `keel serve` starts one; `keel worker` is nothing else.
 */
export async function startRunWorker(
  rt: Runtime,
  workflows: ReadonlyMap<string, LoadedWorkflow>,
  options: Partial<Pick<WorkerOptions, "concurrency" | "leaseMs" | "pollMs" | "id" | "onError">> = {},
): Promise<Worker> {
  const keys = new Map<string, ApiKey>();
  const keyOf = async (run: RunInfo): Promise<ApiKey> => {
    const known = run.keyId ? (keys.get(run.keyId) ?? (await rt.keys.get(run.keyId))) : undefined;
    if (known) keys.set(known.id, known);
    // The key row is gone (or the run was queued from code): it still acts for its tenant, default guard.
    return (
      known ?? {
        id: run.keyId ?? "queue",
        tenant: run.tenant,
        role: "app",
        name: null,
        guard: null,
        limits: {},
        createdAt: 0,
        revokedAt: null,
      }
    );
  };
  const graphs = Object.fromEntries([...workflows].map(([name, w]) => [name, w.graph]));
  const perWorkflow = Object.fromEntries(
    [...workflows].flatMap(([name, w]) =>
      w.definition.concurrency ? [[name, w.definition.concurrency]] : [],
    ),
  );
  const perTenant = rt.config.limits?.runsPerTenant;
  const limited = Object.keys(perWorkflow).length > 0 || perTenant !== undefined;
  return startWorker({
    queue: rt.store.queue as RunQueue,
    workflows: graphs,
    ...(limited ? { limits: { workflows: perWorkflow, ...(perTenant ? { perTenant } : {}) } } : {}),
    ...options,
    scope: async (run, execute) => {
      const key = await keyOf(run);
      return recordRun(run.id, () => inRun({ runId: run.id, key }, execute));
    },
    wrapEvents: (run, events) => {
      if (!rt.audit) return events;
      const actor = run.keyId ?? "queue";
      return auditedRun(events, { log: rt.audit.log, tenant: run.tenant, actor, graph: run.workflow });
    },
  });
}
