/**
 * The durable run queue on PostgreSQL: runs waiting for a worker, the lease of the worker running
 * each one, their outcome and their events. Any process can enqueue, cancel or follow a run; workers
 * (worker.ts) claim runs with `FOR UPDATE SKIP LOCKED`. Lease times come from the database clock, so
 * machines with skewed clocks still agree on when a lease has expired.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migratePostgres, openPostgres, type PostgresDatabase, type Queryable } from "../db/postgres.js";
import type { Migration } from "../db/sqlite.js";
import { KeelError } from "../errors/index.js";
import { latestTick, nextTick } from "./cron.js";

export { nextTick } from "./cron.js";

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
  /** The API key that started (or last resumed) the run, when a server queued it. */
  keyId: string | null;
  /** The thread id as the caller named it (the graph's thread may be scoped, e.g. `tenant/id`). */
  clientThread: string;
  /** Claims so far: 1 for a run that no worker lost. */
  attempts: number;
  /** The worker holding (or last holding) the run's lease. */
  worker: string | null;
  cancelRequested: boolean;
  runAt: number;
  createdAt: number;
  updatedAt: number;
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
  /** The API key acting for the run (servers set it; workers run the run as that key). */
  keyId?: string;
  /** The thread id as the caller named it, when `thread` is scoped (default `thread`). */
  clientThread?: string;
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
  {
    id: 2,
    name: "recurring schedules",
    sql: `
      CREATE TABLE keel_queue_schedules (
        name TEXT PRIMARY KEY,
        cron TEXT NOT NULL,
        timezone TEXT NOT NULL,
        workflow TEXT NOT NULL,
        tenant TEXT NOT NULL,
        input TEXT NOT NULL,
        next_run_at TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX keel_queue_schedules_due ON keel_queue_schedules (next_run_at);
    `,
  },
  {
    id: 3,
    name: "who started a run, the caller's thread id, last change",
    sql: `
      ALTER TABLE keel_queue ADD COLUMN key_id TEXT;
      ALTER TABLE keel_queue ADD COLUMN client_thread TEXT;
      ALTER TABLE keel_queue ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp();
      CREATE INDEX keel_queue_thread ON keel_queue (tenant, client_thread, created_at);
    `,
  },
  {
    id: 4,
    name: "schedules kept from a configuration",
    sql: "ALTER TABLE keel_queue_schedules ADD COLUMN managed BOOLEAN NOT NULL DEFAULT false",
  },
];

export interface ScheduleOptions {
  /** Unique; scheduling the same name again replaces the schedule. */
  name: string;
  /** Five fields (minute hour day month weekday), or six with seconds first: `0 9 * * 1-5`. */
  cron: string;
  workflow: string;
  input?: unknown;
  tenant?: string;
  /** IANA time zone the pattern is read in (default UTC). */
  timezone?: string;
}

export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  workflow: string;
  tenant: string;
  input: unknown;
  /** When its next run will be queued (epoch ms). */
  nextRunAt: number;
}

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
  key_id: string | null;
  client_thread: string | null;
  run_at: Date;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
}

const RUN_COLUMNS =
  "id, workflow, tenant, thread, status, input, output, error, interrupts, attempts, lease_owner, cancel_requested, key_id, client_thread, run_at, created_at, updated_at, ended_at";

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
    keyId: r.key_id,
    clientThread: r.client_thread ?? r.thread,
    runAt: r.run_at.getTime(),
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    endedAt: r.ended_at ? r.ended_at.getTime() : null,
  };
}

interface ScheduleRow {
  name: string;
  cron: string;
  timezone: string;
  workflow: string;
  tenant: string;
  input: string;
  next_run_at: Date;
}

function toSchedule(r: ScheduleRow): Schedule {
  return {
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    workflow: r.workflow,
    tenant: r.tenant,
    input: JSON.parse(r.input) as unknown,
    nextRunAt: r.next_run_at.getTime(),
  };
}

async function latestOnThread(q: Queryable, tenant: string, thread: string): Promise<QueuedRun | undefined> {
  const { rows } = await q.query<Row>(
    `SELECT ${RUN_COLUMNS} FROM keel_queue WHERE tenant = $1 AND coalesce(client_thread, thread) = $2
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [tenant, thread],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
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
  #wakeTimer: NodeJS.Timeout | undefined;
  readonly #followers = new Map<string, Set<() => void>>();
  #listener: { client: pg.Client; retry: NodeJS.Timeout | undefined } | undefined;

  constructor(db: PostgresDatabase, owned: boolean) {
    this.db = db;
    this.#owned = owned;
  }

  /**
   * Queues a run and wakes the workers. With `id`, enqueueing again returns the run already there.
   * Runs on one thread run one after the other (a second one that starts while the first runs is
   * handed back and started again after it); the runs API refuses a second live run on a thread.
   */
  async enqueue(options: EnqueueOptions): Promise<QueuedRun> {
    const run = await this.#enqueue(this.db, options);
    this.#wakeWorkers();
    return run;
  }

  /**
   * Tells the workers (NOTIFY) that runs are waiting, at most once per 2 ms of this process's
   * enqueues, after they committed. A notifying transaction holds PostgreSQL's global notify lock
   * through its commit, so one NOTIFY per enqueue serialized every enqueue's commit; a burst of
   * enqueues now shares one. A notification lost (the process dies first) costs a worker's poll.
   */
  #wakeWorkers(): void {
    if (this.#wakeTimer) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.db.query(`SELECT pg_notify('${CHANNEL_READY}', '')`).catch(() => undefined);
    }, 2);
  }

  /**
   * Queues a run after `check` has seen the latest run on its thread (by tenant and caller's thread
   * id), with a lock on that thread held from the read to the commit: two processes starting runs
   * on one thread at once are checked one after the other. `check` throws to refuse.
   */
  enqueueExclusive(
    options: EnqueueOptions,
    check: (last: QueuedRun | undefined) => void,
  ): Promise<QueuedRun> {
    const tenant = options.tenant ?? "default";
    const thread = options.clientThread ?? options.thread ?? options.id ?? "";
    return this.db
      .transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
          `keel_queue_thread:${tenant}/${thread}`,
        ]);
        check(await latestOnThread(tx, tenant, thread));
        return this.#enqueue(tx, options);
      })
      .then((run) => {
        this.#wakeWorkers();
        return run;
      });
  }

  /** The latest run on a thread (by tenant and the caller's thread id). */
  latestOnThread(tenant: string, thread: string): Promise<QueuedRun | undefined> {
    return latestOnThread(this.db, tenant, thread);
  }

  async #enqueue(q: Queryable, options: EnqueueOptions): Promise<QueuedRun> {
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
    const { rows } = await q.query<Row>(
      `WITH added AS (
         INSERT INTO keel_queue (id, workflow, tenant, thread, status, input, base_checkpoint, run_at, key_id, client_thread)
         VALUES ($1, $2, $3, $4, 'queued', $5, $6, ${runAt}, $8, $9)
         ON CONFLICT (id) DO NOTHING RETURNING ${RUN_COLUMNS})
       SELECT ${RUN_COLUMNS} FROM added
       UNION ALL SELECT ${RUN_COLUMNS} FROM keel_queue WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM added)`,
      [
        id,
        options.workflow,
        options.tenant ?? "default",
        options.thread ?? id,
        input,
        null,
        options.runAt ?? options.delayMs ?? 0,
        options.keyId ?? null,
        options.clientThread ?? null,
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
           updated_at = clock_timestamp(),
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
  async resume(id: string, value: unknown, options: { keyId?: string } = {}): Promise<QueuedRun> {
    const { rows } = await this.db.query<Row>(
      `WITH changed AS (
         UPDATE keel_queue SET status = 'queued', resume_value = $2, interrupts = NULL, run_at = clock_timestamp(),
           updated_at = clock_timestamp(), key_id = coalesce($3, key_id)
         WHERE id = $1 AND status = 'interrupted' RETURNING ${RUN_COLUMNS}),
       woken AS (SELECT pg_notify('${CHANNEL_READY}', workflow) FROM changed)
       SELECT ${RUN_COLUMNS} FROM changed, woken`,
      [id, JSON.stringify(value ?? null), options.keyId ?? null],
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
    // Set by every notification for the run, even one that comes while events are being read or
    // the consumer is busy: the loop reads again instead of sleeping through it.
    let dirty = false;
    let wake: (() => void) | undefined;
    const unsubscribe = this.#subscribe(id, () => {
      dirty = true;
      wake?.();
    });
    try {
      while (!options.signal?.aborted) {
        dirty = false;
        const status = (await this.get(id))?.status;
        if (status === undefined) throw new UnknownRunError(id);
        // Read after the status: a run seen ended has stored its last event already.
        for (const event of await this.eventsAfter(id, cursor)) {
          cursor = event.seq;
          yield event;
        }
        if (status !== "queued" && status !== "running") return;
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, options.pollMs ?? 1000);
          function done() {
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          }
          wake = done;
          options.signal?.addEventListener("abort", done, { once: true });
        });
      }
    } finally {
      unsubscribe();
    }
  }

  /**
   * Calls `onEvent` when run `id` stores events. One LISTEN connection per queue, whatever the
   * number of followers (each SSE client is one follower), opened with the first and closed with
   * the last; a lost connection is opened again (backing off up to 5 s), and every follower is woken
   * when it is lost or back, since notifications may have been missed in between.
   */
  #subscribe(id: string, onEvent: () => void): () => void {
    let subs = this.#followers.get(id);
    if (!subs) this.#followers.set(id, (subs = new Set()));
    subs.add(onEvent);
    if (!this.#listener) this.#listen(0);
    return () => {
      subs.delete(onEvent);
      if (subs.size === 0) this.#followers.delete(id);
      if (this.#followers.size === 0) this.#unlisten();
    };
  }

  #listen(attempt: number): void {
    const client = new pg.Client({ connectionString: this.db.url, application_name: "keel-follow" });
    const state = { client, retry: undefined as NodeJS.Timeout | undefined };
    this.#listener = state;
    const wakeAll = () => {
      for (const subs of this.#followers.values()) for (const f of subs) f();
    };
    client.on("notification", (n) => {
      for (const f of this.#followers.get(n.payload ?? "") ?? []) f();
    });
    const lost = () => {
      if (this.#listener !== state || state.retry) return;
      void client.end().catch(() => undefined);
      wakeAll();
      state.retry = setTimeout(
        () => {
          if (this.#listener === state && this.#followers.size > 0) this.#listen(attempt + 1);
        },
        Math.min(5000, 250 * 2 ** attempt),
      );
    };
    client.on("error", lost);
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANNEL_EVENTS}`))
      .then(() => {
        attempt = 0;
        if (this.#listener === state) wakeAll();
        else void client.end().catch(() => undefined);
      })
      .catch(lost);
  }

  #unlisten(): void {
    const state = this.#listener;
    this.#listener = undefined;
    if (!state) return;
    clearTimeout(state.retry);
    void state.client.end().catch(() => undefined);
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

  /**
   * Adds (or replaces) a recurring schedule: at each time `cron` matches, one run of `workflow` is
   * queued, by whichever worker runs that workflow first sees it due (exactly one run per tick,
   * however many workers; its id is `sched:NAME:TICK`). Ticks missed while no worker ran are not
   * queued one by one: the next worker queues the latest missed tick once, then follows the pattern.
   */
  async schedule(options: ScheduleOptions): Promise<Schedule> {
    if (!/^[\w.:-]{1,200}$/.test(options.name ?? "")) {
      throw new KeelError(
        "INVALID_REQUEST",
        `Schedule name "${options.name}" must be 1 to 200 letters, digits, ".", "_", ":" or "-".`,
      );
    }
    if (!options.workflow)
      throw new KeelError("INVALID_REQUEST", `Schedule "${options.name}" needs a workflow.`);
    const timezone = options.timezone ?? "UTC";
    const { rows: clock } = await this.db.query<{ now: Date }>("SELECT clock_timestamp() AS now");
    const next = nextTick(options.cron, timezone, (clock[0] as { now: Date }).now);
    const { rows } = await this.db.query<ScheduleRow>(
      `INSERT INTO keel_queue_schedules (name, cron, timezone, workflow, tenant, input, next_run_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone,
         workflow = excluded.workflow, tenant = excluded.tenant, input = excluded.input, next_run_at = excluded.next_run_at
       RETURNING name, cron, timezone, workflow, tenant, input, next_run_at`,
      [
        options.name,
        options.cron,
        timezone,
        options.workflow,
        options.tenant ?? "default",
        JSON.stringify(options.input ?? {}),
        next,
      ],
    );
    return toSchedule(rows[0] as ScheduleRow);
  }

  /**
   * Makes the configuration's schedules the ones marked as configured: adds or updates each (a
   * changed pattern starts from its next tick; an unchanged one keeps its next tick), and removes the
   * configured ones no longer listed. Schedules made with `schedule()` are left alone. Every server
   * and worker calls it at start; concurrent calls agree.
   */
  async syncSchedules(schedules: readonly ScheduleOptions[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('keel_queue_schedules'))");
      const { rows: clock } = await tx.query<{ now: Date }>("SELECT clock_timestamp() AS now");
      const now = (clock[0] as { now: Date }).now;
      for (const o of schedules) {
        const timezone = o.timezone ?? "UTC";
        await tx.query(
          `INSERT INTO keel_queue_schedules (name, cron, timezone, workflow, tenant, input, next_run_at, managed)
           VALUES ($1, $2, $3, $4, $5, $6, $7, true)
           ON CONFLICT (name) DO UPDATE SET workflow = excluded.workflow, tenant = excluded.tenant,
             input = excluded.input, managed = true, cron = excluded.cron, timezone = excluded.timezone,
             next_run_at = CASE WHEN keel_queue_schedules.cron = excluded.cron AND keel_queue_schedules.timezone = excluded.timezone
               THEN keel_queue_schedules.next_run_at ELSE excluded.next_run_at END`,
          [
            o.name,
            o.cron,
            timezone,
            o.workflow,
            o.tenant ?? "default",
            JSON.stringify(o.input ?? {}),
            nextTick(o.cron, timezone, now),
          ],
        );
      }
      await tx.query("DELETE FROM keel_queue_schedules WHERE managed AND NOT (name = ANY($1::text[]))", [
        schedules.map((o) => o.name),
      ]);
    });
  }

  /** Removes a schedule (runs it queued already stay); false when there was none. */
  async unschedule(name: string): Promise<boolean> {
    const { rowCount } = await this.db.query("DELETE FROM keel_queue_schedules WHERE name = $1", [name]);
    return rowCount === 1;
  }

  async schedules(): Promise<Schedule[]> {
    const { rows } = await this.db.query<ScheduleRow>(
      "SELECT name, cron, timezone, workflow, tenant, input, next_run_at FROM keel_queue_schedules ORDER BY name",
    );
    return rows.map(toSchedule);
  }

  /**
   * Queues the runs of every due schedule of `workflows` and moves each to its next tick, in one
   * transaction whose row locks (SKIP LOCKED) keep two workers from firing one tick twice. Workers
   * call it on each look at the queue. Returns how many runs it queued.
   */
  async fireDueSchedules(workflows: readonly string[]): Promise<number> {
    // Most looks find nothing due: one indexed read, no transaction.
    const { rows: due } = await this.db.query(
      "SELECT 1 FROM keel_queue_schedules WHERE next_run_at <= clock_timestamp() AND workflow = ANY($1::text[]) LIMIT 1",
      [workflows],
    );
    if (due.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ScheduleRow & { now: Date }>(
        `SELECT name, cron, timezone, workflow, tenant, input, next_run_at, clock_timestamp() AS now
         FROM keel_queue_schedules
         WHERE next_run_at <= clock_timestamp() AND workflow = ANY($1::text[])
         FOR UPDATE SKIP LOCKED`,
        [workflows],
      );
      let queued = 0;
      for (const r of rows) {
        const tick = latestTick(r.cron, r.timezone, r.next_run_at, r.now);
        const id = `sched:${r.name}:${tick.toISOString()}`;
        const added = await tx.query(
          `INSERT INTO keel_queue (id, workflow, tenant, thread, status, input, run_at)
           VALUES ($1, $2, $3, $1, 'queued', $4, $5) ON CONFLICT (id) DO NOTHING`,
          [id, r.workflow, r.tenant, r.input, tick],
        );
        queued += added.rowCount ?? 0;
        await tx.query("UPDATE keel_queue_schedules SET next_run_at = $2 WHERE name = $1", [
          r.name,
          nextTick(r.cron, r.timezone, r.now),
        ]);
      }
      if (queued > 0) await tx.query(`SELECT pg_notify('${CHANNEL_READY}', 'schedule')`);
      return queued;
    });
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
    this.#unlisten();
    if (this.#wakeTimer) {
      clearTimeout(this.#wakeTimer);
      this.#wakeTimer = undefined;
      await this.db.query(`SELECT pg_notify('${CHANNEL_READY}', '')`).catch(() => undefined);
    }
    if (this.#owned) await this.db.close();
  }
}
