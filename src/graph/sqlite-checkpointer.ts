import fs from "node:fs";
import path from "node:path";
import type { Statement } from "better-sqlite3";
import { migrate, openSqlite, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import type { Checkpointer, CheckpointRecord, TaskRecord } from "./checkpointer.js";
import { ThreadConflictError } from "./errors.js";

export interface SqliteCheckpointerOptions {
  /** The SQLite file (created with its folder if missing), or ":memory:". */
  path: string;
  /**
   * Group commit: writes are committed at most this long after the first uncommitted one (default
   * 10 ms), and always before a run returns, pauses or fails, and right after a `ctx.step` result.
   * A crash loses at most this much work, which the thread then redoes from its last durable
   * checkpoint. 0 commits every write on its own.
   */
  commitIntervalMs?: number;
}

const MIGRATIONS = [
  {
    id: 1,
    name: "checkpoints and task records",
    sql: `
      CREATE TABLE keel_checkpoints (
        seq INTEGER PRIMARY KEY,
        thread TEXT NOT NULL,
        ns TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_id TEXT,
        step INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'delta')),
        base_id TEXT NOT NULL,
        data TEXT NOT NULL,
        meta TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      -- The only index: every lookup names a thread, whose rows it keeps together. Ids are not indexed
      -- on their own, as random ids scattered over an index doubled the cost of each commit.
      CREATE INDEX keel_checkpoints_thread ON keel_checkpoints (thread, ns, seq);
      CREATE TABLE keel_writes (
        thread TEXT NOT NULL,
        ns TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (thread, ns, checkpoint_id, task_id, kind, key)
      );
    `,
  },
];

interface Row {
  seq: number;
  thread: string;
  ns: string;
  id: string;
  parent_id: string | null;
  step: number;
  kind: "snapshot" | "delta";
  base_id: string;
  data: string;
  meta: string;
  created_at: number;
}

const COLUMNS = "seq, thread, ns, id, parent_id, step, kind, base_id, data, meta, created_at";

// One connection per file and process, shared by every checkpointer on that file: two connections of
// one process would wait on each other's open group-commit transaction while better-sqlite3 blocks the
// event loop that would commit it.
const shared = new Map<string, Connection>();

interface Connection {
  db: SqliteDatabase;
  users: number;
  interval: number;
  open: boolean;
  openedAt: number;
  timer: NodeJS.Timeout | undefined;
  /**
   * Latest checkpoint id per "thread\0ns" written in the open transaction. While it is open this
   * process holds the write lock, so nobody else can have moved those heads: no need to look again.
   */
  heads: Map<string, string>;
  /** Threads with writes in the open transaction, and threads whose writes a rollback lost. */
  batchThreads: Set<string>;
  lost: Map<string, unknown>;
  begin: Statement;
  commit: Statement;
}

/** @internal For tests that need to break the shared connection (e.g. fill the disk). */
export function sharedConnectionFor(file: string): SqliteDatabase | undefined {
  return shared.get(canonicalPath(file))?.db;
}

function connect(options: SqliteCheckpointerOptions): { key: string; conn: Connection } {
  const key = options.path === ":memory:" ? `:memory:${Math.random()}` : canonicalPath(options.path);
  let conn = shared.get(key);
  if (!conn) {
    const db = openSqlite(options.path);
    migrate(db, "graph", MIGRATIONS);
    conn = {
      db,
      users: 0,
      interval: options.commitIntervalMs ?? 10,
      open: false,
      openedAt: 0,
      timer: undefined,
      heads: new Map(),
      batchThreads: new Set(),
      lost: new Map(),
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
    };
    shared.set(key, conn);
  } else if (options.commitIntervalMs !== undefined && options.commitIntervalMs < conn.interval) {
    // The shortest interval asked for wins: nobody gets less durability than they configured. A batch
    // open under the old interval is committed first.
    commitNow(conn);
    conn.interval = options.commitIntervalMs;
  }
  conn.users++;
  return { key, conn };
}

/** The same file reached through a symlink (to it or to a folder above it) must share the connection. */
function canonicalPath(file: string): string {
  const resolved = path.resolve(file);
  try {
    if (fs.existsSync(resolved)) return fs.realpathSync(resolved);
    const dir = path.dirname(resolved);
    fs.mkdirSync(dir, { recursive: true });
    return path.join(fs.realpathSync(dir), path.basename(resolved));
  } catch (cause) {
    throw new KeelError(
      "STORE_UNAVAILABLE",
      `Cannot use ${file} for checkpoints: ${(cause as Error).message}. Check the path and its permissions.`,
      { cause },
    );
  }
}

function commitNow(conn: Connection): void {
  if (conn.timer) clearTimeout(conn.timer);
  conn.timer = undefined;
  if (!conn.open) return;
  conn.open = false;
  conn.heads.clear();
  try {
    conn.commit.run();
    conn.batchThreads.clear();
  } catch (error) {
    abandonBatch(conn, error);
    throw error;
  }
}

/**
 * The open transaction is gone (SQLite rolls back by itself on disk-full and I/O errors): remember
 * which threads lost writes so that their runs fail at their next flush instead of reporting success.
 */
function abandonBatch(conn: Connection, error: unknown): void {
  if (conn.db.inTransaction) conn.db.exec("ROLLBACK");
  for (const thread of conn.batchThreads) conn.lost.set(thread, error);
  conn.batchThreads.clear();
  conn.heads.clear();
  conn.open = false;
  if (conn.timer) clearTimeout(conn.timer);
  conn.timer = undefined;
}

/** Tells a thread, once, that a rolled-back batch lost some of its writes. */
function throwIfLost(conn: Connection, thread: string): void {
  if (!conn.lost.has(thread)) return;
  const cause = conn.lost.get(thread);
  conn.lost.delete(thread);
  throw new KeelError(
    "CHECKPOINT_LOST",
    `Checkpoints of thread "${thread}" were not committed: ${(cause as Error)?.message ?? String(cause)}. ` +
      "Free disk space or fix the storage, then continue the thread with invoke(null, { thread }) from its last durable checkpoint.",
    { cause },
  );
}

/** Runs `work` inside the connection's current group-commit transaction (its own, when not batching). */
function write(conn: Connection, thread: string, work: () => void): void {
  if (conn.interval === 0) {
    if (conn.open) commitNow(conn);
    conn.begin.run();
    try {
      work();
      conn.commit.run();
    } catch (error) {
      if (conn.db.inTransaction) conn.db.exec("ROLLBACK");
      throw error;
    } finally {
      conn.heads.clear();
    }
    return;
  }
  if (!conn.open) {
    conn.begin.run();
    conn.open = true;
    conn.openedAt = performance.now();
    conn.timer = setTimeout(() => {
      try {
        commitNow(conn);
      } catch {
        // abandonBatch recorded the threads that lost writes; their next flush reports it.
      }
    }, conn.interval);
    conn.timer.unref();
  }
  try {
    work();
  } catch (error) {
    // A refused write (a conflict) leaves the transaction as it was; a failed statement may not.
    if (!conn.db.inTransaction) abandonBatch(conn, error);
    throw error;
  }
  conn.batchThreads.add(thread);
  if (performance.now() - conn.openedAt >= conn.interval) commitNow(conn);
}

/**
 * Checkpoints in a SQLite file (better-sqlite3, WAL). Survives process crashes: a new process
 * opening the same file continues any thread with `invoke(null, { thread })`.
 */
export function sqliteCheckpointer(options: SqliteCheckpointerOptions): Checkpointer {
  const { key, conn } = connect(options);
  const db = conn.db;
  let closed = false;

  const insert = db.prepare(
    "INSERT INTO keel_checkpoints (thread, ns, id, parent_id, step, kind, base_id, data, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const byId = db.prepare("SELECT seq, base_id FROM keel_checkpoints WHERE thread = ? AND ns = ? AND id = ?");
  const latest = db.prepare(
    "SELECT seq, base_id FROM keel_checkpoints WHERE thread = ? AND ns = ? ORDER BY seq DESC LIMIT 1",
  );
  const latestId = db.prepare(
    "SELECT id FROM keel_checkpoints WHERE thread = ? AND ns = ? ORDER BY seq DESC LIMIT 1",
  );
  const range = db.prepare(
    `SELECT ${COLUMNS} FROM keel_checkpoints WHERE thread = ? AND ns = ? AND seq BETWEEN ? AND ? AND base_id = ? ORDER BY seq`,
  );
  const all = db.prepare(`SELECT ${COLUMNS} FROM keel_checkpoints WHERE thread = ? AND ns = ? ORDER BY seq`);
  const upsertTask = db.prepare(
    "INSERT OR REPLACE INTO keel_writes (thread, ns, checkpoint_id, task_id, kind, key, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  // A durable step's result is never replaced: the first writer's stands (see Checkpointer.putTask).
  const insertStep = db.prepare(
    "INSERT INTO keel_writes (thread, ns, checkpoint_id, task_id, kind, key, data) VALUES (?, ?, ?, ?, 'step', ?, ?) ON CONFLICT DO NOTHING",
  );
  const stepData = db.prepare(
    "SELECT data FROM keel_writes WHERE thread = ? AND ns = ? AND checkpoint_id = ? AND task_id = ? AND kind = 'step' AND key = ?",
  );
  const selectTasks = db.prepare(
    "SELECT checkpoint_id, task_id, kind, key, data FROM keel_writes WHERE thread = ? AND ns = ? AND checkpoint_id = ?",
  );
  const deleteCheckpoints = db.prepare("DELETE FROM keel_checkpoints WHERE thread = ?");
  const deleteWrites = db.prepare("DELETE FROM keel_writes WHERE thread = ?");

  function usable(): void {
    if (closed) {
      throw new KeelError(
        "CHECKPOINTER_CLOSED",
        `The checkpointer on ${options.path} is closed. Compile the graph again with a new sqliteCheckpointer({ path }).`,
      );
    }
  }

  return {
    async put(r: CheckpointRecord, expectedHead = r.parentId) {
      usable();
      throwIfLost(conn, r.thread);
      write(conn, r.thread, () => {
        const key = `${r.thread}\u0000${r.ns}`;
        const latest =
          conn.heads.get(key) ?? (latestId.get(r.thread, r.ns) as { id: string } | undefined)?.id ?? null;
        if (latest !== expectedHead) throw new ThreadConflictError(r.thread, r.ns, expectedHead, latest);
        insert.run(r.thread, r.ns, r.id, r.parentId, r.step, r.kind, r.baseId, r.data, r.meta, r.createdAt);
        if (conn.interval !== 0) conn.heads.set(key, r.id);
      });
    },
    async chain(thread, ns, id) {
      usable();
      const target = (id === undefined ? latest.get(thread, ns) : byId.get(thread, ns, id)) as
        | { seq: number; base_id: string }
        | undefined;
      if (!target) return undefined;
      const base = byId.get(thread, ns, target.base_id) as { seq: number } | undefined;
      if (!base) return undefined;
      return (range.all(thread, ns, base.seq, target.seq, target.base_id) as Row[]).map(toRecord);
    },
    async list(thread, ns) {
      usable();
      return (all.all(thread, ns) as Row[]).map(toRecord);
    },
    async putTask(thread, ns, t: TaskRecord) {
      usable();
      throwIfLost(conn, thread);
      let recorded: string | undefined;
      write(conn, thread, () => {
        if (t.kind !== "step") {
          upsertTask.run(thread, ns, t.checkpointId, t.taskId, t.kind, t.key, t.data);
        } else if (insertStep.run(thread, ns, t.checkpointId, t.taskId, t.key, t.data).changes === 0) {
          recorded = (stepData.get(thread, ns, t.checkpointId, t.taskId, t.key) as { data: string }).data;
        }
      });
      return recorded;
    },
    async tasks(thread, ns, checkpointId) {
      usable();
      return (
        selectTasks.all(thread, ns, checkpointId) as {
          checkpoint_id: string;
          task_id: string;
          kind: TaskRecord["kind"];
          key: string;
          data: string;
        }[]
      ).map((r) => ({
        checkpointId: r.checkpoint_id,
        taskId: r.task_id,
        kind: r.kind,
        key: r.key,
        data: r.data,
      }));
    },
    async flush(thread) {
      usable();
      commitNow(conn);
      if (thread !== undefined) throwIfLost(conn, thread);
    },
    async deleteThread(thread) {
      usable();
      commitNow(conn);
      conn.lost.delete(thread);
      db.transaction(() => {
        deleteCheckpoints.run(thread);
        deleteWrites.run(thread);
      })();
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        commitNow(conn);
      } finally {
        if (--conn.users === 0) {
          shared.delete(key);
          conn.db.close();
        }
      }
    },
  };
}

function toRecord(r: Row): CheckpointRecord {
  return {
    thread: r.thread,
    ns: r.ns,
    id: r.id,
    parentId: r.parent_id,
    step: r.step,
    kind: r.kind,
    baseId: r.base_id,
    data: r.data,
    meta: r.meta,
    createdAt: r.created_at,
  };
}
