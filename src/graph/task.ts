import { isKeelError, KeelError } from "../errors/index.js";
import { NodeError, NodeTimeoutError } from "./errors.js";
import type { RunState } from "./run.js";
import type { NodeSpec } from "./spec.js";
import { encode, type TaskSpec } from "./thread-store.js";
import type { CustomEvent, NodeContext, PendingInterrupt } from "./types.js";

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

  /** Calls `listener` once when this aborts (at once if it already has). */
  onAbort(listener: (reason: unknown) => void): void {
    if (this.reason) listener(this.reason.value);
    else (this.listeners ??= []).push(listener);
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

  constructor(
    private readonly run: RunState,
    private readonly task: Task,
    readonly attempt: number,
    private readonly abort: LazyAbort,
  ) {
    this.runId = run.runId;
    this.thread = run.thread;
    this.node = task.node;
    this.superstep = run.head.step + 1;
    this.input = task.send?.input;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  emit(data: CustomEvent): void {
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
    if (this.run.pending.resumes.has(id)) return Promise.resolve(this.run.pending.resumes.get(id) as R);
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
    this.interrupted = interrupts;
    this.abort.abort(new KeelError("INTERRUPTED", "the node interrupted; it will run again on resume"));
    this.onInterrupt?.(interrupts);
    // Never settles: the node's frame is dropped, and on resume the node runs again from the top.
    return new Promise<never>(() => {});
  }

  async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    this.stepCounts ??= new Map();
    const n = (this.stepCounts.get(name) ?? 0) + 1;
    this.stepCounts.set(name, n);
    const key = n === 1 ? name : `${name}#${n}`;
    const recorded = this.run.pending.steps.get(this.task.id);
    if (recorded?.has(key)) return recorded.get(key) as T;
    const value = await fn();
    const data = encode(`The result of ctx.step("${name}")`, value);
    let forTask = this.run.pending.steps.get(this.task.id);
    if (!forTask) this.run.pending.steps.set(this.task.id, (forTask = new Map()));
    forTask.set(key, value);
    if (this.run.store) {
      await this.run.store.putTask(this.run.thread, this.run.ns, {
        checkpointId: this.run.head.id,
        taskId: this.task.id,
        kind: "step",
        key,
        data,
      });
      // The whole point of a durable step: its result is on disk before the node goes on.
      await this.run.store.checkpointer.flush();
    }
    return value;
  }

  get [SUBGRAPH_HOOKS](): SubgraphHooks {
    const prefix = `${this.task.id}>`;
    const resumes = new Map<string, unknown>();
    for (const [id, value] of this.run.pending.resumes) {
      if (id.startsWith(prefix)) resumes.set(id.slice(prefix.length), value);
    }
    return {
      run: this.run,
      task: this.task,
      resumes,
      forward: (interrupts) => this.pause(interrupts.map((i) => ({ ...i, id: `${prefix}${i.id}` }))),
    };
  }
}

/**
 * Runs one task to an outcome: retries and per-attempt timeouts per the node's options; an interrupt
 * ends the attempt as an outcome, not an error. Failures are thrown as Keel errors naming the node.
 */
export async function runTask(run: RunState, task: Task, stepAbort: LazyAbort): Promise<TaskOutcome> {
  const node = task.spec;
  let attempts = 0;
  const attempt = (n: number): Promise<TaskOutcome> => {
    attempts = n;
    return attemptOnce(run, task, n, stepAbort.child());
  };
  try {
    if (!node.retry) return await attempt(1);
    return await node.retry.execute(({ attempt: retries }) => attempt(retries + 1), stepAbort.signal);
  } catch (error) {
    if (isKeelError(error)) throw error;
    throw new NodeError(node.name, attempts, error);
  }
}

function attemptOnce(run: RunState, task: Task, attempt: number, abort: LazyAbort): Promise<TaskOutcome> {
  const node = task.spec;
  return new Promise<TaskOutcome>((resolve, reject) => {
    const ctx = new TaskContext(run, task, attempt, abort);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: TaskOutcome | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (outcome) resolve(outcome);
      else reject(error);
    };
    ctx.onInterrupt = (interrupts) => finish({ kind: "interrupted", interrupts });
    if (node.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new NodeTimeoutError(node.name, node.timeoutMs!);
        abort.abort(error);
        finish(undefined, error);
      }, node.timeoutMs);
    }
    let result: unknown;
    try {
      result = node.fn(run.head.values, ctx);
    } catch (error) {
      finish(undefined, error);
      return;
    }
    const accept = (update: unknown) => {
      if (settled || ctx.interrupted) return;
      try {
        finish({ kind: "done", update: run.spec.state.checkUpdate(update, "", node.name) });
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
