import type { Checkpointer, CheckpointRecord, TaskRecord } from "./checkpointer.js";
import { ThreadConflictError } from "./errors.js";

interface ThreadNs {
  records: CheckpointRecord[];
  byId: Map<string, number>;
  tasks: Map<string, Map<string, TaskRecord>>;
}

/**
 * Keeps checkpoints in this process's memory: for tests and for short-lived runs that still want
 * interrupts, resume and history. Records are the same serialized strings the SQLite backend stores,
 * so behaviour (and what can be stored) is identical.
 */
export function memoryCheckpointer(): Checkpointer {
  const threads = new Map<string, Map<string, ThreadNs>>();

  function slot(thread: string, ns: string, create: true): ThreadNs;
  function slot(thread: string, ns: string, create: false): ThreadNs | undefined;
  function slot(thread: string, ns: string, create: boolean): ThreadNs | undefined {
    let byNs = threads.get(thread);
    if (!byNs) {
      if (!create) return undefined;
      byNs = new Map();
      threads.set(thread, byNs);
    }
    let s = byNs.get(ns);
    if (!s && create) {
      s = { records: [], byId: new Map(), tasks: new Map() };
      byNs.set(ns, s);
    }
    return s;
  }

  return {
    async put(record, expectedHead = record.parentId) {
      const s = slot(record.thread, record.ns, true);
      const latest = s.records.at(-1)?.id ?? null;
      if (latest !== expectedHead)
        throw new ThreadConflictError(record.thread, record.ns, expectedHead, latest);
      if (s.byId.has(record.id)) throw new Error(`checkpoint ${record.id} already exists`);
      s.byId.set(record.id, s.records.length);
      s.records.push({ ...record });
    },
    async chain(thread, ns, id) {
      const s = slot(thread, ns, false);
      if (!s || s.records.length === 0) return undefined;
      const end = id === undefined ? s.records.length - 1 : s.byId.get(id);
      if (end === undefined) return undefined;
      const target = s.records[end]!;
      const out: CheckpointRecord[] = [];
      for (let i = s.byId.get(target.baseId)!; i <= end; i++) {
        const r = s.records[i]!;
        if (r.baseId === target.baseId) out.push({ ...r });
      }
      return out;
    },
    async list(thread, ns) {
      return (slot(thread, ns, false)?.records ?? []).map((r) => ({ ...r }));
    },
    async putTask(thread, ns, record) {
      const s = slot(thread, ns, true);
      let forCheckpoint = s.tasks.get(record.checkpointId);
      if (!forCheckpoint) {
        forCheckpoint = new Map();
        s.tasks.set(record.checkpointId, forCheckpoint);
      }
      const key = `${record.taskId}\u0000${record.kind}\u0000${record.key}`;
      const earlier = record.kind === "step" ? forCheckpoint.get(key) : undefined;
      if (earlier) return earlier.data;
      forCheckpoint.set(key, { ...record });
      return undefined;
    },
    async tasks(thread, ns, checkpointId) {
      return [...(slot(thread, ns, false)?.tasks.get(checkpointId)?.values() ?? [])].map((t) => ({ ...t }));
    },
    async flush() {},
    async deleteThread(thread) {
      threads.delete(thread);
    },
    async close() {},
  };
}
