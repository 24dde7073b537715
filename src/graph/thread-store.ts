import type { Checkpointer, CheckpointRecord, TaskRecord } from "./checkpointer.js";
import { SerializationError } from "./errors.js";
import { deserialize, serialize } from "./serde.js";
import type { StateModel } from "./state.js";

type Values = Record<string, unknown>;

/** A task scheduled for the next superstep: a node, and for `send()` packets its input. */
export interface TaskSpec {
  node: string;
  /** Present only for send() packets. */
  send?: { input: unknown };
}

export interface CheckpointMeta {
  next: TaskSpec[];
  /** Join id → the sources that have finished since the join last fired. */
  joins: Record<number, string[]>;
  source: "input" | "step" | "fork";
  runId: string;
}

/** The materialized head of a thread namespace. */
export interface Head {
  id: string;
  parentId: string | null;
  step: number;
  values: Values;
  meta: CheckpointMeta;
  createdAt: number;
  baseId: string;
  /** Bytes of delta data written since the last snapshot. */
  bytesSinceSnapshot: number;
  /** Size of the state when it was last serialized whole. */
  knownStateBytes: number;
}

/** A delta: the updates applied at one barrier, in order, each tagged with who wrote it. */
export type Delta = [writer: string, update: Values][];

/** Records attached to the head checkpoint while its next step is under way. */
export interface PendingRecords {
  writes: Map<string, Values | undefined>;
  interrupts: Map<string, { id: string; taskId: string; node: string; payload: unknown }>;
  resumes: Map<string, unknown>;
  steps: Map<string, Map<string, unknown>>;
}

export function emptyPending(): PendingRecords {
  return { writes: new Map(), interrupts: new Map(), resumes: new Map(), steps: new Map() };
}

/** Snapshots are written only when they are at most half the delta bytes since the last one. */
const SNAPSHOT_CHECK_MIN_BYTES = 1024;

export function encode(what: string, value: unknown): string {
  try {
    return serialize(value);
  } catch (cause) {
    throw new SerializationError(what, cause);
  }
}

/**
 * Turns heads into records and records into heads: serialization plus the snapshot policy, which
 * keeps total storage under 1.5x the delta bytes (so about the final size for append-only state) while
 * bounding how much history a load must replay.
 */
export class ThreadStore {
  constructor(
    readonly checkpointer: Checkpointer,
    private readonly state: StateModel,
  ) {}

  async load(thread: string, ns: string, id?: string): Promise<Head | undefined> {
    const chain = await this.checkpointer.chain(thread, ns, id);
    if (!chain || chain.length === 0) return undefined;
    return materialize(this.state, chain);
  }

  async pending(thread: string, ns: string, checkpointId: string): Promise<PendingRecords> {
    return decodePending(await this.checkpointer.tasks(thread, ns, checkpointId));
  }

  /** Writes the first checkpoint of a thread (or a fork, whose parent is not the head: pass the head). */
  async putSnapshot(
    thread: string,
    ns: string,
    head: Head,
    expectedHead: string | null = head.parentId,
  ): Promise<void> {
    const data = encode("The state", head.values);
    head.baseId = head.id;
    head.bytesSinceSnapshot = 0;
    head.knownStateBytes = data.length;
    await this.checkpointer.put(this.record(thread, ns, head, "snapshot", data), expectedHead);
  }

  /** Writes the checkpoint after a barrier, as a delta unless a snapshot is now cheaper to keep. */
  async putStep(thread: string, ns: string, head: Head, delta: Delta): Promise<void> {
    const data = encode(
      `The update of ${[...new Set(delta.map(([writer]) => `"${writer}"`))].join(", ")}`,
      delta,
    );
    head.bytesSinceSnapshot += data.length;
    if (head.bytesSinceSnapshot > 2 * head.knownStateBytes + SNAPSHOT_CHECK_MIN_BYTES) {
      const whole = encode("The state", head.values);
      head.knownStateBytes = whole.length;
      if (whole.length * 2 <= head.bytesSinceSnapshot) {
        head.baseId = head.id;
        head.bytesSinceSnapshot = 0;
        await this.checkpointer.put(this.record(thread, ns, head, "snapshot", whole));
        return;
      }
    }
    await this.checkpointer.put(this.record(thread, ns, head, "delta", data));
  }

  private record(
    thread: string,
    ns: string,
    head: Head,
    kind: "snapshot" | "delta",
    data: string,
  ): CheckpointRecord {
    return {
      thread,
      ns,
      id: head.id,
      parentId: head.parentId,
      step: head.step,
      kind,
      baseId: head.baseId,
      data,
      meta: encode("A send() input", head.meta),
      createdAt: head.createdAt,
    };
  }

  putTask(thread: string, ns: string, record: TaskRecord): Promise<string | undefined> {
    return this.checkpointer.putTask(thread, ns, record);
  }
}

/** Rebuilds a head from a snapshot and the deltas after it. */
export function materialize(state: StateModel, chain: CheckpointRecord[]): Head {
  const base = chain[0]!;
  if (base.kind !== "snapshot")
    throw new Error(`checkpoint chain of ${base.thread} does not start with a snapshot`);
  const owned = new WeakSet<object>();
  let values = deserialize(base.data) as Values;
  let bytes = 0;
  for (let i = 1; i < chain.length; i++) {
    const delta = deserialize(chain[i]!.data) as Delta;
    bytes += chain[i]!.data.length;
    values = state.apply(
      values,
      delta.map(([, update]) => update),
      owned,
    );
  }
  return headOf(chain[chain.length - 1]!, values, bytes, base.data.length);
}

function headOf(
  r: CheckpointRecord,
  values: Values,
  bytesSinceSnapshot: number,
  knownStateBytes: number,
): Head {
  return {
    id: r.id,
    parentId: r.parentId,
    step: r.step,
    values,
    meta: deserialize(r.meta) as CheckpointMeta,
    createdAt: r.createdAt,
    baseId: r.baseId,
    bytesSinceSnapshot,
    knownStateBytes,
  };
}

/** Every checkpoint of a namespace, materialized, oldest first (one forward pass). */
export function materializeAll(state: StateModel, records: CheckpointRecord[]): Head[] {
  const byId = new Map<string, Values>();
  return records.map((r) => {
    let values: Values;
    if (r.kind === "snapshot") values = deserialize(r.data) as Values;
    else {
      const parent = r.parentId === null ? undefined : byId.get(r.parentId);
      if (!parent) throw new Error(`checkpoint ${r.id} has no parent ${r.parentId}`);
      values = state.apply(
        parent,
        (deserialize(r.data) as Delta).map(([, u]) => u),
      );
    }
    byId.set(r.id, values);
    return headOf(r, values, 0, 0);
  });
}

function decodePending(records: TaskRecord[]): PendingRecords {
  const p = emptyPending();
  for (const r of records) {
    switch (r.kind) {
      case "writes":
        p.writes.set(r.taskId, deserialize(r.data) as Values | undefined);
        break;
      case "interrupt":
        p.interrupts.set(
          r.key,
          deserialize(r.data) as PendingRecords["interrupts"] extends Map<string, infer V> ? V : never,
        );
        break;
      case "resume":
        p.resumes.set(r.key, deserialize(r.data));
        break;
      case "step": {
        let m = p.steps.get(r.taskId);
        if (!m) p.steps.set(r.taskId, (m = new Map()));
        m.set(r.key, deserialize(r.data));
        break;
      }
    }
  }
  return p;
}
