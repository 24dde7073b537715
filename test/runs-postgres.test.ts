/**
 * The runs API on a PostgreSQL store, across processes: two `keel serve --no-worker` servers and
 * `keel worker` processes of the built CLI. A run started on one server executes on a worker, its
 * events stream from the other server, it is resumed and cancelled from either, and a worker killed
 * mid-run has its run finished by another.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createParser } from "eventsource-parser";
import { afterEach, describe, expect, it } from "vitest";
import { openPostgres } from "../src/db/postgres.js";
import { usePostgresSchemas } from "../src/testkit/postgres.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");
const tempDir = useTempDirs("keel-runs-pg-");
const schema = usePostgresSchemas();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

type Env = Record<string, string>;

/** Starts a keel command and resolves once its stdout matches `ready` (with the match). */
function start(
  args: string[],
  cwd: string,
  env: Env,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.once("exit", (code) => reject(new Error(`keel ${args[0]} exited with ${code}: ${err}`)));
  });
}

async function cluster(options: { schedules?: boolean } = {}) {
  expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
  const dir = tempDir();
  const src = (p: string) => JSON.stringify(path.join(root, p));
  const gateFile = path.join(dir, "open");
  fs.writeFileSync(
    path.join(dir, "keel.config.mjs"),
    `import fs from "node:fs";
import { z } from ${src("node_modules/zod/index.js")};
import { END, START, graph } from ${src("dist/graph/index.js")};

const Ticket = z.object({ text: z.string(), steps: z.array(z.string()).default([]), approved: z.boolean().default(false) });
const until = async (signal, ready) => { while (!ready()) { signal.throwIfAborted(); await new Promise((r) => setTimeout(r, 20)); } };
export default {
  workflows: {
    triage: {
      input: z.object({ text: z.string().min(1) }),
      concurrency: 1,
      graph: (deps) => graph({ state: Ticket, reducers: { steps: "append" } })
        .node("read", (t, ctx) => { ctx.emit({ reading: t.text }); return { steps: ["read"] }; })
        .node("wait", async (_t, ctx) => { await until(ctx.signal, () => fs.existsSync(${JSON.stringify(gateFile)})); return { steps: ["waited"] }; })
        .node("done", () => ({ steps: ["done"] }))
        .edge(START, "read").edge("read", "wait").edge("wait", "done").edge("done", END)
        .compile({ checkpointer: deps.checkpointer }),
    },
    ping: {
      graph: (deps) => graph({ state: z.object({ pinged: z.boolean().default(false) }) })
        .node("ping", () => ({ pinged: true })).edge(START, "ping").edge("ping", END)
        .compile({ checkpointer: deps.checkpointer }),
    },
    approve: {
      graph: (deps) => graph({ state: Ticket })
        .node("ask", async (t, ctx) => ({ approved: await ctx.interrupt({ question: "Refund " + t.text + "?" }) }))
        .edge(START, "ask").edge("ask", END)
        .compile({ checkpointer: deps.checkpointer }),
    },
  },
  ${options.schedules ? 'schedules: { heartbeat: { cron: "* * * * * *", workflow: "ping", tenant: "acme" } },' : ""}
};`,
  );
  const env: Env = { KEEL_DB: await schema() };
  const keys = (tenant: string) =>
    JSON.parse(
      spawnSync(process.execPath, [bin, "keys", "create", "--tenant", tenant, "--json"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, ...env },
      }).stdout,
    ).key as string;
  const servers = await Promise.all(
    [0, 1].map(
      async () =>
        (await start(["serve", "--port", "0", "--no-worker"], dir, env, /serving on (http:\/\/\S+)/))
          .match[1] as string,
    ),
  );
  const worker = () => start(["worker", "--lease-ms", "1000"], dir, env, /keel worker (\S+): running/);
  return {
    dir,
    env,
    gate: () => fs.writeFileSync(gateFile, ""),
    keys,
    servers,
    worker,
    url: env.KEEL_DB as string,
  };
}

async function call(url: string, key: string, method: string, route: string, body?: unknown) {
  const res = await fetch(url + route, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The run's SSE stream from `url`, parsed, until the server ends it. */
async function events(url: string, key: string, runId: string, lastEventId?: number) {
  const res = await fetch(`${url}/runs/${runId}/events`, {
    headers: {
      authorization: `Bearer ${key}`,
      ...(lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }),
    },
  });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const out: Array<{ id: number; event: string; data: any }> = [];
  const parser = createParser({
    onEvent: (e) => out.push({ id: Number(e.id), event: e.event ?? "message", data: JSON.parse(e.data) }),
  });
  for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) parser.feed(chunk);
  return out;
}

describe("runs API on PostgreSQL across processes", () => {
  it("a run started on one server executes on a worker and streams its events from the other", async () => {
    const c = await cluster();
    const key = c.keys("acme");
    const [a, b] = c.servers as [string, string];
    const started = await call(a, key, "POST", "/runs", {
      workflow: "triage",
      input: { text: "refund" },
      thread: "t-1",
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: "queued", workflow: "triage", thread: "t-1" });
    // No worker yet: the run waits in the queue, visible from the other server.
    expect((await call(b, key, "GET", `/runs/${started.body.id}`)).body.status).toBe("queued");
    await c.worker();
    const streaming = events(b, key, started.body.id);
    await until(
      () => call(b, key, "GET", `/runs/${started.body.id}`),
      (r) => r.body.status === "running",
    );
    c.gate();
    const seen = await streaming;
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.at(0)).toMatchObject({ event: "run-start", data: { thread: "t-1", workflow: "triage" } });
    expect(seen.filter((e) => e.event === "node-end").map((e) => e.data.node)).toEqual([
      "read",
      "wait",
      "done",
    ]);
    expect(seen.at(-1)).toMatchObject({
      event: "run-end",
      data: { status: "completed", state: { steps: ["read", "waited", "done"] } },
    });
    const done = await call(a, key, "GET", `/runs/${started.body.id}`);
    expect(done.body).toMatchObject({ status: "completed", output: { steps: ["read", "waited", "done"] } });
    // Reconnecting with Last-Event-ID gives only what came after it.
    expect((await events(a, key, started.body.id, 2)).map((e) => e.id)).toEqual(
      seen.slice(2).map((e) => e.id),
    );
    // The thread's checkpoints, and another tenant sees none of it.
    const history = await call(b, key, "GET", "/threads/t-1/history");
    expect(history.body).toMatchObject({ thread: "t-1", workflow: "triage" });
    expect(history.body.data.length).toBeGreaterThan(2);
    const other = c.keys("globex");
    expect((await call(a, other, "GET", `/runs/${started.body.id}`)).status).toBe(404);
  }, 90_000);

  it("resumes from either server, cancels across processes, and refuses a second run on a busy thread", async () => {
    const c = await cluster();
    const key = c.keys("acme");
    const [a, b] = c.servers as [string, string];
    await c.worker();
    const asked = (await call(a, key, "POST", "/runs", { workflow: "approve", input: { text: "#42" } })).body;
    const paused = await until(
      () => call(b, key, "GET", `/runs/${asked.id}`),
      (r) => r.body.status === "interrupted",
    );
    expect(paused.body.interrupts).toMatchObject([{ value: { question: "Refund #42?" } }]);
    const resumed = await call(b, key, "POST", `/runs/${asked.id}/resume`, { value: true });
    expect(resumed.status).toBe(200);
    const finished = await until(
      () => call(a, key, "GET", `/runs/${asked.id}`),
      (r) => r.body.status === "completed",
    );
    expect(finished.body.output).toMatchObject({ approved: true });
    expect((await call(a, key, "POST", `/runs/${asked.id}/resume`, { value: true })).status).toBe(409);

    const slow = (
      await call(a, key, "POST", "/runs", { workflow: "triage", input: { text: "x" }, thread: "busy" })
    ).body;
    await until(
      () => call(a, key, "GET", `/runs/${slow.id}`),
      (r) => r.body.status === "running",
    );
    const second = await call(b, key, "POST", "/runs", {
      workflow: "triage",
      input: { text: "y" },
      thread: "busy",
    });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/has run .* which is running/);
    // Cancelled on the other server; the worker (a third process) stops it through NOTIFY.
    const cancelled = await call(b, key, "POST", `/runs/${slow.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", error: { code: "RUN_CANCELLED" } });
    expect((await call(a, key, "POST", `/runs/${slow.id}/cancel`)).status).toBe(409);
  }, 90_000);

  it("a worker killed mid-run loses its lease; another worker finishes the run from its checkpoint", async () => {
    const c = await cluster();
    const key = c.keys("acme");
    const [a] = c.servers as [string, string];
    const first = await c.worker();
    const run = (await call(a, key, "POST", "/runs", { workflow: "triage", input: { text: "crash" } })).body;
    await until(
      () => call(a, key, "GET", `/runs/${run.id}`),
      (r) => r.body.status === "running",
    );
    first.child.kill("SIGKILL");
    c.gate();
    await c.worker();
    const done = await until(
      () => call(a, key, "GET", `/runs/${run.id}`),
      (r) => r.body.status === "completed",
    );
    expect(done.body).toMatchObject({ status: "completed", output: { steps: ["read", "waited", "done"] } });
    // "read" finished before the crash: the second worker continued after its checkpoint.
    const ends = (await events(a, key, run.id)).filter((e) => e.event === "node-end").map((e) => e.data.node);
    expect(ends).toEqual(["read", "wait", "done"]);
  }, 90_000);

  it("holds a workflow's concurrency from the configuration across workers", async () => {
    const c = await cluster();
    const key = c.keys("acme");
    const [a] = c.servers as [string, string];
    await Promise.all([c.worker(), c.worker()]);
    const first = (await call(a, key, "POST", "/runs", { workflow: "triage", input: { text: "one" } })).body;
    const second = (await call(a, key, "POST", "/runs", { workflow: "triage", input: { text: "two" } })).body;
    await until(
      () => call(a, key, "GET", `/runs/${first.id}`),
      (r) => r.body.status === "running",
    );
    // triage allows one run at a time: the second waits in the queue although a worker is idle.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call(a, key, "GET", `/runs/${second.id}`)).body.status).toBe("queued");
    c.gate();
    for (const run of [first, second]) {
      const done = await until(
        () => call(a, key, "GET", `/runs/${run.id}`),
        (r) => r.body.status === "completed",
      );
      expect(done.body.status).toBe("completed");
    }
  }, 90_000);

  it("delays a run from the API, and queues the configuration's schedules once per tick", async () => {
    const c = await cluster({ schedules: true });
    const key = c.keys("acme");
    const [a, b] = c.servers as [string, string];
    await c.worker();
    const later = await call(a, key, "POST", "/runs", { workflow: "ping", delayMs: 1500 });
    expect(later.status).toBe(201);
    const past = await call(b, key, "POST", "/runs", { workflow: "ping", runAt: "2020-01-01T00:00:00Z" });
    expect(
      (
        await until(
          () => call(a, key, "GET", `/runs/${past.body.id}`),
          (r) => r.body.status === "completed",
        )
      ).body.status,
    ).toBe("completed");
    expect((await call(a, key, "GET", `/runs/${later.body.id}`)).body.status).toBe("queued");
    expect(
      (
        await until(
          () => call(a, key, "GET", `/runs/${later.body.id}`),
          (r) => r.body.status === "completed",
        )
      ).body.status,
    ).toBe("completed");
    const both = await call(a, key, "POST", "/runs", {
      workflow: "ping",
      delayMs: 10,
      runAt: "2030-01-01T00:00:00Z",
    });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/delayMs or runAt, not both/);

    // The configured schedule fires every second, on whichever worker, once per tick.
    const db = openPostgres(c.url);
    try {
      const ticks = await until(
        async () =>
          (
            await db.query<{ id: string }>(
              "SELECT id FROM keel_queue WHERE id LIKE 'sched:heartbeat:%' AND status = 'completed'",
            )
          ).rows,
        (rows) => rows.length >= 2,
      );
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      const run = await call(b, key, "GET", `/runs/${ticks[0]!.id}`);
      expect(run.body).toMatchObject({ workflow: "ping", status: "completed", output: { pinged: true } });
    } finally {
      await db.close();
    }
  }, 90_000);

  it("keel worker refuses a SQLite store and says how to point it at PostgreSQL", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "keel.config.mjs"), "export default { workflows: {} };");
    const r = spawnSync(process.execPath, [bin, "worker"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, KEEL_DB: "" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/keel worker takes runs from a PostgreSQL store.*KEEL_DB=postgres:\/\//);
    const bad = spawnSync(process.execPath, [bin, "worker"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, KEEL_DB: "postgres://keel:hunter2@db:5432/" },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/KEEL_DB: the URL names no database/);
    expect(bad.stderr).not.toContain("hunter2");
  });
});
