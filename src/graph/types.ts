import type { z } from "zod";
import type { Send } from "./constants.js";
import type { RetryPolicy } from "./retry.js";

/** Object schema of a graph's state. */
export type StateSchema = z.ZodObject<z.ZodRawShape>;

export type ReducerFn<V = any, U = any> = (current: V, update: U) => V;
export type Reducer = "replace" | "append" | "merge" | ReducerFn;

/**
 * What a node may return: some keys of the state. The reducers are not part of the type, so it is
 * as permissive as any reducer allows and the schema check at run time is exact: array keys also take
 * one item (for "append"), unless the items are arrays themselves; plain-object keys also take some
 * of their entries (for "merge").
 */
export type Update<S> =
  | { [K in keyof S]?: KeyUpdate<S[K]> }
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: lets a node end with a bare `return;`
  | void;

type KeyUpdate<V> = V extends readonly (infer I)[]
  ? I extends readonly unknown[]
    ? V
    : V | I
  : V extends Date | Map<unknown, unknown> | Set<unknown> | RegExp | ArrayBufferView
    ? V
    : V extends Record<string, unknown>
      ? Partial<V>
      : V;

/** A custom event a node emits with `ctx.emit`. */
export type CustomEvent = Record<string, unknown> | string | number | boolean | null;

export interface NodeContext {
  readonly runId: string;
  readonly thread: string;
  readonly node: string;
  /**
   * Superstep number within the thread (continues across invocations). Named `superstep` because
   * `step` is the durable-step function below; a property cannot be both.
   */
  readonly superstep: number;
  /** 1 on the first attempt, 2 on the first retry, ... */
  readonly attempt: number;
  /** Aborted when the run is cancelled, a sibling fails, the node times out or interrupts. */
  readonly signal: AbortSignal;
  /** The input of a `send()` packet, when this task came from one. */
  readonly input: unknown;
  /** Streams a `custom` event to `stream()` consumers. */
  emit(event: CustomEvent): void;
  /**
   * Pauses the run and records `payload` for a human (or another system) to answer.
   * When the thread is resumed with `resume(thread, value)` the node runs again from the top and this
   * call returns `value`. Work done before it should be idempotent or wrapped in `ctx.step`.
   */
  interrupt<R = unknown>(payload: unknown): Promise<R>;
  /**
   * Runs `fn` once for this task: its result is committed before this returns, and when the node runs
   * again (retry, resume, crash recovery) the recorded result is returned without running `fn`. Only a
   * crash between `fn` finishing and that commit runs it again (at-least-once, like any durable
   * execution), so make `fn` idempotent where the outside world allows (an idempotency key).
   * When two processes run the same task at once (a worker whose lease expired while it was still
   * running), the first result recorded wins and both get it.
   */
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  /**
   * A durable step whose database writes commit with its result, in one transaction of the
   * checkpointer's own database: exactly once, even across crashes and racing workers (the loser's
   * transaction rolls back and it gets the winner's result). `fn` must only write through `tx`.
   * Needs a checkpointer with transactions (`postgresCheckpointer`); others refuse with
   * `STEP_TRANSACTIONS_UNSUPPORTED`.
   */
  transaction<T>(name: string, fn: (tx: StepTransaction) => Promise<T>): Promise<T>;
}

/** The connection a transactional step writes through: `pg`-style `$1` placeholders. */
export interface StepTransaction {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type NodeFn<S> = (state: S, ctx: NodeContext) => Update<S> | Promise<Update<S>>;

export interface NodeOptions {
  retry?: RetryPolicy;
  /** Per attempt. On expiry `ctx.signal` aborts and the attempt fails with `NodeTimeoutError`. */
  timeoutMs?: number;
}

export type RouteTarget = string | Send;
export type RouterResult = string | RouteTarget[];
export type Router<S> = (state: S) => RouterResult | Promise<RouterResult>;

export interface BranchOptions {
  /** Every node (or END) the router may return; lets compile() check reachability and names. */
  paths?: string[];
}

/** One event of `stream()`, discriminated on `type`. */
export type GraphEvent<S = Record<string, unknown>> =
  | { type: "run-start"; runId: string; thread: string; ns: string; step: number }
  | { type: "step-start"; runId: string; ns: string; step: number; nodes: string[] }
  | {
      type: "node-start";
      runId: string;
      ns: string;
      step: number;
      node: string;
      taskId: string;
      attempt: number;
    }
  | {
      type: "node-end";
      runId: string;
      ns: string;
      step: number;
      node: string;
      taskId: string;
      update: Partial<S> | undefined;
      durationMs: number;
    }
  | {
      type: "state";
      runId: string;
      ns: string;
      step: number;
      checkpointId: string | null;
      state: S;
      next: string[];
    }
  | { type: "custom"; runId: string; ns: string; step: number; node: string; data: CustomEvent }
  | { type: "interrupt"; runId: string; ns: string; step: number; interrupts: PendingInterrupt[] }
  | { type: "error"; runId: string; ns: string; step: number; error: { code: string; message: string } }
  | { type: "run-end"; runId: string; ns: string; step: number; status: RunStatus; state: S };

export type RunStatus = "done" | "interrupted" | "failed" | "cancelled";

export interface PendingInterrupt {
  /** Pass `{ [id]: value }` to `resume` when several interrupts are pending. */
  id: string;
  node: string;
  payload: unknown;
}

export interface InvokeOptions {
  /** Thread id: the unit of persistence. Defaults to a fresh id (nothing to resume later). */
  thread?: string;
  signal?: AbortSignal;
  /** Steps this invocation may run (default: compile's maxSteps, itself 25 by default). */
  maxSteps?: number;
  /**
   * The invocation's id (default: a new one from the graph's `idGenerator`): `ctx.runId`, every
   * event's `runId`, and the `runId` recorded with the checkpoint of its input. A queue gives its
   * run's id, so that it can tell later whether that run's input reached the thread.
   */
  runId?: string;
}

/** A thread's state at one checkpoint. */
export interface StateSnapshot<S> {
  thread: string;
  checkpointId: string;
  parentId: string | null;
  step: number;
  values: S;
  /** Nodes that run next; empty when the thread is at its end. */
  next: string[];
  /** Interrupts waiting for `resume`. */
  interrupts: PendingInterrupt[];
  createdAt: number;
  /** Why this checkpoint exists. */
  source: "input" | "step" | "fork";
}
