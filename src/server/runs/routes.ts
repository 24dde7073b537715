/**
 * The runs API: start a configured workflow, read it, stream its events, resume it after an
 * interrupt, cancel it, and read a thread's checkpoint history. Every route acts within the key's
 * tenant; another tenant's run or thread is a 404 like a missing one.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { SqliteDatabase } from "../../db/index.js";
import type { Checkpointer } from "../../graph/index.js";
import { RequestError } from "../http-errors.js";
import { type RouteBook, route } from "../routes.js";
import type { Runtime } from "../runtime.js";
import type { RunRoutesOptions, Runs } from "../store-backends.js";
import type { ServerEnv } from "../types.js";
import { runEventStream } from "./event-stream.js";
import { RunNotifier } from "./notifier.js";
import { RunService } from "./service.js";
import { type RunRecord, RunStore } from "./store.js";
import { toJson } from "./wire.js";
import { type LoadedWorkflow, loadWorkflow, openRunCheckpointer, workflowDeps } from "./workflows.js";

const ThreadId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, "1 to 200 letters, digits, '.', '_', ':' or '-'");

const StartRun = z
  .object({
    workflow: z.string().min(1).describe("A workflow of the server's configuration"),
    input: z
      .unknown()
      .optional()
      .describe("The run's input, checked against the workflow's input schema (none: an empty object)"),
    thread: ThreadId.optional().describe(
      "Runs on one thread share its state (the default is a new thread named like the run)",
    ),
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(366 * 24 * 3_600_000)
      .optional()
      .describe(
        "PostgreSQL store: start the run this many milliseconds from now (it stays queued until then)",
      ),
    runAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("PostgreSQL store: start the run at this time (ISO 8601, e.g. 2026-12-24T09:00:00Z)"),
  })
  .strict()
  .refine((b) => b.delayMs === undefined || b.runAt === undefined, {
    message: "give delayMs or runAt, not both",
    path: ["runAt"],
  })
  .meta({ id: "StartRun" });

const Interrupt = z.object({
  id: z.string().describe("Answer several pending interrupts with { [id]: value }"),
  node: z.string(),
  value: z.unknown().describe("What the node asked"),
});

const RunView = z
  .object({
    id: z.string(),
    workflow: z.string(),
    thread: z.string(),
    status: z.enum(["queued", "running", "interrupted", "completed", "failed", "cancelled"]),
    input: z.unknown(),
    output: z.unknown().describe("The state where the run stopped (its final state once completed)"),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    interrupts: z.array(Interrupt).describe("What the run waits for while interrupted"),
    createdAt: z.number().describe("Milliseconds since the epoch"),
    updatedAt: z.number(),
    endedAt: z.number().nullable().describe("When it completed, failed or was cancelled"),
  })
  .meta({ id: "Run" });

const ResumeRun = z
  .object({ value: z.unknown().describe("The answer: what the node's ctx.interrupt() returns") })
  .strict()
  .meta({ id: "ResumeRun" });

const EventsQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Send the events after this id (the Last-Event-ID header does the same and wins)"),
});

const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("At most this many, newest first"),
});

const Checkpoint = z.object({
  checkpointId: z.string(),
  parentId: z.string().nullable(),
  step: z.number(),
  values: z.unknown(),
  next: z.array(z.string()).describe("Nodes that run next; empty at the thread's end"),
  interrupts: z.array(Interrupt),
  createdAt: z.number(),
  source: z.enum(["input", "step", "fork"]),
});

const History = z
  .object({ thread: z.string(), workflow: z.string(), data: z.array(Checkpoint) })
  .meta({ id: "ThreadHistory" });

const ERRORS = {
  401: "missing, unknown or revoked API key",
  403: "the key's role is not app or admin",
  404: "no such run or thread in the key's tenant (NOT_FOUND), or no such workflow (UNKNOWN_WORKFLOW)",
};

const view = (r: RunRecord) => ({
  id: r.id,
  workflow: r.workflow,
  thread: r.thread,
  status: r.status,
  input: r.input,
  output: r.output,
  error: r.error,
  interrupts: r.interrupts,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  endedAt: r.endedAt,
});

/** The runs API as a route group; `options.worker: false` leaves execution to `keel worker`. */
export function runRoutes(options: RunRoutesOptions = {}) {
  return (app: Hono<ServerEnv>, rt: Runtime, book: RouteBook) => addRunRoutes(app, rt, book, options);
}

export type { RunRoutesOptions };

export function addRunRoutes(
  app: Hono<ServerEnv>,
  rt: Runtime,
  book: RouteBook,
  options: RunRoutesOptions = {},
): void {
  const postgres = rt.store.kind === "postgres";
  // On PostgreSQL the backend owns the checkpointer (shared with workers); on SQLite runs have their own.
  const checkpointer = postgres ? (rt.store.checkpointer as Checkpointer) : openRunCheckpointer(rt);
  const deps = workflowDeps(rt, checkpointer);
  const workflows = new Map<string, LoadedWorkflow>();
  try {
    for (const name of Object.keys(rt.config.workflows ?? {}))
      workflows.set(name, loadWorkflow(rt, name, deps));
  } catch (error) {
    if (!postgres) void checkpointer.close();
    throw error;
  }
  let service: Runs;
  if (postgres) {
    service = (rt.store.openRuns as NonNullable<typeof rt.store.openRuns>)(rt, workflows, options);
  } else {
    const store = new RunStore(rt.db as SqliteDatabase, rt.now);
    const notifier = new RunNotifier();
    const local = new RunService({ rt, store, notifier, workflows, checkpointer });
    local.recover();
    service = {
      workflow: (name) => local.workflow(name),
      get: (tenant, id) => local.get(tenant, id),
      start: (key, workflow, input, thread, when) => {
        if (when) {
          throw new RequestError(
            "INVALID_REQUEST",
            "Delayed and scheduled runs need the PostgreSQL store (KEEL_DB=postgres://...); on this store a run starts at once.",
            "delayMs" in when ? "delayMs" : "runAt",
          );
        }
        return local.start(key, workflow, input, thread);
      },
      resume: (key, id, value) => local.resume(key, id, value),
      cancel: (key, id) => local.cancel(key, id),
      history: (tenant, thread, limit) => local.history(tenant, thread, limit),
      events: (runId, after, signal) => runEventStream({ runId, after, store, notifier, signal }),
      shutdown: () => local.shutdown(),
    };
  }
  // Runs must stop before the store closes. The runtime has no close hook, so its close is wrapped.
  const closeRuntime = rt.close;
  rt.close = async () => {
    await service.shutdown();
    await closeRuntime();
  };

  const roles = ["app", "admin"] as const;
  const id = (c: Context<ServerEnv>) => c.req.param("id") ?? "";

  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/runs",
      summary: "Start a workflow run; it executes in the background",
      description:
        "Answers 201 with the run at once. Follow it with GET /runs/{id}/events (Server-Sent Events) or GET /runs/{id}.",
      tag: "runs",
      roles,
      body: StartRun,
      response: RunView,
      status: 201,
      errors: {
        ...ERRORS,
        400: "invalid body or input (error.param names the field)",
        409: "the thread has a run that is running or interrupted, or belongs to another workflow",
      },
    },
    async (c, { body }) => {
      const key = c.get("key");
      const when =
        body.delayMs !== undefined
          ? { delayMs: body.delayMs }
          : body.runAt !== undefined
            ? { runAt: Date.parse(body.runAt) }
            : undefined;
      const run = await service.start(key, service.workflow(body.workflow), body.input, body.thread, when);
      c.header("location", `/runs/${run.id}`);
      return c.json(view(run), 201);
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/runs/:id",
      summary: "A run: status, input, output, error, pending interrupts",
      tag: "runs",
      roles,
      response: RunView,
      errors: ERRORS,
    },
    async (c) => c.json(view(await service.get(c.get("key").tenant, id(c)))),
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/runs/:id/events",
      summary: "The run's events as Server-Sent Events, resumable with Last-Event-ID",
      description:
        "Each event has an id (its number in the run) and a type: run-start, step-start, node-start, node-end, custom, interrupt, and run-end (status completed, interrupted, failed or cancelled, with the state and the error or the pending interrupts). Stored events after Last-Event-ID (or ?after=) come first, then live ones; the stream ends after run-end.",
      tag: "runs",
      roles,
      query: EventsQuery,
      events: true,
      errors: { ...ERRORS, 400: "Last-Event-ID is not an event id" },
    },
    async (c, { query }) => {
      const run = await service.get(c.get("key").tenant, id(c));
      const header = c.req.header("last-event-id");
      if (header !== undefined && !/^\d{1,15}$/.test(header.trim())) {
        throw new RequestError(
          "INVALID_REQUEST",
          `Last-Event-ID must be the id of an event of this run (a whole number), got "${header.slice(0, 40)}".`,
          "Last-Event-ID",
        );
      }
      const after = header !== undefined ? Number(header.trim()) : (query.after ?? 0);
      const body = service.events(run.id, after, c.req.raw.signal);
      c.header("content-type", "text/event-stream; charset=utf-8");
      c.header("cache-control", "no-cache");
      c.header("x-accel-buffering", "no");
      return c.body(body);
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/runs/:id/resume",
      summary: "Resume an interrupted run with the answer to its interrupt",
      tag: "runs",
      roles,
      body: ResumeRun,
      response: RunView,
      errors: {
        ...ERRORS,
        400: "several interrupts are pending and value is not an object keyed by their ids",
        409: "the run is not interrupted",
      },
    },
    async (c, { body }) => c.json(view(await service.resume(c.get("key"), id(c), body.value))),
  );

  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/runs/:id/cancel",
      summary: "Cancel a running or interrupted run; answers once it has stopped",
      tag: "runs",
      roles,
      response: RunView,
      errors: { ...ERRORS, 409: "the run has already completed, failed or been cancelled" },
    },
    async (c) => c.json(view(await service.cancel(c.get("key"), id(c)))),
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/threads/:id/history",
      summary: "A thread's checkpoints, newest first",
      tag: "runs",
      roles,
      query: HistoryQuery,
      response: History,
      errors: ERRORS,
    },
    async (c, { query }) => {
      const thread = id(c);
      const { workflow, snapshots } = await service.history(c.get("key").tenant, thread, query.limit);
      return c.json({
        thread,
        workflow,
        data: snapshots.map((s) => ({
          checkpointId: s.checkpointId,
          parentId: s.parentId,
          step: s.step,
          values: toJson(s.values),
          next: s.next,
          interrupts: s.interrupts.map((i) => ({ id: i.id, node: i.node, value: toJson(i.payload) })),
          createdAt: s.createdAt,
          source: s.source,
        })),
      });
    },
  );
}
