/**
 * Runs and their events in the server's SQLite store. A run row is what `GET /runs/:id` shows plus
 * what a restarted server needs to continue it (the invocation in progress and where the thread
 * stood when it began); its events are numbered from 1 per run, which is the SSE `id:` a client
 * gives back in `Last-Event-ID`. Every read names the tenant: a run of another tenant is not found.
 */
import type { Statement } from "better-sqlite3";
import { migrate, type SqliteDatabase } from "../../db/index.js";
import { toJsonText } from "./wire.js";

export type RunStatus = "running" | "interrupted" | "completed" | "failed" | "cancelled";
export type FinalStatus = Exclude<RunStatus, "running">;

export interface RunInterrupt {
  /** Pass `{ [id]: value }` to resume when several interrupts are pending. */
  id: string;
  node: string;
  /** What the node asked (its `ctx.interrupt(payload)`). */
  value: unknown;
}

export interface RunError {
  code: string;
  message: string;
}

/** A resume that was accepted: enough to tell, after a crash, whether the graph recorded it. */
export interface PendingResume {
  value: unknown;
  /** The thread's checkpoint when it was accepted. */
  checkpoint: string | null;
  /** The interrupt ids it answers. */
  ids: string[];
}

export interface RunRecord {
  id: string;
  tenant: string;
  /** The client's thread id (the graph's thread is `${tenant}/${thread}`). */
  thread: string;
  workflow: string;
  /** The key of the latest start or resume: its guards and its audit actor apply to the run. */
  keyId: string;
  status: RunStatus;
  input: unknown;
  output: unknown;
  error: RunError | null;
  interrupts: RunInterrupt[];
  /** The invocation in progress (or the last one). */
  phase: "start" | "resume";
  /** The thread's checkpoint before the run applied its input (null: a new thread). */
  baseCheckpoint: string | null;
  resume: PendingResume | null;
  createdAt: number;
  updatedAt: number;
  /** When it completed, failed or was cancelled (an interrupted run has not ended). */
  endedAt: number | null;
}

export interface NewRun {
  id: string;
  tenant: string;
  thread: string;
  workflow: string;
  keyId: string;
  input: unknown;
  baseCheckpoint: string | null;
}

export interface RunEnd {
  status: FinalStatus;
  output: unknown;
  error: RunError | null;
  interrupts: RunInterrupt[];
}

export interface StoredEvent {
  seq: number;
  type: string;
  /** The event as JSON text. */
  data: string;
}

const MIGRATIONS = [
  {
    id: 1,
    name: "runs and run events",
    sql: `
      CREATE TABLE keel_runs (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        thread TEXT NOT NULL,
        workflow TEXT NOT NULL,
        key_id TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        interrupts TEXT NOT NULL DEFAULT '[]',
        phase TEXT NOT NULL,
        base_checkpoint TEXT,
        resume TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX keel_runs_thread ON keel_runs (tenant, thread, created_at);
      -- Only running runs are looked up by status (at start, to continue them).
      CREATE INDEX keel_runs_running ON keel_runs (status) WHERE status = 'running';
      CREATE TABLE keel_run_events (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `,
  },
];

interface Row {
  id: string;
  tenant: string;
  thread: string;
  workflow: string;
  key_id: string;
  status: RunStatus;
  input: string;
  output: string | null;
  error: string | null;
  interrupts: string;
  phase: "start" | "resume";
  base_checkpoint: string | null;
  resume: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

const toRecord = (r: Row): RunRecord => ({
  id: r.id,
  tenant: r.tenant,
  thread: r.thread,
  workflow: r.workflow,
  keyId: r.key_id,
  status: r.status,
  input: JSON.parse(r.input) as unknown,
  output: r.output === null ? null : (JSON.parse(r.output) as unknown),
  error: r.error === null ? null : (JSON.parse(r.error) as RunError),
  interrupts: JSON.parse(r.interrupts) as RunInterrupt[],
  phase: r.phase,
  baseCheckpoint: r.base_checkpoint,
  resume: r.resume === null ? null : (JSON.parse(r.resume) as PendingResume),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  endedAt: r.ended_at,
});

export class RunStore {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #get: Statement;
  readonly #latestOnThread: Statement;
  readonly #appendEvent: Statement;
  readonly #events: Statement;

  constructor(db: SqliteDatabase, now: () => number) {
    this.#db = db;
    this.#now = now;
    migrate(db, "server-runs", MIGRATIONS);
    this.#get = db.prepare("SELECT * FROM keel_runs WHERE id = ? AND tenant = ?");
    this.#latestOnThread = db.prepare(
      "SELECT * FROM keel_runs WHERE tenant = ? AND thread = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
    );
    // The next number is read in the same statement that writes it, so two writers cannot share one.
    this.#appendEvent = db.prepare(
      `INSERT INTO keel_run_events (run_id, seq, type, data, created_at)
       SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ? FROM keel_run_events WHERE run_id = ?
       RETURNING seq`,
    );
    this.#events = db.prepare(
      "SELECT seq, type, data FROM keel_run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    );
  }

  insert(run: NewRun): RunRecord {
    const at = this.#now();
    this.#db
      .prepare(
        `INSERT INTO keel_runs (id, tenant, thread, workflow, key_id, status, input, phase, base_checkpoint, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?, 'start', ?, ?, ?)`,
      )
      .run(
        run.id,
        run.tenant,
        run.thread,
        run.workflow,
        run.keyId,
        toJsonText(run.input),
        run.baseCheckpoint,
        at,
        at,
      );
    return this.get(run.tenant, run.id)!;
  }

  /** The run, if it exists in this tenant. */
  get(tenant: string, id: string): RunRecord | undefined {
    const row = this.#get.get(id, tenant) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The thread's most recent run in this tenant. */
  latestOnThread(tenant: string, thread: string): RunRecord | undefined {
    const row = this.#latestOnThread.get(tenant, thread) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Every run (of every tenant) that was executing, oldest first. */
  running(): RunRecord[] {
    return (
      this.#db
        .prepare("SELECT * FROM keel_runs WHERE status = 'running' ORDER BY created_at, rowid")
        .all() as Row[]
    ).map(toRecord);
  }

  /**
   * Marks an interrupted run running again for a resume; false if it was not interrupted (another
   * request resumed or cancelled it first).
   */
  markResumed(tenant: string, id: string, keyId: string, resume: PendingResume): boolean {
    const changed = this.#db
      .prepare(
        `UPDATE keel_runs SET status = 'running', phase = 'resume', resume = ?, key_id = ?, interrupts = '[]', updated_at = ?
         WHERE id = ? AND tenant = ? AND status = 'interrupted'`,
      )
      .run(toJsonText(resume), keyId, this.#now(), id, tenant).changes;
    return changed === 1;
  }

  /** Appends an event; returns its number. */
  appendEvent(runId: string, type: string, data: string): number {
    return (this.#appendEvent.get(runId, type, data, this.#now(), runId) as { seq: number }).seq;
  }

  /** Events after `after`, in order. */
  events(runId: string, after: number, limit = 500): StoredEvent[] {
    return this.#events.all(runId, after, limit) as StoredEvent[];
  }

  /**
   * Records how an invocation ended and its last event together, so that a reader who sees the
   * status also finds the event (the SSE stream ends on the status).
   */
  finish(id: string, end: RunEnd, event: { type: string; data: string }): void {
    const at = this.#now();
    this.#db.transaction(() => {
      this.appendEvent(id, event.type, event.data);
      this.#db
        .prepare(
          `UPDATE keel_runs SET status = ?, output = ?, error = ?, interrupts = ?, updated_at = ?, ended_at = ?
           WHERE id = ?`,
        )
        .run(
          end.status,
          end.output === undefined ? null : toJsonText(end.output),
          end.error === null ? null : toJsonText(end.error),
          toJsonText(end.interrupts),
          at,
          end.status === "interrupted" ? null : at,
          id,
        );
    })();
  }

  /**
   * Cancels an interrupted run (nothing executes, so nothing to abort); false if it was no longer
   * interrupted.
   */
  cancelInterrupted(
    tenant: string,
    id: string,
    error: RunError,
    event: { type: string; data: string },
  ): boolean {
    const at = this.#now();
    return this.#db.transaction(() => {
      const changed = this.#db
        .prepare(
          `UPDATE keel_runs SET status = 'cancelled', error = ?, interrupts = '[]', updated_at = ?, ended_at = ?
           WHERE id = ? AND tenant = ? AND status = 'interrupted'`,
        )
        .run(toJsonText(error), at, at, id, tenant).changes;
      if (changed === 1) this.appendEvent(id, event.type, event.data);
      return changed === 1;
    })();
  }

  /** The run's status, whatever its tenant (for a stream that already checked the tenant). */
  status(id: string): RunStatus | undefined {
    return this.#db.prepare("SELECT status FROM keel_runs WHERE id = ?").pluck().get(id) as
      | RunStatus
      | undefined;
  }
}
