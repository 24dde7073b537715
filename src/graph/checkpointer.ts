/**
 * The storage contract behind durable threads. It deals only in strings the engine has already
 * serialized, so a backend is a few tables and no knowledge of graphs. Every backend must pass
 * `checkpointerConformance` (src/testkit/checkpointer-conformance.ts).
 */

import type { StepTransaction } from "./types.js";

/** One checkpoint: the state after a superstep, stored as a delta or a snapshot. */
export interface CheckpointRecord {
  thread: string;
  /** "" for a root graph; a path like "research#0@3f2a…" for a subgraph's own checkpoints. */
  ns: string;
  /**
   * Unique within the thread namespace; the engine guarantees it (random UUIDs, or an injected
   * `idGenerator` that must not repeat). Backends need not check it: a unique index on random ids
   * would make every commit much slower, and the head check below already refuses stale writers.
   */
  id: string;
  parentId: string | null;
  step: number;
  /** "snapshot": `data` is the whole state. "delta": `data` is the writes applied to the parent. */
  kind: "snapshot" | "delta";
  /** Id of the snapshot this record builds on; its own id when it is a snapshot. */
  baseId: string;
  data: string;
  /** Serialized bookkeeping: next tasks, join progress, why the checkpoint exists. */
  meta: string;
  createdAt: number;
}

/** Something recorded against a checkpoint while its next superstep is under way. */
export interface TaskRecord {
  /** The checkpoint the superstep started from. */
  checkpointId: string;
  taskId: string;
  /**
   * "writes": a task's finished update. "interrupt": a pause waiting for resume. "resume": the value a
   * resume supplied. "step": a durable `ctx.step` result, `key` naming the step.
   */
  kind: "writes" | "interrupt" | "resume" | "step";
  key: string;
  data: string;
}

export interface Checkpointer {
  /**
   * Appends a checkpoint, atomically checking that the thread's latest checkpoint (in `record.ns`) is
   * still `expectedHead` (default `record.parentId`; `null` means the namespace must be empty). If not,
   * another run wrote first: reject with `ThreadConflictError` and write nothing.
   */
  put(record: CheckpointRecord, expectedHead?: string | null): Promise<void>;
  /**
   * The records that rebuild checkpoint `id` (the thread's latest when omitted): the snapshot it
   * builds on, then every delta after it up to and including `id`, oldest first. `undefined` when the
   * thread or the checkpoint does not exist.
   */
  chain(thread: string, ns: string, id?: string): Promise<CheckpointRecord[] | undefined>;
  /** Every checkpoint of a thread namespace, oldest first. */
  list(thread: string, ns: string): Promise<CheckpointRecord[]>;
  /**
   * Records or replaces (same checkpointId, taskId, kind, key) a task record. A "step" record is
   * never replaced: the first one written wins, atomically across processes, and a later writer
   * gets the recorded `data` back (and must use it instead of its own). Otherwise `undefined`.
   */
  putTask(thread: string, ns: string, record: TaskRecord): Promise<string | undefined>;
  /**
   * Optional: runs `fn` in one transaction of the store's database and records the "step" record
   * with the data `encode` makes of its result in that same transaction, first writer wins. If a
   * step record is there already (before or when it commits), `fn`'s writes are rolled back (or
   * `fn` never runs) and the recorded data is returned with `won: false`.
   */
  transactionStep?<T>(
    thread: string,
    ns: string,
    record: Omit<TaskRecord, "data" | "kind">,
    fn: (tx: StepTransaction) => Promise<T>,
    encode: (value: T) => string,
  ): Promise<{ won: true; value: T; data: string } | { won: false; data: string }>;
  tasks(thread: string, ns: string, checkpointId: string): Promise<TaskRecord[]>;
  /**
   * Makes everything written so far durable (a backend may batch writes until then). With `thread`,
   * also rejects if writes of that thread were lost since its last flush (a batch rolled back by a
   * disk error), so that no run reports success for checkpoints that are not there.
   */
  flush(thread?: string): Promise<void>;
  /** Removes a thread and all its namespaces. */
  deleteThread(thread: string): Promise<void>;
  close(): Promise<void>;
}
