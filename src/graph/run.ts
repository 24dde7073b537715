import { KeelError } from "../errors/index.js";
import { END, isSend } from "./constants.js";
import {
  BranchError,
  ConcurrentUpdateError,
  InvalidRouteError,
  LoopDetectedError,
  RunCancelledError,
  StepLimitError,
  ThreadStateError,
} from "./errors.js";
import { LoopDetector } from "./loop-detector.js";
import type { GraphSpec } from "./spec.js";
import { LazyAbort, startTask, type Task, type TaskOutcome } from "./task.js";
import {
  type CheckpointMeta,
  type Delta,
  emptyPending,
  encode,
  type Head,
  type PendingRecords,
  type TaskSpec,
  type ThreadStore,
} from "./thread-store.js";
import type { GraphEvent, PendingInterrupt, RouterResult, RunStatus } from "./types.js";

type Values = Record<string, unknown>;

export interface RunSettings {
  maxSteps: number;
  loopDetection: boolean;
  clock: () => number;
  idGenerator: () => string;
}

/** Everything one invocation works with; tasks read it, only the loop writes it. */
export interface RunState {
  spec: GraphSpec;
  settings: RunSettings;
  runId: string;
  thread: string;
  ns: string;
  store: ThreadStore | undefined;
  head: Head;
  pending: PendingRecords;
  emit: ((event: GraphEvent<any>) => void) | undefined;
}

export type RunRequest =
  | { kind: "input"; input: unknown }
  | { kind: "continue" }
  | { kind: "resume"; value: unknown };

export interface RunResult<S> {
  status: Exclude<RunStatus, "failed" | "cancelled">;
  state: S;
  thread: string;
  runId: string;
  /** The checkpoint the thread now stands at (null without a checkpointer). */
  checkpointId: string | null;
  /** Interrupts waiting for `resume` (empty when done). */
  interrupts: PendingInterrupt[];
  /** Supersteps this invocation ran. */
  steps: number;
}

export interface RunOptions {
  spec: GraphSpec;
  settings: RunSettings;
  store: ThreadStore | undefined;
  thread: string;
  ns: string;
  request: RunRequest;
  signal: AbortSignal | undefined;
  maxSteps: number;
  emit: ((event: GraphEvent<any>) => void) | undefined;
  /** The invocation's id (default: a new one from the id generator). */
  runId?: string;
}

/**
 * Runs a thread until it ends, pauses at interrupts, or fails. Each superstep runs its tasks
 * concurrently, applies their updates at the barrier in a fixed order, picks the next tasks, and
 * checkpoints; see the README for the exact semantics.
 */
export async function execute<S>(o: RunOptions): Promise<RunResult<S>> {
  const run = await openRun(o);
  const { emit } = o;
  let stepsRun = 0;
  const loop = o.settings.loopDetection && o.spec.mayLoop ? new LoopDetector(o.spec.state) : undefined;
  let stepAbort: LazyAbort | undefined;
  const onAbort = () => stepAbort?.abort(new RunCancelledError(o.signal!.reason));
  o.signal?.addEventListener("abort", onAbort, { once: true });
  emit?.({ type: "run-start", runId: run.runId, thread: run.thread, ns: run.ns, step: run.head.step });
  try {
    // After a resume the node gets an answer from outside the state, so coming back to the state it
    // paused in is not a loop.
    if (o.request.kind !== "resume") loop?.seen(run.head, run.head.step);
    for (;;) {
      const next = run.head.meta.next;
      if (next.length === 0) break;
      if (o.signal?.aborted) throw new RunCancelledError(o.signal.reason);
      if (stepsRun >= o.maxSteps)
        throw new StepLimitError(
          o.maxSteps,
          next.map((t) => t.node),
        );
      const step = run.head.step + 1;
      const tasks = toTasks(o.spec, next);
      emit?.({ type: "step-start", runId: run.runId, ns: run.ns, step, nodes: tasks.map((t) => t.node) });
      stepAbort = new LazyAbort();
      if (o.signal?.aborted) stepAbort.abort(new RunCancelledError(o.signal.reason));
      const started = runStep(run, tasks, stepAbort, step);
      const outcomes = Array.isArray(started) ? started : await started;
      stepsRun++;
      if (outcomes.some((r) => r?.kind === "interrupted")) {
        await saveInterrupts(run, tasks, outcomes);
        const all = pendingInterrupts(run.pending);
        emit?.({ type: "interrupt", runId: run.runId, ns: run.ns, step, interrupts: all });
        return await finish(run, "interrupted", all, stepsRun);
      }
      try {
        await barrier(run, tasks, outcomes, step, loop);
      } catch (error) {
        // The step's nodes finished; keep their writes so that continuing does not run them again
        // (unless the writes themselves are the problem: then the fixed nodes must run again).
        if (!(error instanceof ConcurrentUpdateError))
          await saveFinishedWrites(run, tasks, outcomes).catch(() => {});
        throw error;
      }
    }
    return await finish(run, "done", [], stepsRun);
  } catch (error) {
    await run.store?.checkpointer.flush(run.thread).catch(() => {});
    const status: RunStatus = error instanceof RunCancelledError ? "cancelled" : "failed";
    const wire = error instanceof KeelError ? error.toJSON() : { code: "INTERNAL", message: String(error) };
    emit?.({ type: "error", runId: run.runId, ns: run.ns, step: run.head.step, error: wire });
    emitRunEnd(run, status);
    throw error;
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
}

function emitRunEnd(run: RunState, status: RunStatus): void {
  run.emit?.({
    type: "run-end",
    runId: run.runId,
    ns: run.ns,
    step: run.head.step,
    status,
    state: run.head.values,
  });
}

async function finish<S>(
  run: RunState,
  status: "done" | "interrupted",
  interrupts: PendingInterrupt[],
  steps: number,
): Promise<RunResult<S>> {
  await run.store?.checkpointer.flush(run.thread);
  emitRunEnd(run, status);
  return {
    status,
    state: run.head.values as S,
    thread: run.thread,
    runId: run.runId,
    checkpointId: run.store ? run.head.id : null,
    interrupts,
    steps,
  };
}

/** Loads or creates the thread's head and applies the request (input, continue, resume). */
async function openRun(o: RunOptions): Promise<RunState> {
  const { spec, settings, store, thread, ns, request } = o;
  const loaded = store ? await store.load(thread, ns) : undefined;
  const pending = loaded && store ? await store.pending(thread, ns, loaded.id) : emptyPending();
  const runId = o.runId ?? settings.idGenerator();
  const run: RunState = { spec, settings, runId, thread, ns, store, head: loaded!, pending, emit: o.emit };
  const waiting = pendingInterrupts(pending);

  if (request.kind === "input") {
    if (loaded && waiting.length) {
      throw new ThreadStateError(
        "THREAD_INTERRUPTED",
        thread,
        `Thread "${thread}" is paused at ${describeInterrupts(waiting)}. Answer with resume(thread, value), or start a new thread.`,
      );
    }
    const meta = (): CheckpointMeta => ({ next: [], joins: {}, source: "input", runId });
    if (!loaded) {
      const values = spec.state.parseInput(request.input);
      run.head = newHead(settings, null, 0, values, meta());
      run.head.meta.next = await startTasks(spec, values);
      if (store) await store.putSnapshot(thread, ns, run.head);
    } else {
      const update = spec.state.checkUpdate(request.input, "The input");
      const values = update ? spec.state.apply(loaded.values, [update]) : loaded.values;
      run.head = { ...newHead(settings, loaded.id, loaded.step + 1, values, meta()), ...carry(loaded) };
      run.head.meta.next = await startTasks(spec, values);
      run.pending = emptyPending();
      if (store) await store.putStep(thread, ns, run.head, update ? [["__input__", update]] : []);
    }
    return run;
  }

  if (!loaded) {
    throw new ThreadStateError(
      "THREAD_NOT_FOUND",
      thread,
      store
        ? `Thread "${thread}" has no checkpoint. Start it with invoke(input, { thread }).`
        : "This graph has no checkpointer, so there is no thread to continue: compile({ checkpointer }) first.",
    );
  }
  if (request.kind === "continue" && waiting.length) {
    throw new ThreadStateError(
      "THREAD_INTERRUPTED",
      thread,
      `Thread "${thread}" is paused at ${describeInterrupts(waiting)}. Continue it with resume(thread, value).`,
    );
  }
  if (request.kind === "resume") {
    if (waiting.length === 0) {
      throw new ThreadStateError(
        "NO_PENDING_INTERRUPT",
        thread,
        `Thread "${thread}" is not waiting at an interrupt, so there is nothing to resume. ` +
          "Use invoke(input, { thread }) to start a new run on it, or invoke(null, { thread }) to continue an unfinished one.",
      );
    }
    for (const [id, value] of resumeValues(thread, waiting, request.value)) {
      run.pending.resumes.set(id, value);
      await store!.putTask(thread, ns, {
        checkpointId: loaded.id,
        taskId: run.pending.interrupts.get(id)!.taskId,
        kind: "resume",
        key: id,
        data: encode("The resume value", value),
      });
    }
    await store!.checkpointer.flush(thread);
  }
  return run;
}

function carry(loaded: Head): Pick<Head, "baseId" | "bytesSinceSnapshot" | "knownStateBytes"> {
  return {
    baseId: loaded.baseId,
    bytesSinceSnapshot: loaded.bytesSinceSnapshot,
    knownStateBytes: loaded.knownStateBytes,
  };
}

export function newHead(
  settings: Pick<RunSettings, "idGenerator" | "clock">,
  parentId: string | null,
  step: number,
  values: Values,
  meta: CheckpointMeta,
): Head {
  const id = settings.idGenerator();
  return {
    id,
    parentId,
    step,
    values,
    meta,
    createdAt: settings.clock(),
    baseId: id,
    bytesSinceSnapshot: 0,
    knownStateBytes: 0,
  };
}

function resumeValues(thread: string, waiting: PendingInterrupt[], value: unknown): [string, unknown][] {
  if (waiting.length === 1) {
    const id = waiting[0]!.id;
    // The keyed form works with one pending interrupt too.
    const keyed = isPlainObject(value) && Object.keys(value).length === 1 && Object.hasOwn(value, id);
    return [[id, keyed ? (value as Record<string, unknown>)[id] : value]];
  }
  const ids = new Set(waiting.map((w) => w.id));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ThreadStateError(
      "AMBIGUOUS_RESUME",
      thread,
      `Thread "${thread}" is paused at ${waiting.length} interrupts; resume with an object keyed by interrupt id: ` +
        `{ ${waiting.map((w) => `"${w.id}": value`).join(", ")} }.`,
    );
  }
  const entries = Object.entries(value);
  const unknown = entries.filter(([id]) => !ids.has(id)).map(([id]) => id);
  if (unknown.length || entries.length === 0) {
    throw new ThreadStateError(
      "UNKNOWN_INTERRUPT",
      thread,
      `${unknown.length ? `No pending interrupt has the id ${unknown.map((u) => `"${u}"`).join(", ")}. ` : ""}` +
        `Pending interrupts: ${waiting.map((w) => `"${w.id}"`).join(", ")}.`,
    );
  }
  return entries;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

export function pendingInterrupts(pending: PendingRecords): PendingInterrupt[] {
  const out: PendingInterrupt[] = [];
  for (const i of pending.interrupts.values()) {
    if (!pending.resumes.has(i.id)) out.push({ id: i.id, node: i.node, payload: i.payload });
  }
  // Backends return task records in no particular order; interrupts are listed by id.
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function describeInterrupts(waiting: PendingInterrupt[]): string {
  return waiting.length === 1
    ? `an interrupt in node "${waiting[0]!.node}"`
    : `${waiting.length} interrupts (nodes ${[...new Set(waiting.map((w) => `"${w.node}"`))].join(", ")})`;
}

/** Task ids are deterministic (node and occurrence) so recovery finds what a task already recorded. */
function toTasks(spec: GraphSpec, next: TaskSpec[]): Task[] {
  if (next.length === 1) {
    const t = next[0]!;
    const node = spec.nodes.get(t.node)!;
    return [{ node: t.node, send: t.send, id: node.firstTaskId, spec: node }];
  }
  const counts = new Map<string, number>();
  return next.map((t) => {
    const n = counts.get(t.node) ?? 0;
    counts.set(t.node, n + 1);
    const node = spec.nodes.get(t.node)!;
    return { node: t.node, send: t.send, id: n === 0 ? node.firstTaskId : `${t.node}#${n}`, spec: node };
  });
}

/**
 * Runs the tasks of one superstep concurrently. Returns the outcomes directly when every task
 * finished synchronously; otherwise resolves when all have an outcome, and rejects at the first
 * failure or cancellation, after aborting the others and saving the writes of those that already
 * finished, so that continuing the thread does not run them again.
 */
function runStep(
  run: RunState,
  tasks: Task[],
  stepAbort: LazyAbort,
  step: number,
): (TaskOutcome | undefined)[] | Promise<(TaskOutcome | undefined)[]> {
  const outcomes: (TaskOutcome | undefined)[] = new Array(tasks.length);
  const emit = run.emit;
  if (stepAbort.aborted) return Promise.reject(new RunCancelledError(undefined));
  let waiting: { index: number; promise: Promise<TaskOutcome>; started: number }[] | undefined;
  const ended = (i: number, outcome: TaskOutcome, started: number) => {
    outcomes[i] = outcome;
    if (emit && outcome.kind === "done") {
      const task = tasks[i]!;
      emit({
        type: "node-end",
        runId: run.runId,
        ns: run.ns,
        step,
        node: task.node,
        taskId: task.id,
        update: outcome.update,
        durationMs: performance.now() - started,
      });
    }
  };
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    if (run.pending.writes.has(task.id)) {
      // Finished before a failure, interrupt or crash: its writes are reused, it does not run again.
      outcomes[i] = { kind: "done", update: run.pending.writes.get(task.id) };
      continue;
    }
    const started = emit ? performance.now() : 0;
    emit?.({
      type: "node-start",
      runId: run.runId,
      ns: run.ns,
      step,
      node: task.node,
      taskId: task.id,
      attempt: 1,
    });
    const outcome = startTask(run, task, stepAbort);
    if (outcome instanceof Promise) (waiting ??= []).push({ index: i, promise: outcome, started });
    else ended(i, outcome, started);
  }
  if (!waiting) return outcomes;
  const pending = waiting;
  return new Promise((resolve, reject) => {
    let failed = false;
    let remaining = pending.length;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      stepAbort.abort(error);
      saveFinishedWrites(run, tasks, outcomes).then(
        () => reject(error),
        () => reject(error),
      );
    };
    for (const { index, promise, started } of pending) {
      promise.then(
        (outcome) => {
          if (failed) return;
          ended(index, outcome, started);
          if (--remaining === 0) resolve(outcomes);
        },
        (error) => fail(error),
      );
    }
    // Cancellation rejects at once: a node that ignores its signal cannot hold the run.
    stepAbort.onAbort((reason) => {
      if (reason instanceof RunCancelledError) fail(reason);
    });
  });
}

async function saveFinishedWrites(
  run: RunState,
  tasks: Task[],
  outcomes: (TaskOutcome | undefined)[],
): Promise<void> {
  if (!run.store) return;
  for (let i = 0; i < tasks.length; i++) {
    const o = outcomes[i];
    const task = tasks[i]!;
    if (o?.kind !== "done" || run.pending.writes.has(task.id)) continue;
    run.pending.writes.set(task.id, o.update);
    await run.store.putTask(run.thread, run.ns, {
      checkpointId: run.head.id,
      taskId: task.id,
      kind: "writes",
      key: "",
      data: encode(`The update of node "${task.node}"`, o.update),
    });
  }
  await run.store.checkpointer.flush(run.thread);
}

async function saveInterrupts(
  run: RunState,
  tasks: Task[],
  outcomes: (TaskOutcome | undefined)[],
): Promise<void> {
  for (let t = 0; t < tasks.length; t++) {
    const outcome = outcomes[t];
    if (outcome?.kind !== "interrupted") continue;
    const taskId = tasks[t]!.id;
    for (const i of outcome.interrupts) {
      const record = { id: i.id, taskId, node: i.node, payload: i.payload };
      run.pending.interrupts.set(i.id, record);
      await run.store!.putTask(run.thread, run.ns, {
        checkpointId: run.head.id,
        taskId,
        kind: "interrupt",
        key: i.id,
        data: encode(`The payload of an interrupt in node "${i.node}"`, record),
      });
    }
  }
  await saveFinishedWrites(run, tasks, outcomes);
}

const ONE = [0];
// Without a checkpointer nothing refers to checkpoint ids, so a run does not pay for random ids.
const unstored: Pick<RunSettings, "idGenerator" | "clock"> = { idGenerator: () => "", clock: () => 0 };

/**
 * The barrier: applies the step's updates in node-declaration order, refuses two plain writes to
 * one key, works out the next tasks (edges, joins, branches), checks for loops and checkpoints.
 */
async function barrier(
  run: RunState,
  tasks: Task[],
  outcomes: (TaskOutcome | undefined)[],
  step: number,
  loop: LoopDetector | undefined,
): Promise<void> {
  const { spec } = run;
  const order = tasks.length === 1 ? ONE : tasks.map((_, i) => i);
  if (tasks.length > 1) order.sort((a, b) => tasks[a]!.spec.index - tasks[b]!.spec.index || a - b);
  const delta: Delta = [];
  const updates: Values[] = [];
  let writers: Map<string, string> | undefined;
  for (const i of order) {
    const outcome = outcomes[i] as { kind: "done"; update: Values | undefined };
    const update = outcome.update;
    if (!update) continue;
    const task = tasks[i]!;
    if (tasks.length > 1) {
      const label = task.send ? `${task.node} (send ${task.id.slice(task.id.indexOf("#") + 1)})` : task.node;
      for (const key in update) {
        if (!spec.state.isReplace(key)) continue;
        writers ??= new Map();
        const first = writers.get(key);
        if (first !== undefined) throw new ConcurrentUpdateError(key, [first, label], step);
        writers.set(key, label);
      }
    }
    updates.push(update);
    delta.push([task.node, update]);
  }
  const values = spec.state.apply(run.head.values, updates);
  const joins = spec.joins.length ? { ...run.head.meta.joins } : run.head.meta.joins;
  const next = await nextTasks(spec, tasks, values, joins);
  const head = newHead(run.store ? run.settings : unstored, run.head.id, step, values, {
    next,
    joins,
    source: "step",
    runId: run.runId,
  });
  head.baseId = run.head.baseId;
  head.bytesSinceSnapshot = run.head.bytesSinceSnapshot;
  head.knownStateBytes = run.head.knownStateBytes;
  if (loop && next.length) {
    const first = loop.seen(head, step);
    if (first !== undefined)
      throw new LoopDetectedError(
        step,
        first,
        next.map((t) => t.node),
      );
  }
  if (run.store) await run.store.putStep(run.thread, run.ns, head, delta);
  run.head = head;
  if (run.pending.writes.size || run.pending.steps.size || run.pending.interrupts.size)
    run.pending = emptyPending();
  run.emit?.({
    type: "state",
    runId: run.runId,
    ns: run.ns,
    step,
    checkpointId: run.store ? head.id : null,
    state: values,
    next: next.map((t) => t.node),
  });
}

function describeTarget(target: unknown): string {
  if (isSend(target))
    return target.node === END ? "send(END) (a packet cannot go to END)" : `send("${target.node}")`;
  if (typeof target === "string") return `"${target}"`;
  try {
    return JSON.stringify(target) ?? String(target);
  } catch {
    return String(target);
  }
}

/** The tasks that START triggers for a new run. */
export async function startTasks(spec: GraphSpec, values: Values): Promise<TaskSpec[]> {
  return nextTasks(spec, [{ node: "__start__" } as Task], values, {});
}

async function nextTasks(
  spec: GraphSpec,
  ran: Pick<Task, "node">[],
  values: Values,
  joins: Record<number, string[]>,
): Promise<TaskSpec[]> {
  let plain: Set<string> | undefined;
  let sends: TaskSpec[] | undefined;
  const trigger = (node: string) => {
    if (node !== END) (plain ??= new Set()).add(node);
  };
  const done = ran.length > 1 ? new Set<string>() : undefined;
  for (const t of ran) {
    if (done) {
      if (done.has(t.node)) continue;
      done.add(t.node);
    }
    const edges = spec.edges.get(t.node);
    if (edges) for (const to of edges) trigger(to);
    const js = spec.joinsBySource.get(t.node);
    if (js) {
      for (const j of js) {
        const seen = joins[j.id] ?? [];
        if (!seen.includes(t.node)) joins[j.id] = [...seen, t.node];
        if (joins[j.id]!.length === j.sources.length) {
          delete joins[j.id];
          trigger(j.to);
        }
      }
    }
    const branches = spec.branches.get(t.node);
    if (branches) {
      for (const b of branches) {
        let result: RouterResult;
        try {
          result = await b.router(values);
        } catch (cause) {
          throw new BranchError(b.from, cause);
        }
        const targets = Array.isArray(result) ? result : [result];
        for (const target of targets) {
          const node = isSend(target) ? target.node : target;
          const known = typeof node === "string" && (node === END ? !isSend(target) : spec.nodes.has(node));
          if (!known || (b.paths && !b.paths.includes(node))) {
            throw new InvalidRouteError(b.from, describeTarget(target), [...(b.paths ?? spec.nodes.keys())]);
          }
          if (isSend(target)) (sends ??= []).push({ node, send: { input: target.input } });
          else trigger(node);
        }
      }
    }
  }
  if (!plain) return sends ?? [];
  const out: TaskSpec[] = [...plain]
    .sort((a, b) => spec.nodes.get(a)!.index - spec.nodes.get(b)!.index)
    .map((node) => ({ node }));
  return sends ? out.concat(sends) : out;
}
