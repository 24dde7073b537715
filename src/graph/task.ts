import { isKeelError, KeelError } from "../errors/index.js";
import { NodeError, NodeTimeoutError, RunCancelledError } from "./errors.js";
import { withRetries } from "./retry.js";
import type { RunState } from "./run.js";
import { deserialize } from "./serde.js";
import type { NodeSpec } from "./spec.js";
import { encode, type PendingRecords, type TaskSpec } from "./thread-store.js";
import type { CustomEvent, NodeContext, PendingInterrupt, StepTransaction } from "./types.js";

type Values = Record<string, unknown>;

export type TaskOutcome =
  | { kind: "done"; update: Values | undefined }
  | { kind: "interrupted"; interrupts: PendingInterrupt[] };

/** One task of a superstep: a node to run, with its deterministic id. */
export interface Task extends TaskSpec {
  id: string;
  spec: NodeSpec;
}

/**
 * An abort controller created only when someone asks for its signal: most nodes never look at
 * `ctx.signal`, and a run with trivial nodes should not pay for controllers it does not use.
 */
export class LazyAbort {
  private controller: AbortController | undefined;
  private reason: { value: unknown } | undefined;
  private listeners: ((reason: unknown) => void)[] | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason.value);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  get abortReason(): unknown {
    return this.reason?.value;
  }

  /** Calls `listener` once when this aborts (at once if it already has); returns an unsubscribe. */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.reason) {
      listener(this.reason.value);
      return () => {};
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const i = this.listeners?.indexOf(listener) ?? -1;
      if (i >= 0) this.listeners!.splice(i, 1);
    };
  }

  /** A controller that aborts with this one, and may also abort alone. */
  child(): LazyAbort {
    const c = new LazyAbort();
    this.onAbort((reason) => c.abort(reason));
    return c;
  }

  abort(reason: unknown): void {
    if (this.reason) return;
    this.reason = { value: reason };
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const l of listeners) l(reason);
  }
}

/** Internal hooks a subgraph node needs from its parent's task; not part of the public context. */
export interface SubgraphHooks {
  run: RunState;
  task: Task;
  /** The checkpoint the task's step started from. */
  checkpointId: string;
  /** Resume values addressed to this task's forwarded interrupts, keyed by the subgraph's own ids. */
  resumes: Map<string, unknown>;
  /** Pauses this task with interrupts raised inside the subgraph. */
  forward(interrupts: PendingInterrupt[]): Promise<never>;
}

export const SUBGRAPH_HOOKS: unique symbol = Symbol("keel.subgraph-hooks");

class TaskContext implements NodeContext {
  readonly runId: string;
  readonly thread: string;
  readonly node: string;
  readonly superstep: number;
  readonly input: unknown;
  private interruptCount = 0;
  private stepCounts: Map<string, number> | undefined;
  interrupted: PendingInterrupt[] | undefined;
  onInterrupt: ((interrupts: PendingInterrupt[]) => void) | undefined;
  private own: LazyAbort | undefined;
  // Captured when the attempt starts: an abandoned attempt that keeps going (it ignored its signal)
  // must not record anything against a later step's checkpoint.
  private readonly checkpointId: string;
  private readonly pending: PendingRecords;

  constructor(
    private readonly run: RunState,
    private readonly task: Task,
    readonly attempt: number,
    private readonly stepAbort: LazyAbort,
  ) {
    this.runId = run.runId;
    this.thread = run.thread;
    this.node = task.node;
    this.superstep = run.head.step + 1;
    this.input = task.send?.input;
    this.checkpointId = run.head.id;
    this.pending = run.pending;
  }

  /** This attempt's own abort (created on first need): follows the step's, and fires alone on timeout or interrupt. */
  get abort(): LazyAbort {
    return (this.own ??= this.stepAbort.child());
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Refuses new work once the attempt was abandoned (timeout, cancellation, a failed sibling). */
  private live(what: string): void {
    if (this.interrupted || !(this.own?.aborted || this.stepAbort.aborted)) return;
    throw new KeelError(
      "ATTEMPT_ABANDONED",
      `Node "${this.node}" called ${what} after its attempt was abandoned (timed out, cancelled, or a sibling failed). ` +
        "Stop work when ctx.signal aborts.",
    );
  }

  emit(data: CustomEvent): void {
    if (this.own?.aborted || this.stepAbort.aborted) return;
    this.run.emit?.({
      type: "custom",
      runId: this.runId,
      ns: this.run.ns,
      step: this.superstep,
      node: this.node,
      data,
    });
  }

  interrupt<R>(payload: unknown): Promise<R> {
    const id = `${this.task.id}.${this.interruptCount++}`;
    if (this.pending.resumes.has(id)) return Promise.resolve(this.pending.resumes.get(id) as R);
    return this.pause([{ id, node: this.node, payload }]);
  }

  pause(interrupts: PendingInterrupt[]): Promise<never> {
    if (!this.run.store) {
      throw new KeelError(
        "CHECKPOINTER_REQUIRED",
        `Node "${this.node}" called ctx.interrupt(), which needs somewhere to keep the paused run: ` +
          "compile({ checkpointer: memoryCheckpointer() }) or sqliteCheckpointer({ path }).",
      );
    }
    this.live("ctx.interrupt()");
    if (this.interrupted) {
      // Several interrupts raised together (Promise.all): all of them are recorded.
      this.interrupted.push(...interrupts);
    } else {
      this.interrupted = [...interrupts];
      this.onInterrupt?.(this.interrupted);
      this.abort.abort(new KeelError("INTERRUPTED", "the node interrupted; it will run again on resume"));
    }
    // Never settles: the node's frame is dropped, and on resume the node runs again from the top.
    return new Promise<never>(() => {});
  }

  async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    this.live(`ctx.step("${name}")`);
    const key = this.stepKey(name);
    const recorded = this.pending.steps.get(this.task.id);
    if (recorded?.has(key)) return recorded.get(key) as T;
    let value: T = await fn();
    const data = encode(`The result of ctx.step("${name}") in node "${this.node}"`, value);
    if (this.run.store) {
      const earlier = await this.run.store.putTask(this.run.thread, this.run.ns, {
        checkpointId: this.checkpointId,
        taskId: this.task.id,
        kind: "step",
        key,
        data,
      });
      // Another process running this task recorded the step first: its result is the step's result.
      if (earlier !== undefined) value = deserialize(earlier) as T;
      // The whole point of a durable step: its result is on disk before the node goes on.
      await this.run.store.checkpointer.flush(this.run.thread);
    }
    this.remember(key, value);
    return value;
  }

  async transaction<T>(name: string, fn: (tx: StepTransaction) => Promise<T>): Promise<T> {
    this.live(`ctx.transaction("${name}")`);
    const checkpointer = this.run.store?.checkpointer;
    if (!checkpointer?.transactionStep) {
      throw new KeelError(
        "STEP_TRANSACTIONS_UNSUPPORTED",
        `ctx.transaction("${name}") in node "${this.node}" needs a checkpointer with transactions (postgresCheckpointer); ` +
          "compile the graph with one, or use ctx.step for work that is not a database write.",
      );
    }
    const key = this.stepKey(name);
    const recorded = this.pending.steps.get(this.task.id);
    if (recorded?.has(key)) return recorded.get(key) as T;
    const outcome = await checkpointer.transactionStep(
      this.run.thread,
      this.run.ns,
      { checkpointId: this.checkpointId, taskId: this.task.id, key },
      fn,
      (value) => encode(`The result of ctx.transaction("${name}") in node "${this.node}"`, value),
    );
    const value = outcome.won ? outcome.value : (deserialize(outcome.data) as T);
    this.remember(key, value);
    return value;
  }

  /** The n-th call of a step name in this attempt: "count:name" cannot collide, whatever names hold. */
  private stepKey(name: string): string {
    this.stepCounts ??= new Map();
    const n = (this.stepCounts.get(name) ?? 0) + 1;
    this.stepCounts.set(name, n);
    return `${n}:${name}`;
  }

  private remember(key: string, value: unknown): void {
    let forTask = this.pending.steps.get(this.task.id);
    if (!forTask) this.pending.steps.set(this.task.id, (forTask = new Map()));
    forTask.set(key, value);
  }

  get [SUBGRAPH_HOOKS](): SubgraphHooks {
    const prefix = `${this.task.id}>`;
    const resumes = new Map<string, unknown>();
    for (const [id, value] of this.pending.resumes) {
      if (id.startsWith(prefix)) resumes.set(id.slice(prefix.length), value);
    }
    return {
      run: this.run,
      task: this.task,
      checkpointId: this.checkpointId,
      resumes,
      forward: (interrupts) => this.pause(interrupts.map((i) => ({ ...i, id: `${prefix}${i.id}` }))),
    };
  }
}

/**
 * Starts one task. A node without retry or timeout that returns synchronously yields its outcome
 * synchronously, so a step of trivial nodes allocates no promise at all; everything else resolves to
 * the outcome. Failures are Keel errors naming the node (a rejected promise, never a throw).
 */
export function startTask(
  run: RunState,
  task: Task,
  stepAbort: LazyAbort,
): TaskOutcome | Promise<TaskOutcome> {
  const node = task.spec;
  if (node.retry || node.timeoutMs !== undefined) return runWithPolicies(run, task, stepAbort);
  const ctx = new TaskContext(run, task, 1, stepAbort);
  let result: unknown;
  try {
    result = node.fn(run.head.values, ctx);
    if (!isThenable(result)) {
      if (ctx.interrupted) return { kind: "interrupted", interrupts: ctx.interrupted };
      return { kind: "done", update: run.spec.state.checkUpdate(result, "", node.name) };
    }
  } catch (error) {
    return Promise.reject(wrapError(node.name, 1, error, stepAbort));
  }
  return settle(run, ctx, result, undefined).catch((error) => {
    throw wrapError(node.name, 1, error, stepAbort);
  });
}

async function runWithPolicies(run: RunState, task: Task, stepAbort: LazyAbort): Promise<TaskOutcome> {
  const node = task.spec;
  let attempts = 0;
  const attempt = (n: number): Promise<TaskOutcome> => {
    attempts = n;
    const ctx = new TaskContext(run, task, n, stepAbort);
    let result: unknown;
    try {
      result = node.fn(run.head.values, ctx);
    } catch (error) {
      return Promise.reject(error);
    }
    return settle(run, ctx, result, node.timeoutMs);
  };
  try {
    if (!node.retry) return await attempt(1);
    return await withRetries(node.retry, attempt, stepAbort);
  } catch (error) {
    throw wrapError(node.name, attempts, error, stepAbort);
  }
}

/**
 * Keel errors pass through as themselves, except a cancellation that is not this run's (a graph the
 * node invoked was cancelled): that is the node failing, and says so.
 */
function wrapError(node: string, attempts: number, error: unknown, stepAbort: LazyAbort): unknown {
  if (error instanceof RunCancelledError && !stepAbort.aborted) return new NodeError(node, attempts, error);
  return isKeelError(error) ? error : new NodeError(node, attempts, error);
}

/** Waits for a node's result, an interrupt, or its timeout, whichever comes first. */
function settle(
  run: RunState,
  ctx: TaskContext,
  result: unknown,
  timeoutMs: number | undefined,
): Promise<TaskOutcome> {
  const name = ctx.node;
  return new Promise<TaskOutcome>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: TaskOutcome | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (outcome) resolve(outcome);
      else reject(error);
    };
    if (ctx.interrupted) {
      finish({ kind: "interrupted", interrupts: ctx.interrupted });
      return;
    }
    ctx.onInterrupt = (interrupts) => finish({ kind: "interrupted", interrupts });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new NodeTimeoutError(name, timeoutMs);
        ctx.abort.abort(error);
        finish(undefined, error);
      }, timeoutMs);
      // Cancelled or a sibling failed: settle now, so the timer does not outlive the run.
      ctx.abort.onAbort((reason) => {
        if (ctx.interrupted) finish({ kind: "interrupted", interrupts: ctx.interrupted });
        else finish(undefined, reason);
      });
    }
    const accept = (update: unknown) => {
      if (settled || ctx.interrupted) return;
      try {
        finish({ kind: "done", update: run.spec.state.checkUpdate(update, "", name) });
      } catch (error) {
        finish(undefined, error);
      }
    };
    if (isThenable(result)) result.then(accept, (error: unknown) => finish(undefined, error));
    else accept(result);
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}
