/**
 * A worker: claims runs from the queue (`FOR UPDATE SKIP LOCKED`), holds a lease on each by
 * heartbeat, executes its graph from the thread's last checkpoint, and records how it ended. Every
 * claim bumps the run's fence; the heartbeat and the final write name it, so a worker that lost a run
 * (its lease expired, another worker took it) stops it and can never record its outcome.
 */

import { randomBytes } from "node:crypto";
import os from "node:os";
import pg from "pg";
import { KeelError } from "../errors/index.js";
import { type Checkpointer, type CompiledGraph, deserialize, type GraphEvent } from "../graph/index.js";
import {
  endEvent,
  errorInfo,
  type Followed,
  followRun,
  type interruptsOf,
  toJsonText,
} from "../server/runs/wire.js";
import { CHANNEL_CANCEL, CHANNEL_EVENTS, CHANNEL_READY, type RunQueue } from "./run-queue.js";

export interface ConcurrencyLimits {
  /** Most runs of a workflow running at once, across every worker. */
  workflows?: Record<string, number>;
  /** Most runs of one tenant running at once, across every worker. */
  perTenant?: number;
}

export interface WorkerOptions {
  queue: RunQueue;
  workflows: Record<string, CompiledGraph<any>>;
  /** Shown as the lease owner (default host:pid:random). */
  id?: string;
  /** Runs this worker executes at once (default 8). */
  concurrency?: number;
  /** How long a lease lasts without a heartbeat (default 10 s): a dead worker's runs wait this long. */
  leaseMs?: number;
  /** Heartbeat period (default a third of the lease). */
  heartbeatMs?: number;
  /** Longest wait between looks at the queue when no notification comes (default 1 s). */
  pollMs?: number;
  /** Every worker of a queue must be given the same limits. */
  limits?: ConcurrencyLimits;
  /**
   * Runs each run's execution inside the caller's scope (a server puts the run's key and id in
   * scope there, so that its model calls go through the key's guards and are audited).
   */
  scope?: <T>(run: RunInfo, execute: () => Promise<T>) => Promise<T>;
  /** Passes a run's graph events through (a server records them in the audit log there). */
  wrapEvents?: (
    run: RunInfo,
    events: AsyncIterable<GraphEvent<Record<string, unknown>>>,
  ) => AsyncIterable<GraphEvent<Record<string, unknown>>>;
  /**
   * Errors of the worker itself (the database unreachable...), which it survives; runs' own errors
   * are their outcome. Default: one line on stderr.
   */
  onError?: (error: unknown) => void;
}

/** The run a worker is executing, as its hooks see it. */
export interface RunInfo {
  id: string;
  workflow: string;
  tenant: string;
  /** The graph's thread. */
  thread: string;
  /** The thread as the caller named it. */
  clientThread: string;
  keyId: string | null;
  /** "start", "resume" (with the answer), or "continue" (from the last checkpoint, after a crash). */
  kind: "start" | "resume" | "continue";
}

export interface WorkerStats {
  claimed: number;
  /** Claims of runs whose previous worker's lease had expired. */
  recovered: number;
  completed: number;
  failed: number;
  cancelled: number;
  interrupted: number;
  /** Runs this worker stopped because another worker took them over. */
  lost: number;
}

interface Claimed {
  id: string;
  workflow: string;
  tenant: string;
  thread: string;
  input: string;
  base_checkpoint: string | null;
  resume_value: string | null;
  fence: string;
  cancel_requested: boolean;
  key_id: string | null;
  client_thread: string | null;
  was: string;
  attempts: number;
}

type Event = GraphEvent<Record<string, unknown>>;

/** Why a run's signal aborted: decides what (if anything) the worker records. */
type StopReason = "cancel" | "lost" | "shutdown";

interface Active {
  claim: Claimed;
  abort: AbortController;
  stop?: StopReason;
  done: Promise<void>;
}

const EVENT_FLUSH_MS = 25;

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const worker = new Worker(options);
  await worker.start();
  return worker;
}

export class Worker {
  readonly id: string;
  readonly stats: WorkerStats = {
    claimed: 0,
    recovered: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    interrupted: 0,
    lost: 0,
  };
  readonly #o: Required<Omit<WorkerOptions, "id" | "limits" | "onError" | "scope" | "wrapEvents">> &
    Pick<WorkerOptions, "limits" | "onError" | "scope" | "wrapEvents">;
  readonly #active = new Map<string, Active>();
  #listener: pg.Client | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #woken = false;
  #loop: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #schedulesAt = Number.NEGATIVE_INFINITY;
  #relistenTimer: NodeJS.Timeout | undefined;

  constructor(options: WorkerOptions) {
    const names = Object.keys(options.workflows);
    if (names.length === 0)
      throw new KeelError("INVALID_CONFIG", "A worker needs at least one workflow to run.");
    for (const [name, graph] of Object.entries(options.workflows)) {
      if (!graph?.settings?.checkpointer) {
        throw new KeelError(
          "INVALID_CONFIG",
          `workflows.${name}: the graph has no checkpointer; compile it with postgresCheckpointer() so another worker can continue its runs.`,
        );
      }
    }
    const leaseMs = options.leaseMs ?? 10_000;
    this.id = options.id ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.#o = {
      queue: options.queue,
      workflows: options.workflows,
      concurrency: options.concurrency ?? 8,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3)),
      pollMs: options.pollMs ?? 1000,
      limits: options.limits,
      scope: options.scope,
      wrapEvents: options.wrapEvents,
      onError:
        options.onError ??
        ((error) =>
          process.stderr.write(`keel worker ${this.id}: ${(error as Error)?.message ?? String(error)}\n`)),
    };
    if (!(this.#o.heartbeatMs < leaseMs)) {
      throw new KeelError(
        "INVALID_CONFIG",
        `heartbeatMs (${this.#o.heartbeatMs}) must be shorter than leaseMs (${leaseMs}).`,
      );
    }
  }

  async start(): Promise<void> {
    await this.#listen();
    this.#heartbeat = setInterval(() => void this.#beat(), this.#o.heartbeatMs);
    this.#loop = this.#run();
  }

  /**
   * Stops claiming. With `drain`, waits for the runs in hand to end; otherwise stops them and hands
   * them back to the queue at once (not cancelled: another worker continues them).
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#wakeUp();
    await this.#loop;
    if (!options.drain) for (const a of this.#active.values()) this.#abort(a, "shutdown");
    await Promise.all([...this.#active.values()].map((a) => a.done));
    clearInterval(this.#heartbeat);
    clearTimeout(this.#relistenTimer);
    await this.#listener?.end().catch(() => undefined);
    this.#listener = undefined;
  }

  /** Runs in hand right now. */
  get running(): number {
    return this.#active.size;
  }

  // --- the claim loop ---------------------------------------------------------------------------

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const free = this.#o.concurrency - this.#active.size;
      let claimed = 0;
      // Due schedules are queued here too, looked at most every 200 ms (ticks are whole seconds).
      if (performance.now() - this.#schedulesAt >= 200) {
        this.#schedulesAt = performance.now();
        try {
          await this.#o.queue.fireDueSchedules(Object.keys(this.#o.workflows));
        } catch (error) {
          this.#o.onError?.(error);
        }
      }
      if (free > 0) {
        try {
          const rows = await this.#claim(free);
          claimed = rows.length;
          failures = 0;
          for (const row of rows) this.#execute(row);
        } catch (error) {
          failures++;
          this.#o.onError?.(error);
        }
      }
      // A full batch may mean more is waiting: look again at once.
      if (claimed > 0 && claimed === free) continue;
      await this.#sleep(failures > 0 ? Math.min(5000, 100 * 2 ** failures) : this.#o.pollMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  #wakeUp(): void {
    if (this.#wake) this.#wake();
    else this.#woken = true;
  }

  async #claim(n: number): Promise<Claimed[]> {
    const db = this.#o.queue.db;
    const workflows = Object.keys(this.#o.workflows);
    const ready = `workflow = ANY($1::text[]) AND (
        (status = 'queued' AND run_at <= clock_timestamp())
        OR (status = 'running' AND lease_until < clock_timestamp()))`;
    const take = (pick: string) => `
      UPDATE keel_queue q SET status = 'running', lease_owner = $2, updated_at = clock_timestamp(),
        lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000),
        fence = q.fence + 1, attempts = q.attempts + 1
      FROM (${pick}) c WHERE q.id = c.id
      RETURNING q.id, q.workflow, q.tenant, q.thread, q.input, q.base_checkpoint, q.resume_value,
        q.fence::text AS fence, q.cancel_requested, q.key_id, q.client_thread, c.status AS was, q.attempts`;
    const limits = this.#o.limits;
    if (!limits?.perTenant && !limits?.workflows) {
      const { rows } = await db.query<Claimed>(
        take(
          `SELECT id, status FROM keel_queue WHERE ${ready} ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED`,
        ),
        [workflows, this.id, this.#o.leaseMs, n],
      );
      return this.#count(rows);
    }
    // With limits, claims are serialized so that two workers cannot both take the last free slot.
    return db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('keel_queue_claim'))");
      const { rows: busy } = await tx.query<{ workflow: string; tenant: string; n: number }>(
        `SELECT workflow, tenant, count(*)::int AS n FROM keel_queue
         WHERE status = 'running' AND lease_until >= clock_timestamp() GROUP BY workflow, tenant`,
      );
      const perWorkflow = new Map<string, number>();
      const perTenant = new Map<string, number>();
      for (const b of busy) {
        perWorkflow.set(b.workflow, (perWorkflow.get(b.workflow) ?? 0) + b.n);
        perTenant.set(b.tenant, (perTenant.get(b.tenant) ?? 0) + b.n);
      }
      // Workflows and tenants at their cap are left out in SQL: however many of their runs wait,
      // they cannot fill the candidates and starve the others.
      const cappedWorkflows = Object.entries(limits.workflows ?? {})
        .filter(([w, cap]) => (perWorkflow.get(w) ?? 0) >= cap)
        .map(([w]) => w);
      const cappedTenants =
        limits.perTenant === undefined
          ? []
          : [...perTenant].filter(([, count]) => count >= (limits.perTenant as number)).map(([t]) => t);
      const { rows: candidates } = await tx.query<{ id: string; workflow: string; tenant: string }>(
        `SELECT id, workflow, tenant FROM keel_queue
         WHERE ${ready} AND NOT (workflow = ANY($3::text[])) AND NOT (tenant = ANY($4::text[]))
         ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [workflows, Math.max(100, n * 10), cappedWorkflows, cappedTenants],
      );
      const picked: string[] = [];
      for (const c of candidates) {
        if (picked.length === n) break;
        const wfCap = limits.workflows?.[c.workflow] ?? Number.POSITIVE_INFINITY;
        const tenantCap = limits.perTenant ?? Number.POSITIVE_INFINITY;
        if ((perWorkflow.get(c.workflow) ?? 0) >= wfCap || (perTenant.get(c.tenant) ?? 0) >= tenantCap)
          continue;
        perWorkflow.set(c.workflow, (perWorkflow.get(c.workflow) ?? 0) + 1);
        perTenant.set(c.tenant, (perTenant.get(c.tenant) ?? 0) + 1);
        picked.push(c.id);
      }
      if (picked.length === 0) return [];
      const { rows } = await tx.query<Claimed>(
        take("SELECT id, status FROM keel_queue WHERE id = ANY($4::text[]) AND workflow = ANY($1::text[])"),
        [workflows, this.id, this.#o.leaseMs, picked],
      );
      return this.#count(rows);
    });
  }

  #count(rows: Claimed[]): Claimed[] {
    this.stats.claimed += rows.length;
    this.stats.recovered += rows.filter((r) => r.was === "running").length;
    return rows;
  }

  // --- leases -----------------------------------------------------------------------------------

  async #beat(): Promise<void> {
    if (this.#active.size === 0) return;
    const held = [...this.#active.values()].filter((a) => !a.stop);
    if (held.length === 0) return;
    try {
      const { rows } = await this.#o.queue.db.query<{ id: string; cancel_requested: boolean }>(
        `UPDATE keel_queue q SET lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
         FROM unnest($1::text[], $2::bigint[]) AS h(id, fence)
         WHERE q.id = h.id AND q.fence = h.fence AND q.status = 'running'
         RETURNING q.id, q.cancel_requested`,
        [held.map((a) => a.claim.id), held.map((a) => a.claim.fence), this.#o.leaseMs],
      );
      const kept = new Map(rows.map((r) => [r.id, r.cancel_requested]));
      for (const a of held) {
        if (!kept.has(a.claim.id)) this.#abort(a, "lost");
        else if (kept.get(a.claim.id)) this.#abort(a, "cancel");
      }
    } catch (error) {
      // The database is unreachable: runs go on; if it stays away past the lease, others take over.
      this.#o.onError?.(error);
    }
  }

  #abort(a: Active, reason: StopReason): void {
    if (a.stop) return;
    a.stop = reason;
    a.abort.abort(
      reason === "cancel"
        ? new KeelError("RUN_CANCELLED", "The run was cancelled.")
        : new KeelError(
            "LEASE_LOST",
            reason === "lost" ? "Another worker took this run over." : "The worker is stopping.",
          ),
    );
  }

  /** Opens the LISTEN connection; start() fails if it cannot, later losses are retried (#relisten). */
  async #listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#o.queue.db.url,
      application_name: `keel-worker ${this.id}`,
    });
    client.on("notification", (n) => {
      if (n.channel === CHANNEL_READY) this.#wakeUp();
      else if (n.channel === CHANNEL_CANCEL && n.payload) {
        const a = this.#active.get(n.payload);
        if (a) this.#abort(a, "cancel");
      }
    });
    client.on("error", (error) => {
      this.#o.onError?.(error);
      if (this.#listener !== client) return;
      this.#listener = undefined;
      void client.end().catch(() => undefined);
      this.#relisten(1);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL_READY}; LISTEN ${CHANNEL_CANCEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listener = client;
  }

  /**
   * Opens the LISTEN connection again after it was lost, backing off up to 5 s, until it is back
   * or the worker stops. Meanwhile the loop polls and heartbeats see cancellations; once back, the
   * loop looks at the queue at once (a notification may have been missed).
   */
  #relisten(attempt: number): void {
    if (this.#stopping) return;
    this.#relistenTimer = setTimeout(
      async () => {
        this.#relistenTimer = undefined;
        if (this.#stopping) return;
        try {
          await this.#listen();
          this.#wakeUp();
        } catch (error) {
          this.#o.onError?.(error);
          this.#relisten(attempt + 1);
        }
      },
      Math.min(5000, 250 * 2 ** attempt),
    );
  }

  // --- executing a run --------------------------------------------------------------------------

  #execute(claim: Claimed): void {
    const active: Active = { claim, abort: new AbortController(), done: Promise.resolve() };
    this.#active.set(claim.id, active);
    active.done = this.#invoke(active)
      .catch(async (error) => {
        // Before the graph started (the database away, a key lookup failing): hand it back now
        // rather than leaving it "running" until its lease expires.
        this.#o.onError?.(error);
        await this.#release(active);
      })
      .finally(() => {
        this.#active.delete(claim.id);
        this.#wakeUp();
      });
  }

  async #invoke(a: Active): Promise<void> {
    const { claim } = a;
    if (claim.cancel_requested) {
      // Cancelled while its previous worker had it, and that worker died: end it here.
      await this.#finish(a, {
        status: "cancelled",
        error: { code: "RUN_CANCELLED", message: "The run was cancelled." },
        events: new EventWriter(this.#o.queue, claim, a),
      });
      return;
    }
    const graph = this.#o.workflows[claim.workflow] as CompiledGraph<Record<string, unknown>>;
    const checkpointer = graph.settings.checkpointer as Checkpointer;
    let kind: RunInfo["kind"];
    if (claim.resume_value !== null) {
      // A resume not yet recorded leaves the thread where the run paused (its head then).
      const head = (await checkpointer.chain(claim.thread, ""))?.at(-1)?.id ?? null;
      kind = head === claim.base_checkpoint ? "resume" : "continue";
    } else {
      // The input's checkpoint carries the run's id (the graph runs with runId = the run's id): a
      // first claim has not applied it; a later one looks for it, whatever other runs did to the thread.
      kind =
        claim.attempts > 1 && (await inputApplied(checkpointer, claim.thread, claim.id))
          ? "continue"
          : "start";
    }
    const info: RunInfo = {
      id: claim.id,
      workflow: claim.workflow,
      tenant: claim.tenant,
      thread: claim.thread,
      clientThread: claim.client_thread ?? claim.thread,
      keyId: claim.key_id,
      kind,
    };
    const execute = () => this.#runGraph(a, graph, checkpointer, info, claim);
    await (this.#o.scope ? this.#o.scope(info, execute) : execute());
  }

  async #runGraph(
    a: Active,
    graph: CompiledGraph<Record<string, unknown>>,
    checkpointer: Checkpointer,
    info: RunInfo,
    claim: Claimed,
  ): Promise<void> {
    const options = { thread: claim.thread, signal: a.abort.signal, runId: claim.id };
    let stream: AsyncIterable<Event> =
      info.kind === "resume"
        ? graph.stream(null, { ...options, resume: JSON.parse(claim.resume_value as string) as unknown })
        : graph.stream(
            info.kind === "start" ? (JSON.parse(claim.input) as Record<string, unknown>) : null,
            options,
          );
    if (this.#o.wrapEvents) stream = this.#o.wrapEvents(info, stream);

    const events = new EventWriter(this.#o.queue, claim, a);
    const run = { id: claim.id, workflow: claim.workflow, thread: info.clientThread };
    const rename = { from: claim.thread, to: info.clientThread };
    const seen: Followed = { end: undefined, interrupts: [] };
    try {
      await followRun(stream, run, seen, (e) => events.push(e));
      const { end, interrupts } = seen;
      const interrupted = end?.status === "interrupted";
      await this.#finish(a, {
        status: interrupted ? "interrupted" : "completed",
        output: end?.state ?? null,
        interrupts: interrupted ? interrupts : [],
        head: interrupted ? ((await checkpointer.chain(claim.thread, ""))?.at(-1)?.id ?? null) : null,
        step: end?.step ?? null,
        events,
      });
    } catch (error) {
      if (a.stop === "lost" || a.stop === "shutdown") {
        events.discard();
        if (a.stop === "lost") this.stats.lost++;
        else await this.#release(a);
        return;
      }
      if (handBack(error)) {
        // Another worker moved the thread (so this one's lease is gone), or the database went away
        // mid-run: nothing is recorded here; the run continues from its last checkpoint elsewhere.
        events.discard();
        this.stats.lost++;
        await this.#release(a);
        return;
      }
      const info = errorInfo(error, rename);
      await this.#finish(a, {
        status: a.stop === "cancel" || info.code === "RUN_CANCELLED" ? "cancelled" : "failed",
        error: a.stop === "cancel" ? { code: "RUN_CANCELLED", message: "The run was cancelled." } : info,
        output: seen.end?.state ?? null,
        step: seen.end?.step ?? null,
        events,
      });
    }
  }

  /** Records how the run ended, with its last events, if this worker still holds it. */
  async #finish(
    a: Active,
    outcome: {
      status: "completed" | "failed" | "cancelled" | "interrupted";
      output?: unknown;
      error?: { code: string; message: string };
      interrupts?: unknown[];
      head?: string | null;
      step?: number | null;
      events?: EventWriter;
    },
  ): Promise<void> {
    const { claim } = a;
    // A batch still being written takes the run's row FOR SHARE: let it finish before the
    // transaction below locks that row, or each would wait for the other.
    await outcome.events?.drain();
    const recorded = await this.#o.queue.db
      .transaction(async (tx) => {
        const { rows } = await tx.query<{ cancel_requested: boolean }>(
          "SELECT cancel_requested FROM keel_queue WHERE id = $1 AND fence = $2 AND status = 'running' FOR UPDATE",
          [claim.id, claim.fence],
        );
        if (!rows[0]) throw new LostRun();
        // A cancellation that arrived while the run was pausing wins: it must not wait for a resume.
        if (outcome.status === "interrupted" && rows[0].cancel_requested) {
          outcome = {
            ...outcome,
            status: "cancelled",
            interrupts: [],
            head: null,
            error: { code: "RUN_CANCELLED", message: "The run was cancelled." },
          };
        }
        // The run's last event says how it ended (the SSE stream of the runs API ends with it).
        outcome.events?.push(
          endEvent({
            status: outcome.status,
            state: outcome.output ?? null,
            interrupts: (outcome.interrupts ?? []) as ReturnType<typeof interruptsOf>,
            error: outcome.error ?? null,
            step: outcome.step ?? null,
          }),
        );
        await outcome.events?.flush(tx);
        const { rowCount } = await tx.query(
          `UPDATE keel_queue SET status = $3, output = $4, error = $5, interrupts = $6, updated_at = clock_timestamp(),
           base_checkpoint = CASE WHEN $3 = 'interrupted' THEN $7 ELSE base_checkpoint END,
           resume_value = NULL, lease_owner = lease_owner, lease_until = NULL,
           ended_at = CASE WHEN $3 = 'interrupted' THEN NULL ELSE clock_timestamp() END
         WHERE id = $1 AND fence = $2 AND status = 'running'`,
          [
            claim.id,
            claim.fence,
            outcome.status,
            outcome.output === undefined ? null : toJsonText(outcome.output),
            outcome.error ? JSON.stringify(outcome.error) : null,
            outcome.interrupts?.length ? toJsonText(outcome.interrupts) : null,
            outcome.head ?? null,
          ],
        );
        if (rowCount !== 1) throw new LostRun();
        await tx.query(`SELECT pg_notify('${CHANNEL_EVENTS}', $1)`, [claim.id]);
        return true;
      })
      .catch((error) => {
        if (error instanceof LostRun) return false;
        throw error;
      });
    if (!recorded) {
      this.stats.lost++;
      return;
    }
    this.stats[outcome.status]++;
  }

  /** Hands a run back to the queue at once (its lease would expire anyway) for another worker. */
  async #release(a: Active): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#o.queue.db.query(
          `WITH released AS (
             UPDATE keel_queue SET status = 'queued', lease_until = NULL, run_at = clock_timestamp(), updated_at = clock_timestamp()
             WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING workflow)
           SELECT pg_notify('${CHANNEL_READY}', workflow) FROM released`,
          [a.claim.id, a.claim.fence],
        );
        return;
      } catch (error) {
        this.#o.onError?.(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

class LostRun extends Error {}

/** Whether the thread holds the checkpoint of run `runId`'s input (a graph run with that runId). */
async function inputApplied(checkpointer: Checkpointer, thread: string, runId: string): Promise<boolean> {
  for (const record of await checkpointer.list(thread, "")) {
    // Cheap test first: most checkpoints are other runs' steps.
    if (!record.meta.includes(runId)) continue;
    const meta = deserialize(record.meta) as { source?: string; runId?: string };
    if (meta.source === "input" && meta.runId === runId) return true;
  }
  return false;
}

/**
 * Whether a run failed because of the infrastructure rather than its own code: the database went
 * away or stayed busy (a node's error wraps it: the causes are searched), or another worker moved
 * the thread. Such a run is handed back, never recorded as failed.
 */
function handBack(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "THREAD_CONFLICT" || code === "STORE_UNAVAILABLE" || code === "STORE_BUSY") return true;
  }
  return false;
}

/**
 * A run's events, written in batches (every 25 ms, and with the run's outcome), each followed by a
 * NOTIFY so that servers following the run wake up. Numbers are given by the database, after the
 * last stored event, and only while this worker's claim holds (the run's row is locked FOR SHARE
 * for the insert): a worker that lost the run writes nothing more, and the one that took it over
 * numbers after everything written before.
 */
class EventWriter {
  #pending: Array<{ type: string; data: string }> = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly queue: RunQueue,
    private readonly claim: Claimed,
    private readonly active: Active,
  ) {}

  push(event: { type: string } & Record<string, unknown>): void {
    this.#pending.push({ type: event.type, data: toJsonText(event) });
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      // A failed batch stays pending: the next batch, or the outcome's flush, writes it again.
      this.#writing = this.#writing.then(() => this.#write(this.queue.db, true)).catch(() => undefined);
    }, EVENT_FLUSH_MS);
  }

  /** Writes what is pending inside the caller's transaction. */
  async flush(tx: Parameters<Parameters<RunQueue["db"]["transaction"]>[0]>[0]): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    await this.#write(tx, false);
  }

  /** Waits for the batch being written (if any); what is pending stays for `flush`. */
  async drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
  }

  discard(): void {
    clearTimeout(this.#timer);
    this.#pending = [];
  }

  async #write(q: { query: RunQueue["db"]["query"] }, notify: boolean): Promise<void> {
    if (this.#pending.length === 0 || this.active.stop === "lost") return;
    const batch = this.#pending;
    this.#pending = [];
    try {
      await q.query(
        `WITH owner AS (
           SELECT 1 FROM keel_queue WHERE id = $1 AND fence = $4 AND status = 'running' FOR SHARE),
         last AS (SELECT coalesce(max(seq), 0) AS seq FROM keel_queue_events WHERE run_id = $1),
         added AS (
           INSERT INTO keel_queue_events (run_id, seq, type, data)
           SELECT $1, last.seq + e.n, e.t, e.d
           FROM owner, last, unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(t, d, n)
           RETURNING 1)
         SELECT CASE WHEN $5::boolean AND count(*) > 0 THEN pg_notify('${CHANNEL_EVENTS}', $1) END FROM added`,
        [this.claim.id, batch.map((e) => e.type), batch.map((e) => e.data), this.claim.fence, notify],
      );
    } catch (error) {
      this.#pending = [...batch, ...this.#pending];
      throw error;
    }
  }
}
