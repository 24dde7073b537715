/**
 * Runs executing in this process: started and resumed in the background, cancelled through their
 * AbortSignal, continued from their last checkpoint when the server starts again, and stopped (not
 * cancelled) when it closes, so the next start continues them.
 */
import { KeelError } from "../../errors/index.js";
import type { Checkpointer, StateSnapshot } from "../../graph/index.js";
import type { ApiKey, KeyStore } from "../keys.js";
import type { Runtime } from "../runtime.js";
import { answeredIds, type Invocation, invoke, newRunId } from "./execute.js";
import type { RunNotifier } from "./notifier.js";
import type { RunRecord, RunStore } from "./store.js";
import {
  endEvent,
  errorInfo,
  eventText,
  interruptsOf,
  type Outcome,
  toJson,
  type WireEvent,
} from "./wire.js";
import { graphThread, type LoadedWorkflow, parseWorkflowInput, unknownWorkflow } from "./workflows.js";

interface Active {
  controller: AbortController;
  /** Why it is being stopped: a cancel ends the run; a shutdown leaves it running for the next start. */
  stopping: "cancel" | "shutdown" | undefined;
  cancelledBy: string | undefined;
  done: Promise<void>;
}

type Plan = Invocation | { settle: Outcome };

export class RunService {
  readonly #rt: Runtime;
  readonly #store: RunStore;
  readonly #notifier: RunNotifier;
  readonly #workflows: ReadonlyMap<string, LoadedWorkflow>;
  readonly #checkpointer: Checkpointer;
  readonly #active = new Map<string, Active>();
  #closing = false;

  constructor(options: {
    rt: Runtime;
    store: RunStore;
    notifier: RunNotifier;
    workflows: ReadonlyMap<string, LoadedWorkflow>;
    checkpointer: Checkpointer;
  }) {
    this.#rt = options.rt;
    this.#store = options.store;
    this.#notifier = options.notifier;
    this.#workflows = options.workflows;
    this.#checkpointer = options.checkpointer;
  }

  /** The run in the key's tenant; another tenant's run is as missing as an unknown id. */
  get(tenant: string, id: string): RunRecord {
    const run = this.#store.get(tenant, id);
    if (!run) throw new KeelError("NOT_FOUND", `No run "${id}" in tenant ${tenant}.`);
    return run;
  }

  workflow(name: string): LoadedWorkflow {
    const w = this.#workflows.get(name);
    if (!w) throw unknownWorkflow(this.#rt, name);
    return w;
  }

  /** Checks the input, records the run and starts it in the background. */
  async start(key: ApiKey, workflow: LoadedWorkflow, input: unknown, thread?: string): Promise<RunRecord> {
    this.#refuseWhenClosing();
    const parsed = parseWorkflowInput(workflow, input);
    const id = newRunId();
    const clientThread = thread ?? id;
    const before = await workflow.graph.getState(graphThread(key.tenant, clientThread));
    // From here to the launch nothing awaits, so two requests cannot both pass the thread's checks.
    const last = this.#store.latestOnThread(key.tenant, clientThread);
    if (last && last.workflow !== workflow.name) {
      throw new KeelError(
        "CONFLICT",
        `Thread "${clientThread}" belongs to workflow "${last.workflow}" (run ${last.id}); use another thread id for "${workflow.name}".`,
      );
    }
    if (last && (last.status === "running" || last.status === "interrupted")) {
      throw new KeelError(
        "CONFLICT",
        `Thread "${clientThread}" has run ${last.id}, which is ${last.status}; ${last.status === "running" ? "wait for it or cancel it" : "resume or cancel it"} first (POST /runs/${last.id}/${last.status === "running" ? "cancel" : "resume"}).`,
      );
    }
    if (before && before.interrupts.length > 0) {
      throw new KeelError(
        "CONFLICT",
        `Thread "${clientThread}" is paused at an interrupt that no run here waits on (its run was cancelled, or \`keel run\` started it); use a new thread id.`,
      );
    }
    const run = this.#store.insert({
      id,
      tenant: key.tenant,
      thread: clientThread,
      workflow: workflow.name,
      keyId: key.id,
      input,
      baseCheckpoint: before?.checkpointId ?? null,
    });
    this.#launch(run, key, async () => ({ kind: "start", input: parsed }));
    return run;
  }

  /** Resumes an interrupted run with the answer to its interrupt(s). */
  async resume(key: ApiKey, id: string, value: unknown): Promise<RunRecord> {
    this.#refuseWhenClosing();
    const run = this.get(key.tenant, id);
    if (run.status !== "interrupted") {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} is ${run.status}, not interrupted; only an interrupted run can be resumed.`,
      );
    }
    const answers = answeredIds(
      run.interrupts.map((i) => i.id),
      value,
      `Run ${id}`,
    );
    const workflow = this.workflow(run.workflow);
    const state = await workflow.graph.getState(graphThread(run.tenant, run.thread));
    const resumed = this.#store.markResumed(key.tenant, id, key.id, {
      value,
      checkpoint: state?.checkpointId ?? null,
      ids: answers,
    });
    if (!resumed) throw new KeelError("CONFLICT", `Run ${id} was resumed or cancelled by another request.`);
    const updated = this.get(key.tenant, id);
    this.#notifier.notify(id);
    this.#launch(updated, key, async () => ({ kind: "resume", value, answers }));
    return updated;
  }

  /** Cancels a running run (its graph is aborted) or an interrupted one; waits until it has stopped. */
  async cancel(key: ApiKey, id: string): Promise<RunRecord> {
    const run = this.get(key.tenant, id);
    const error = { code: "RUN_CANCELLED", message: `Cancelled with key ${key.id}.` };
    if (run.status === "interrupted") {
      const outcome: Outcome = { status: "cancelled", state: run.output, interrupts: [], error, step: null };
      const end = endEvent(outcome);
      if (this.#store.cancelInterrupted(key.tenant, id, error, { type: end.type, data: eventText(end) })) {
        this.#notifier.notify(id);
        return this.get(key.tenant, id);
      }
      return this.cancel(key, id);
    }
    if (run.status !== "running") {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} has already ${run.status === "completed" ? "completed" : `ended (${run.status})`}; there is nothing to cancel.`,
      );
    }
    const active = this.#active.get(id);
    if (!active) {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} is not executing in this server process (another process on the same store runs it); cancel it there.`,
      );
    }
    if (active.stopping !== "shutdown") {
      active.stopping = "cancel";
      active.cancelledBy = key.id;
      active.controller.abort(new KeelError("RUN_CANCELLED", `cancelled with key ${key.id}`));
    }
    await active.done;
    const after = this.get(key.tenant, id);
    if (after.status !== "cancelled") {
      throw new KeelError(
        "CONFLICT",
        `Run ${id} ${after.status === "running" ? "is stopping because the server is closing" : `ended (${after.status}) before the cancellation took effect`}.`,
      );
    }
    return after;
  }

  /** The thread's checkpoints, newest first; the thread is found through its runs in this tenant. */
  async history(
    tenant: string,
    thread: string,
    limit?: number,
  ): Promise<{ workflow: string; snapshots: StateSnapshot<Record<string, unknown>>[] }> {
    const last = this.#store.latestOnThread(tenant, thread);
    if (!last) throw new KeelError("NOT_FOUND", `No thread "${thread}" in tenant ${tenant}.`);
    const workflow = this.workflow(last.workflow);
    const snapshots = await workflow.graph.history(
      graphThread(tenant, thread),
      limit === undefined ? {} : { limit },
    );
    return { workflow: workflow.name, snapshots };
  }

  /**
   * Continues every run that was executing when the server stopped. Each is registered at once (so
   * it can be read and cancelled), then continued from what its thread's checkpoints say it did.
   */
  recover(): void {
    for (const run of this.#store.running()) {
      // This service runs on the SQLite store only (runs on PostgreSQL go through the queue), whose
      // key store answers at once: recovery registers every run before anything else can happen.
      const key = (this.#rt.keys as KeyStore).get(run.keyId) ?? {
        // The key row is gone: the run still belongs to its tenant, with the default guard.
        id: run.keyId,
        tenant: run.tenant,
        role: "app" as const,
        name: null,
        guard: null,
        limits: {},
        createdAt: run.createdAt,
        revokedAt: null,
      };
      this.#launch(run, key, () => this.#recoveryPlan(run));
    }
  }

  /** Stops every executing run without ending it (they continue at the next start), then the checkpointer. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    const active = [...this.#active.values()];
    for (const a of active) {
      a.stopping = "shutdown";
      a.controller.abort(
        new KeelError(
          "SERVER_CLOSING",
          "the server is closing; the run continues from its last checkpoint when it starts again",
        ),
      );
    }
    await Promise.all(active.map((a) => a.done));
    this.#notifier.close();
    await this.#checkpointer.close();
  }

  /**
   * What a run found running at start must do. The thread's checkpoints say how far it got: a start
   * whose input never reached the thread starts again; a resume whose answer was not recorded is
   * resumed again; a run that had paused is interrupted; anything else continues from its last
   * checkpoint (which also finishes a run that had ended but not been recorded).
   */
  async #recoveryPlan(run: RunRecord): Promise<Plan> {
    const workflow = this.#workflows.get(run.workflow);
    if (!workflow) {
      const error = unknownWorkflow(this.#rt, run.workflow).toJSON();
      return { settle: { status: "failed", state: null, interrupts: [], error, step: null } };
    }
    const state = await workflow.graph.getState(graphThread(run.tenant, run.thread));
    if (run.phase === "start" && (state?.checkpointId ?? null) === run.baseCheckpoint) {
      return { kind: "start", input: parseWorkflowInput(workflow, run.input) };
    }
    if (!state) {
      const error = {
        code: "THREAD_NOT_FOUND",
        message: `The checkpoints of thread "${run.thread}" are gone, so run ${run.id} cannot continue; start it again.`,
      };
      return { settle: { status: "failed", state: null, interrupts: [], error, step: null } };
    }
    if (state.interrupts.length > 0) {
      const r = run.resume;
      const pending = new Set(state.interrupts.map((i) => i.id));
      if (
        run.phase === "resume" &&
        r &&
        r.checkpoint === state.checkpointId &&
        r.ids.every((i) => pending.has(i))
      ) {
        return { kind: "resume", value: r.value, answers: r.ids };
      }
      return {
        settle: {
          status: "interrupted",
          state: state.values,
          interrupts: interruptsOf(state.interrupts),
          error: null,
          step: state.step,
        },
      };
    }
    return { kind: "continue" };
  }

  #launch(run: RunRecord, key: ApiKey, plan: () => Promise<Plan>): void {
    const active: Active = {
      controller: new AbortController(),
      stopping: undefined,
      cancelledBy: undefined,
      done: Promise.resolve(),
    };
    this.#active.set(run.id, active);
    // Read through a function: `stopping` changes while the run awaits.
    const shutDown = () => active.stopping === "shutdown";
    const record = (event: WireEvent) => {
      // Events of a run stopped for a shutdown are not the run's end: it continues at the next start.
      if (shutDown()) return;
      this.#store.appendEvent(run.id, event.type, eventText(event));
      this.#notifier.notify(run.id);
    };
    active.done = (async () => {
      let step: Plan;
      try {
        step = await plan();
      } catch (error) {
        step = {
          settle: { status: "failed", state: null, interrupts: [], error: errorInfo(error), step: null },
        };
      }
      if (shutDown()) return;
      let outcome: Outcome;
      if ("settle" in step) outcome = step.settle;
      else {
        const workflow = this.workflow(run.workflow);
        outcome = await invoke(
          {
            rt: this.#rt,
            workflow,
            runId: run.id,
            key,
            thread: run.thread,
            signal: active.controller.signal,
          },
          step,
          record,
        );
      }
      if (shutDown()) return;
      if (outcome.status === "cancelled" && active.stopping === "cancel") {
        outcome = {
          ...outcome,
          error: { code: "RUN_CANCELLED", message: `Cancelled with key ${active.cancelledBy}.` },
        };
      }
      const end = endEvent(outcome);
      this.#store.finish(
        run.id,
        {
          status: outcome.status,
          output: jsonOrNull(outcome.state),
          error: outcome.error,
          interrupts: outcome.interrupts,
        },
        { type: end.type, data: eventText(end) },
      );
      this.#notifier.notify(run.id);
    })()
      .catch((error: unknown) => {
        // The store itself failed (disk full, closed): the run stays "running" and the next start continues it.
        console.error(
          `keel: run ${run.id} could not be recorded:`,
          error instanceof Error ? error.message : error,
        );
      })
      .finally(() => {
        if (this.#active.get(run.id) === active) this.#active.delete(run.id);
      });
  }

  #refuseWhenClosing(): void {
    if (this.#closing) {
      throw new KeelError(
        "SERVER_CLOSING",
        "The server is closing; start or resume the run on the next server.",
        {
          retryable: true,
        },
      );
    }
  }
}

/** The state as JSON for the run's `output`; a state JSON cannot hold (a cycle) is left out. */
function jsonOrNull(state: unknown): unknown {
  try {
    return state === null ? null : toJson(state);
  } catch {
    return null;
  }
}
