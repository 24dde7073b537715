import { KeelError } from "../errors/index.js";
import type { Checkpointer } from "./checkpointer.js";
import { ThreadStateError } from "./errors.js";
import { EventStream } from "./event-stream.js";
import { execute, pendingInterrupts, type RunRequest, type RunResult, type RunSettings } from "./run.js";
import type { GraphSpec } from "./spec.js";
import { type Head, materializeAll, ThreadStore } from "./thread-store.js";
import type { GraphEvent, InvokeOptions, StateSnapshot } from "./types.js";

export interface CompiledSettings extends RunSettings {
  checkpointer: Checkpointer | undefined;
}

export interface RunCallOptions extends InvokeOptions {
  /** Resume a paused thread with this value instead of starting or continuing (for `stream`/`run`). */
  resume?: unknown;
}

/**
 * A runnable graph. Threads are the unit of persistence: pass `thread` to keep a run resumable.
 * A compiled graph can itself be a node of another graph (a subgraph).
 */
export class CompiledGraph<S extends Record<string, unknown>> {
  /** @internal */
  readonly spec: GraphSpec;
  /** @internal */
  readonly settings: CompiledSettings;
  private readonly store: ThreadStore | undefined;

  constructor(spec: GraphSpec, settings: CompiledSettings) {
    this.spec = spec;
    this.settings = settings;
    this.store = settings.checkpointer ? new ThreadStore(settings.checkpointer, spec.state) : undefined;
  }

  /**
   * Runs the graph and resolves to the final state (or the state at an interrupt; use `run` to see
   * the status). `input` starts a run (a new thread, or a new run on an existing one through the
   * reducers); `null` continues an unfinished thread from its last checkpoint (after a crash, a
   * failure, a cancellation or a step limit).
   */
  async invoke(input: Partial<S> | null, options: InvokeOptions = {}): Promise<S> {
    return (await this.run(input, options)).state;
  }

  /** Like `invoke`, with the outcome: status ("done" or "interrupted"), pending interrupts, checkpoint. */
  run(input: Partial<S> | null, options: RunCallOptions = {}): Promise<RunResult<S>> {
    return this.start(input, options, undefined);
  }

  /** Continues a thread paused at `ctx.interrupt()`: the interrupt call returns `value`. */
  resume(thread: string, value: unknown, options: Omit<InvokeOptions, "thread"> = {}): Promise<RunResult<S>> {
    return this.start(null, { ...options, thread, resume: value }, undefined);
  }

  /** Runs the graph and yields its events as they happen; see `GraphEvent`. */
  stream(input: Partial<S> | null, options: RunCallOptions = {}): AsyncIterable<GraphEvent<S>> {
    const controller = new AbortController();
    const outer = options.signal;
    const stream = new EventStream<GraphEvent<S>>(() =>
      controller.abort(new Error("the stream consumer stopped")),
    );
    const onOuter = () => controller.abort(outer!.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener("abort", onOuter, { once: true });
    this.start(input, { ...options, signal: controller.signal }, (e) => stream.push(e as GraphEvent<S>))
      .then(
        () => stream.end(),
        (error) => stream.end({ value: error }),
      )
      .finally(() => outer?.removeEventListener("abort", onOuter));
    return stream;
  }

  /** The thread's current state, next nodes and pending interrupts; undefined for an unknown thread. */
  async getState(thread: string): Promise<StateSnapshot<S> | undefined> {
    const store = this.requireStore("getState");
    const head = await store.load(thread, "");
    if (!head) return undefined;
    const pending = await store.pending(thread, "", head.id);
    return snapshot<S>(thread, head, pendingInterrupts(pending));
  }

  /** Every checkpoint of the thread, newest first. */
  async history(thread: string, options: { limit?: number } = {}): Promise<StateSnapshot<S>[]> {
    const store = this.requireStore("history");
    const heads = materializeAll(this.spec.state, await store.checkpointer.list(thread, ""));
    const newest = heads.reverse().slice(0, options.limit ?? heads.length);
    return Promise.all(
      newest.map(async (h, i) =>
        snapshot<S>(thread, h, i === 0 ? pendingInterrupts(await store.pending(thread, "", h.id)) : []),
      ),
    );
  }

  /**
   * Makes a new head from an earlier checkpoint, with `patch` replacing some keys (validated against the
   * schema). `invoke(null, { thread })` then runs from there; the old branch stays in history. With
   * `into`, the fork becomes a new thread and the original is untouched.
   */
  async fork(
    thread: string,
    checkpointId: string,
    patch: Partial<S> = {},
    options: { into?: string } = {},
  ): Promise<StateSnapshot<S>> {
    const store = this.requireStore("fork");
    const source = await store.load(thread, "", checkpointId);
    if (!source) {
      throw new ThreadStateError(
        "CHECKPOINT_NOT_FOUND",
        thread,
        `Thread "${thread}" has no checkpoint "${checkpointId}"; pick one from history(thread).`,
      );
    }
    const target = options.into ?? thread;
    const targetHead = await store.load(target, "");
    if (target !== thread && targetHead) {
      throw new ThreadStateError(
        "THREAD_EXISTS",
        target,
        `Thread "${target}" already exists; fork into a new thread id.`,
      );
    }
    const checked = this.spec.state.checkValues(patch ?? {}, "The fork patch");
    const id = this.settings.idGenerator();
    const head: Head = {
      id,
      parentId: source.id,
      step: source.step,
      values: { ...source.values, ...checked },
      meta: { next: source.meta.next, joins: source.meta.joins, source: "fork", runId: source.meta.runId },
      createdAt: this.settings.clock(),
      baseId: id,
      bytesSinceSnapshot: 0,
      knownStateBytes: 0,
    };
    await store.putSnapshot(target, "", head, targetHead?.id ?? null);
    await store.checkpointer.flush(target);
    return snapshot<S>(target, head, []);
  }

  /** @internal Runs a request on a namespace; subgraphs use it with their parent's store. */
  executeIn(args: {
    store: ThreadStore | undefined;
    thread: string;
    ns: string;
    request: RunRequest;
    signal: AbortSignal | undefined;
    maxSteps: number | undefined;
    emit: ((e: GraphEvent<any>) => void) | undefined;
  }): Promise<RunResult<S>> {
    return execute<S>({
      spec: this.spec,
      settings: this.settings,
      store: args.store,
      thread: args.thread,
      ns: args.ns,
      request: args.request,
      signal: args.signal,
      maxSteps: args.maxSteps ?? this.settings.maxSteps,
      emit: args.emit,
    });
  }

  /** @internal */
  storeFor(parent: ThreadStore | undefined): ThreadStore | undefined {
    const checkpointer = parent?.checkpointer ?? this.settings.checkpointer;
    return checkpointer ? new ThreadStore(checkpointer, this.spec.state) : undefined;
  }

  private start(
    input: Partial<S> | null | undefined,
    options: RunCallOptions,
    emit: ((e: GraphEvent<any>) => void) | undefined,
  ): Promise<RunResult<S>> {
    const request: RunRequest =
      "resume" in options
        ? { kind: "resume", value: options.resume }
        : input === null || input === undefined
          ? { kind: "continue" }
          : { kind: "input", input };
    const maxSteps = options.maxSteps ?? this.settings.maxSteps;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      return Promise.reject(
        new KeelError("INVALID_OPTION", `maxSteps must be an integer >= 1, got ${maxSteps}.`),
      );
    }
    if (options.thread !== undefined && (typeof options.thread !== "string" || options.thread.length === 0)) {
      return Promise.reject(new KeelError("INVALID_OPTION", "thread must be a non-empty string."));
    }
    if (request.kind !== "input" && options.thread === undefined) {
      return Promise.reject(
        new ThreadStateError(
          "THREAD_REQUIRED",
          "",
          "Continuing or resuming needs the thread: pass { thread } (the id the run was started with).",
        ),
      );
    }
    return execute<S>({
      spec: this.spec,
      settings: this.settings,
      store: this.store,
      thread: options.thread ?? this.settings.idGenerator(),
      ns: "",
      request,
      signal: options.signal,
      maxSteps,
      emit,
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
    });
  }

  private requireStore(method: string): ThreadStore {
    if (!this.store) {
      throw new ThreadStateError(
        "CHECKPOINTER_REQUIRED",
        "",
        `${method}() reads checkpoints, and this graph has none: compile({ checkpointer }) to keep threads.`,
      );
    }
    return this.store;
  }
}

function snapshot<S>(
  thread: string,
  head: Head,
  interrupts: StateSnapshot<S>["interrupts"],
): StateSnapshot<S> {
  return {
    thread,
    checkpointId: head.id,
    parentId: head.parentId,
    step: head.step,
    values: head.values as S,
    next: head.meta.next.map((t) => t.node),
    interrupts,
    createdAt: head.createdAt,
    source: head.meta.source,
  };
}
