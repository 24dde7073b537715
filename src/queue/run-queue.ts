/**
 * The durable run queue on PostgreSQL: runs waiting for a worker, the lease of the worker running
 * each one, their outcome and their events. Any process can enqueue, cancel or follow a run; workers
 * (worker.ts) claim runs with `FOR UPDATE SKIP LOCKED`. Lease times come from the database clock, so
 * machines with skewed clocks still agree on when a lease has expired.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migratePostgres, openPostgres, type PostgresDatabase } from "../db/postgres.js";
import type { Migration } from "../db/sqlite.js";
import { KeelError } from "../errors/index.js";

export type QueuedRunStatus = "queued" | "running" | "interrupted" | "completed" | "failed" | "cancelled";

export interface QueuedRun {
  id: string;
  workflow: string;
  tenant: string;
  /** The graph thread the run executes on. */
  thread: string;
  status: QueuedRunStatus;
  input: unknown;
  output: unknown;
  error: { code: string; message: string } | null;
  /** Interrupts waiting for `resume` when status is "interrupted". */
  interrupts: unknown[];
  /** Claims so far: 1 for a run that no worker lost. */
  attempts: number;
  /** The worker holding (or last holding) the run's lease. */
  worker: string | null;
  cancelRequested: boolean;
  runAt: number;
  createdAt: number;
  endedAt: number | null;
}

export interface EnqueueOptions {
  workflow: string;
  input?: unknown;
  /** Default "default". Per-tenant concurrency limits count runs by this. */
  tenant?: string;
  /** The graph thread (default: the run id, a fresh thread). */
  thread?: string;
  /** A caller-chosen id makes enqueueing idempotent: the same id returns the run already queued. */
  id?: string;
  /** Not before this time (epoch ms), for scheduled runs. */
  runAt?: number;
  /** Not before this many ms from now (by the database clock). */
  delayMs?: number;
}

export interface QueueEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: number;
}

export const CHANNEL_READY = "keel_queue_ready";
export const CHANNEL_CANCEL = "keel_queue_cancel";
export const CHANNEL_EVENTS = "keel_queue_events";

const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "run queue, leases and events",
    sql: `
      CREATE TABLE keel_queue (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        tenant TEXT NOT NULL,
        thread TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'interrupted', 'completed', 'failed', 'cancelled')),
        input TEXT NOT NULL,
        -- The thread's head when the run was enqueued: still there means its input is not applied.
        base_checkpoint TEXT,
        resume_value TEXT,
        output TEXT,
        error TEXT,
        interrupts TEXT,
        run_at TIMESTAMPTZ NOT NULL,
        lease_owner TEXT,
        lease_until TIMESTAMPTZ,
        fence BIGINT NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        cancel_requested BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        ended_at TIMESTAMPTZ
      );
      CREATE INDEX keel_queue_ready ON keel_queue (run_at) WHERE status = 'queued';
      CREATE INDEX keel_queue_leased ON keel_queue (lease_until) WHERE status = 'running';
      CREATE TABLE keel_queue_events (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (run_id, seq)
      );
    `,
  },
];

interface Row {
  id: string;
  workflow: string;
  tenant: string;
  thread: string;
  status: QueuedRunStatus;
  input: string;
  output: string | null;
  error: string | null;
  interrupts: string | null;
  attempts: number;
  lease_owner: string | null;
  cancel_requested: boolean;
  run_at: Date;
  created_at: Date;
  ended_at: Date | null;
}

const RUN_COLUMNS =
  "id, workflow, tenant, thread, status, input, output, error, interrupts, attempts, lease_owner, cancel_requested, run_at, created_at, ended_at";

export const newQueuedRunId = (): string => `run_${randomBytes(12).toString("base64url")}`;

function toRun(r: Row): QueuedRun {
  return {
    id: r.id,
    workflow: r.workflow,
    tenant: r.tenant,
    thread: r.thread,
    status: r.status,
    input: JSON.parse(r.input) as unknown,
    output: r.output === null ? null : (JSON.parse(r.output) as unknown),
    error: r.error === null ? null : (JSON.parse(r.error) as QueuedRun["error"]),
    interrupts: r.interrupts === null ? [] : (JSON.parse(r.interrupts) as unknown[]),
    attempts: r.attempts,
    worker: r.lease_owner,
    cancelRequested: r.cancel_requested,
    runAt: r.run_at.getTime(),
    createdAt: r.created_at.getTime(),
    endedAt: r.ended_at ? r.ended_at.getTime() : null,
  };
}

export class UnknownRunError extends KeelError {
  constructor(id: string) {
    super(
      "RUN_NOT_FOUND",
      `No run ${id} in the queue; check the id (runs are listed by the process that enqueued them).`,
    );
  }
}

export interface RunQueueOptions {
  url?: string;
  db?: PostgresDatabase;
}

/** Opens the queue on `url` (or an open `db`), creating or upgrading its tables. */
export async function openRunQueue(options: RunQueueOptions): Promise<RunQueue> {
  if (!options.db && !options.url)
    throw new KeelError("INVALID_CONFIG", "openRunQueue needs a url (postgres://...) or an open db.");
  const db = options.db ?? openPostgres(options.url as string);
  try {
    await migratePostgres(db, "run-queue", MIGRATIONS);
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  return new RunQueue(db, !options.db);
}

export class RunQueue {
  readonly db: PostgresDatabase;
  readonly #owned: boolean;

  constructor(db: PostgresDatabase, owned: boolean) {
    this.db = db;
    this.#owned = owned;
  }

  /**
   * Queues a run and wakes the workers. With `id`, enqueueing again returns the run already there.
   * `baseCheckpoint` is the thread's head now (workers use it to tell whether the input is applied).
   */
  async enqueue(options: EnqueueOptions & { baseCheckpoint?: string | null }): Promise<QueuedRun> {
    if (!options.workflow) throw new KeelError("INVALID_REQUEST", "enqueue needs a workflow name.");
    if (options.runAt !== undefined && options.delayMs !== undefined) {
      throw new KeelError("INVALID_REQUEST", "Give runAt or delayMs, not both.");
    }
    if (options.delayMs !== undefined && !(options.delayMs >= 0)) {
      throw new KeelError("INVALID_REQUEST", `delayMs must be 0 or more; got ${options.delayMs}.`);
    }
    if (options.runAt !== undefined && !Number.isFinite(options.runAt)) {
      throw new KeelError(
        "INVALID_REQUEST",
        `runAt must be a time in epoch milliseconds; got ${options.runAt}.`,
      );
    }
    const id = options.id ?? newQueuedRunId();
    const input = JSON.stringify(options.input ?? {});
    const runAt =
      options.runAt !== undefined
        ? "to_timestamp($7::double precision / 1000)"
        : "clock_timestamp() + make_interval(secs => $7::double precision / 1000)";
    const { rows } = await this.db.query<Row>(
      `WITH added AS (
         INSERT INTO keel_queue (id, workflow, tenant, thread, status, input, base_checkpoint, run_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, $6, ${runAt})
         ON CONFLICT (id) DO NOTHING RETURNING ${RUN_COLUMNS}),
       woken AS (SELECT pg_notify('${CHANNEL_READY}', $2) FROM added)
       SELECT ${RUN_COLUMNS} FROM added, woken
       UNION ALL SELECT ${RUN_COLUMNS} FROM keel_queue WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM added)`,
      [
        id,
        options.workflow,
        options.tenant ?? "default",
        options.thread ?? id,
        input,
        options.baseCheckpoint ?? null,
        options.runAt ?? options.delayMs ?? 0,
      ],
    );
    return toRun(rows[0] as Row);
  }

  async get(id: string): Promise<QueuedRun | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT ${RUN_COLUMNS} FROM keel_queue WHERE id = $1`, [id]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /** Runs by status (all when omitted), oldest first. */
  async list(
    options: { status?: QueuedRunStatus; tenant?: string; limit?: number } = {},
  ): Promise<QueuedRun[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${RUN_COLUMNS} FROM keel_queue
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR tenant = $2)
       ORDER BY created_at, id LIMIT $3`,
      [options.status ?? null, options.tenant ?? null, options.limit ?? 1000],
    );
    return rows.map(toRun);
  }

  /**
   * Cancels a run: a queued (or interrupted) one at once; a running one by telling its worker, which
   * aborts it within a second and records it cancelled. Returns the run as it stands after the
   * request; a run that already ended is returned unchanged.
   */
  async cancel(id: string): Promise<QueuedRun> {
    await this.db.query(
      `WITH changed AS (
         UPDATE keel_queue SET
           cancel_requested = true,
           status = CASE WHEN status = 'running' THEN status ELSE 'cancelled' END,
           ended_at = CASE WHEN status = 'running' THEN ended_at ELSE clock_timestamp() END,
           error = CASE WHEN status = 'running' THEN error
             ELSE '{"code":"RUN_CANCELLED","message":"The run was cancelled before it ended."}' END
         WHERE id = $1 AND status IN ('queued', 'interrupted', 'running') RETURNING id)
       SELECT pg_notify('${CHANNEL_CANCEL}', id) FROM changed`,
      [id],
    );
    const run = await this.get(id);
    if (!run) throw new UnknownRunError(id);
    return run;
  }

  /**
   * Queues an interrupted run again with the answer to its interrupt(s); a worker resumes it.
   * 409-style `RUN_NOT_INTERRUPTED` when the run is not waiting at an interrupt.
   */
  async resume(id: string, value: unknown): Promise<QueuedRun> {
    const { rows } = await this.db.query<Row>(
      `WITH changed AS (
         UPDATE keel_queue SET status = 'queued', resume_value = $2, interrupts = NULL, run_at = clock_timestamp()
         WHERE id = $1 AND status = 'interrupted' RETURNING ${RUN_COLUMNS}),
       woken AS (SELECT pg_notify('${CHANNEL_READY}', workflow) FROM changed)
       SELECT ${RUN_COLUMNS} FROM changed, woken`,
      [id, JSON.stringify(value ?? null)],
    );
    if (rows[0]) return toRun(rows[0]);
    const run = await this.get(id);
    if (!run) throw new UnknownRunError(id);
    throw new KeelError(
      "RUN_NOT_INTERRUPTED",
      `Run ${id} is ${run.status}, not waiting at an interrupt; only an interrupted run can be resumed.`,
    );
  }

  /** Events of a run after `after` (its seq), oldest first. */
  async eventsAfter(id: string, after = 0, limit = 1000): Promise<QueueEvent[]> {
    const { rows } = await this.db.query<{ seq: number; type: string; data: string; at: Date }>(
      "SELECT seq, type, data, at FROM keel_queue_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      [id, after, limit],
    );
    return rows.map((r) => ({
      seq: r.seq,
      type: r.type,
      data: JSON.parse(r.data) as Record<string, unknown>,
      at: r.at.getTime(),
    }));
  }

  /**
   * Follows a run's events from any process: what is stored after `after`, then new events as the
   * worker running it stores them (woken by NOTIFY, with a poll every `pollMs` as a safety net),
   * until the run ends (completed, failed, cancelled or interrupted) or `signal` aborts.
   */
  async *follow(
    id: string,
    options: { after?: number; signal?: AbortSignal; pollMs?: number } = {},
  ): AsyncGenerator<QueueEvent> {
    let cursor = options.after ?? 0;
    const listener = new pg.Client({ connectionString: this.db.url });
    let wake: (() => void) | undefined;
    listener.on("notification", (n) => {
      if (n.payload === id) wake?.();
    });
    listener.on("error", () => wake?.());
    await listener.connect();
    try {
      await listener.query(`LISTEN ${CHANNEL_EVENTS}`);
      while (!options.signal?.aborted) {
        const status = (await this.get(id))?.status;
        if (status === undefined) throw new UnknownRunError(id);
        // Read after the status: a run seen ended has stored its last event already.
        for (const event of await this.eventsAfter(id, cursor)) {
          cursor = event.seq;
          yield event;
        }
        if (status !== "queued" && status !== "running") return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs ?? 1000);
          const done = () => {
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          wake = done;
          options.signal?.addEventListener("abort", done, { once: true });
        });
      }
    } finally {
      await listener.end().catch(() => undefined);
    }
  }

  /** Waits until the run has ended (or is interrupted) and returns it. */
  async wait(id: string, options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<QueuedRun> {
    for (;;) {
      const run = await this.get(id);
      if (!run) throw new UnknownRunError(id);
      if (run.status !== "queued" && run.status !== "running") return run;
      if (options.signal?.aborted) throw options.signal.reason;
      await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
    }
  }

  /** How many runs stand in each status. */
  async counts(): Promise<Record<QueuedRunStatus, number>> {
    const counts: Record<QueuedRunStatus, number> = {
      queued: 0,
      running: 0,
      interrupted: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    };
    const { rows } = await this.db.query<{ status: QueuedRunStatus; n: number }>(
      "SELECT status, count(*)::int AS n FROM keel_queue GROUP BY status",
    );
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  async close(): Promise<void> {
    if (this.#owned) await this.db.close();
  }
}
