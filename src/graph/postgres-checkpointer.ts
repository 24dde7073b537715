/**
 * Checkpoints in PostgreSQL, for threads that several processes (servers, workers on other machines)
 * continue. Every write commits on its own before it resolves, so `flush` has nothing to do. The head
 * check is one statement that moves the thread's head in `keel_checkpoint_heads` only if it is still
 * where the writer expects: two processes appending to one thread cannot both succeed.
 */

import type { PostgresDatabase, Queryable } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import type { Checkpointer, CheckpointRecord, TaskRecord } from "./checkpointer.js";
import { ThreadConflictError } from "./errors.js";
import type { StepTransaction } from "./types.js";

export interface PostgresCheckpointerOptions {
  /** A `postgres://` URL (a pool is opened, and closed with the checkpointer). */
  url?: string;
  /** An open database instead of `url` (it stays open when the checkpointer is closed). */
  db?: PostgresDatabase;
}

const MIGRATIONS = [
  {
    id: 1,
    name: "checkpoints, heads and task records",
    sql: `
      CREATE TABLE keel_checkpoints (
        seq BIGSERIAL PRIMARY KEY,
        thread TEXT NOT NULL,
        ns TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_id TEXT,
        step INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'delta')),
        base_id TEXT NOT NULL,
        data TEXT NOT NULL,
        meta TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX keel_checkpoints_thread ON keel_checkpoints (thread, ns, seq);
      CREATE INDEX keel_checkpoints_id ON keel_checkpoints (thread, ns, id);
      CREATE TABLE keel_checkpoint_heads (
        thread TEXT NOT NULL,
        ns TEXT NOT NULL,
        head_id TEXT NOT NULL,
        PRIMARY KEY (thread, ns)
      );
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
  thread: string;
  ns: string;
  id: string;
  parent_id: string | null;
  step: number;
  kind: "snapshot" | "delta";
  base_id: string;
  data: string;
  meta: string;
  created_at: string;
}

const COLUMNS = "thread, ns, id, parent_id, step, kind, base_id, data, meta, created_at";

// One statement, so atomic without a transaction: the row goes in only if the head moved.
const PUT_AFTER = `
  WITH moved AS (
    UPDATE keel_checkpoint_heads SET head_id = $3 WHERE thread = $1 AND ns = $2 AND head_id = $11 RETURNING 1)
  INSERT INTO keel_checkpoints (${COLUMNS})
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM moved)`;
const PUT_FIRST = `
  WITH moved AS (
    INSERT INTO keel_checkpoint_heads (thread, ns, head_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1)
  INSERT INTO keel_checkpoints (${COLUMNS})
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM moved)`;
// The target (the latest without an id), the snapshot it builds on, and the deltas between them.
const CHAIN = `
  WITH target AS (
    SELECT seq, base_id FROM keel_checkpoints
    WHERE thread = $1 AND ns = $2 AND ($3::text IS NULL OR id = $3)
    ORDER BY seq DESC LIMIT 1),
  base AS (
    SELECT b.seq FROM keel_checkpoints b, target
    WHERE b.thread = $1 AND b.ns = $2 AND b.id = target.base_id)
  SELECT ${COLUMNS.split(", ")
    .map((c) => `c.${c}`)
    .join(", ")} FROM keel_checkpoints c, target, base
  WHERE c.thread = $1 AND c.ns = $2 AND c.seq BETWEEN base.seq AND target.seq AND c.base_id = target.base_id
  ORDER BY c.seq`;
const INSERT_STEP = `
  INSERT INTO keel_writes (thread, ns, checkpoint_id, task_id, kind, key, data)
  VALUES ($1, $2, $3, $4, 'step', $5, $6) ON CONFLICT DO NOTHING`;
const STEP_DATA = `
  SELECT data FROM keel_writes
  WHERE thread = $1 AND ns = $2 AND checkpoint_id = $3 AND task_id = $4 AND kind = 'step' AND key = $5`;

/**
 * A checkpointer on PostgreSQL; its tables are created (or upgraded) on first use, by one process
 * at a time. Pass `url` or an open `db`.
 *
 * @example
 * const checkpointer = await postgresCheckpointer({ url: process.env.KEEL_DB });
 * const app = graph.compile({ checkpointer });
 */
export async function postgresCheckpointer(options: PostgresCheckpointerOptions): Promise<Checkpointer> {
  const { openPostgres, migratePostgres } = await import("../db/postgres.js");
  if (!options.db && !options.url) {
    throw new KeelError("INVALID_CONFIG", "postgresCheckpointer needs a url (postgres://...) or an open db.");
  }
  const db = options.db ?? openPostgres(options.url as string);
  try {
    await migratePostgres(db, "graph", MIGRATIONS);
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  let closed = false;
  const usable = () => {
    if (closed) {
      throw new KeelError(
        "CHECKPOINTER_CLOSED",
        `The checkpointer on ${db.display} is closed. Compile the graph again with a new postgresCheckpointer().`,
      );
    }
  };

  async function recordedStep(
    q: Queryable,
    thread: string,
    ns: string,
    t: Omit<TaskRecord, "data" | "kind">,
  ) {
    const { rows } = await q.query<{ data: string }>(STEP_DATA, [
      thread,
      ns,
      t.checkpointId,
      t.taskId,
      t.key,
    ]);
    return rows[0]?.data;
  }

  return {
    async put(r: CheckpointRecord, expectedHead = r.parentId) {
      usable();
      const values = [
        r.thread,
        r.ns,
        r.id,
        r.parentId,
        r.step,
        r.kind,
        r.baseId,
        r.data,
        r.meta,
        r.createdAt,
      ];
      const result =
        expectedHead === null
          ? await db.query(PUT_FIRST, values)
          : await db.query(PUT_AFTER, [...values, expectedHead]);
      if (result.rowCount === 1) return;
      const { rows } = await db.query<{ head_id: string }>(
        "SELECT head_id FROM keel_checkpoint_heads WHERE thread = $1 AND ns = $2",
        [r.thread, r.ns],
      );
      throw new ThreadConflictError(r.thread, r.ns, expectedHead, rows[0]?.head_id ?? null);
    },
    async chain(thread, ns, id) {
      usable();
      const { rows } = await db.query<Row>(CHAIN, [thread, ns, id ?? null]);
      return rows.length === 0 ? undefined : rows.map(toRecord);
    },
    async list(thread, ns) {
      usable();
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM keel_checkpoints WHERE thread = $1 AND ns = $2 ORDER BY seq`,
        [thread, ns],
      );
      return rows.map(toRecord);
    },
    async putTask(thread, ns, t: TaskRecord) {
      usable();
      if (t.kind !== "step") {
        await db.query(
          `INSERT INTO keel_writes (thread, ns, checkpoint_id, task_id, kind, key, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (thread, ns, checkpoint_id, task_id, kind, key) DO UPDATE SET data = excluded.data`,
          [thread, ns, t.checkpointId, t.taskId, t.kind, t.key, t.data],
        );
        return undefined;
      }
      const inserted = await db.query(INSERT_STEP, [thread, ns, t.checkpointId, t.taskId, t.key, t.data]);
      // Not inserted: a step record was there (it is never deleted but with its thread).
      return inserted.rowCount === 1 ? undefined : await recordedStep(db, thread, ns, t);
    },
    async transactionStep(thread, ns, t, fn, encode) {
      usable();
      const before = await recordedStep(db, thread, ns, t);
      if (before !== undefined) return { won: false, data: before };
      // Rolling back `fn`'s writes when another writer recorded the step first: a thrown marker.
      const lost = Symbol("lost");
      try {
        return await db.transaction(async (tx) => {
          const value = await fn(tx as StepTransaction);
          const data = encode(value);
          // Waits for a concurrent writer of the same step to commit or roll back, then decides.
          const inserted = await tx.query(INSERT_STEP, [thread, ns, t.checkpointId, t.taskId, t.key, data]);
          if (inserted.rowCount !== 1) throw lost;
          return { won: true as const, value, data };
        });
      } catch (error) {
        if (error !== lost) throw error;
        return { won: false, data: (await recordedStep(db, thread, ns, t)) as string };
      }
    },
    async tasks(thread, ns, checkpointId) {
      usable();
      const { rows } = await db.query<{
        task_id: string;
        kind: TaskRecord["kind"];
        key: string;
        data: string;
      }>(
        "SELECT task_id, kind, key, data FROM keel_writes WHERE thread = $1 AND ns = $2 AND checkpoint_id = $3",
        [thread, ns, checkpointId],
      );
      return rows.map((r) => ({ checkpointId, taskId: r.task_id, kind: r.kind, key: r.key, data: r.data }));
    },
    async flush() {
      usable();
    },
    async deleteThread(thread) {
      usable();
      await db.transaction(async (tx) => {
        await tx.query("DELETE FROM keel_checkpoints WHERE thread = $1", [thread]);
        await tx.query("DELETE FROM keel_checkpoint_heads WHERE thread = $1", [thread]);
        await tx.query("DELETE FROM keel_writes WHERE thread = $1", [thread]);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!options.db) await db.close();
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
    createdAt: Number(r.created_at),
  };
}
