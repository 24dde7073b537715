/**
 * The queue's faults and races, each found by a review and proved by its test before the fix:
 * a second run on a thread, limits starving others, a stale worker's events after a takeover,
 * a follower missing a NOTIFY, a failed event batch, a cancel racing an interrupt, the LISTEN
 * connection lost or leaked, a password in the query string, missed schedule ticks.
 */
import net from "node:net";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { checkPostgresUrl, openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import { END, graph, postgresCheckpointer, START } from "../graph/index.js";
import { TEST_POSTGRES, usePostgresSchemas } from "../testkit/postgres.js";
import { openRunQueue, RunQueue } from "./run-queue.js";
import { startWorker, type WorkerOptions } from "./worker.js";

const schema = usePostgresSchemas();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves "timeout" if `p` has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref())]);

async function until(check: () => Promise<boolean> | boolean, ms = 10_000) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error("condition not reached in time");
}

async function setup(url?: string) {
  const u = url ?? (await schema());
  const queue = await openRunQueue({ url: u });
  const checkpointer = await postgresCheckpointer({ url: u });
  cleanups.push(async () => {
    await checkpointer.close();
    await queue.close();
  });
  const worker = async (options: Omit<WorkerOptions, "queue"> & { queue?: RunQueue }) => {
    const w = await startWorker({ queue, onError: () => undefined, ...options });
    cleanups.push(() => w.stop());
    return w;
  };
  return { url: u, queue, checkpointer, worker };
}

type Cp = Awaited<ReturnType<typeof postgresCheckpointer>>;

const Chat = z.object({ text: z.string().default(""), log: z.array(z.string()).default([]) });
function chat(checkpointer: Cp) {
  return graph({ state: Chat, reducers: { log: "append" } })
    .node("reply", (s) => ({ log: [`reply to ${s.text}`] }))
    .edge(START, "reply")
    .edge("reply", END)
    .compile({ checkpointer });
}

/** A node that waits for `gate` (or the run's abort), emitting custom events around it. */
const Gate = z.object({ n: z.number().default(0) });
function gated(checkpointer: Cp, node: (ctx: any) => Promise<void>) {
  return graph({ state: Gate })
    .node("work", async (_s, ctx) => {
      await node(ctx);
      return { n: 1 };
    })
    .edge(START, "work")
    .edge("work", END)
    .compile({ checkpointer });
}
const waitFor = (gate: Promise<void>, ctx: { signal: AbortSignal }) =>
  new Promise<void>((r) => {
    void gate.then(r);
    ctx.signal.addEventListener("abort", () => r(), { once: true });
  });
function latch() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

describe("run queue faults and races on PostgreSQL", () => {
  it("a second run enqueued on an existing thread applies its own input", async () => {
    const { queue, checkpointer, worker } = await setup();
    await worker({ workflows: { chat: chat(checkpointer) }, pollMs: 50 });
    const one = await queue.enqueue({ workflow: "chat", thread: "conv", input: { text: "one" } });
    expect((await queue.wait(one.id)).output).toMatchObject({ log: ["reply to one"] });
    const two = await queue.enqueue({ workflow: "chat", thread: "conv", input: { text: "two" } });
    const done = await queue.wait(two.id);
    expect(done.status).toBe("completed");
    // Expected: the thread got input "two" and a reply to it. Before the fix: the worker saw the thread's
    // head differ from base_checkpoint (null) and "continued" the finished thread: input dropped.
    expect(done.output).toMatchObject({ text: "two", log: ["reply to one", "reply to two"] });
  });

  it("a per-workflow limit does not starve other workflows queued behind 100 capped runs", async () => {
    const { queue, checkpointer, worker } = await setup();
    const gate = latch();
    cleanups.push(() => gate.open());
    for (let i = 0; i < 101; i++) await queue.enqueue({ workflow: "slow", input: {} });
    const fast = await queue.enqueue({ workflow: "fast", input: {} });
    await worker({
      workflows: {
        slow: gated(checkpointer, (ctx) => waitFor(gate.p, ctx)),
        fast: gated(checkpointer, async () => undefined),
      },
      limits: { workflows: { slow: 1 } },
      concurrency: 4,
      pollMs: 50,
    });
    // Expected: "fast" has free slots and runs at once. Before the fix: every claim looks at the first 100
    // ready rows only (all "slow", all over their cap) and never reaches it.
    const done = await within(queue.wait(fast.id), 5000);
    expect(done === "timeout" ? "still queued after 5 s" : done.status).toBe("completed");
  });

  it("a per-tenant limit does not let one tenant's backlog starve another tenant", async () => {
    const { queue, checkpointer, worker } = await setup();
    const gate = latch();
    cleanups.push(() => gate.open());
    for (let i = 0; i < 101; i++) await queue.enqueue({ workflow: "job", tenant: "big", input: {} });
    const small = await queue.enqueue({ workflow: "job", tenant: "small", input: {} });
    await worker({
      workflows: { job: gated(checkpointer, (ctx) => waitFor(gate.p, ctx)) },
      limits: { perTenant: 1 },
      concurrency: 4,
      pollMs: 50,
    });
    const running = await within(
      until(async () => (await queue.get(small.id))?.status === "running", 5000).then(() => "running"),
      6000,
    ).catch(() => "still queued after 5 s");
    expect(running).toBe("running");
  });

  it("follow() sees a run's end promptly even when the consumer was busy at the NOTIFY", async () => {
    const { url, queue, checkpointer, worker } = await setup();
    const gate = latch();
    cleanups.push(() => gate.open());
    await worker({
      workflows: {
        g: gated(checkpointer, async (ctx) => {
          ctx.emit({ kind: "waiting" });
          await waitFor(gate.p, ctx);
        }),
      },
    });
    const run = await queue.enqueue({ workflow: "g", input: {} });
    const other = await openRunQueue({ db: openPostgres(url) });
    cleanups.push(() => other.db.close());
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const seen: string[] = [];
    const following = (async () => {
      // pollMs as the SSE route uses it (KEEP_ALIVE_MS = 15 s), longer here to be unambiguous.
      for await (const e of other.follow(run.id, { pollMs: 60_000, signal: abort.signal })) {
        seen.push(e.type);
        if (e.type === "custom") {
          gate.open(); // the run now ends...
          await sleep(500); // ...while this consumer (an SSE client not pulling yet) is busy
        }
      }
    })();
    await queue.wait(run.id);
    // Expected: follow() ends with the run (run-end delivered). Before the fix: the NOTIFY arrived while
    // `wake` was unset, so follow() sleeps the whole pollMs.
    const result = await within(following, 5000);
    expect(result === "timeout" ? "follow() still waiting 5 s after the run ended" : "ended").toBe("ended");
    expect(seen.at(-1)).toBe("run-end");
  });

  it("a worker stopped within a second of its LISTEN connection dropping leaves no connection behind", async () => {
    const { url, checkpointer, worker } = await setup();
    const errors: unknown[] = [];
    const id = `rv-leak-${Math.random().toString(36).slice(2, 8)}`;
    const w = await worker({ id, workflows: { chat: chat(checkpointer) }, onError: (e) => errors.push(e) });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(async () => {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        [`keel-worker ${id}`],
      );
      await admin.end();
    });
    const listeners = async () =>
      (
        await admin.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
          [`keel-worker ${id}`],
        )
      ).rows[0]?.n;
    expect(await listeners()).toBe(1);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
      `keel-worker ${id}`,
    ]);
    await until(() => errors.length > 0);
    await w.stop();
    await sleep(1500);
    // Expected: a stopped worker holds no connection. Before the fix: the reconnect timer set before stop()
    // fires anyway and opens a LISTEN client nobody closes (keeps `keel worker` from exiting).
    expect(await listeners()).toBe(0);
  });

  it("a worker's LISTEN connection comes back after the database was unreachable for 2 s", async () => {
    const base = await schema();
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(base);
    viaProxy.port = String(proxy.port);
    const { queue, checkpointer, worker } = await setup(viaProxy.toString());
    const id = `rv-listen-${Math.random().toString(36).slice(2, 8)}`;
    // Only NOTIFY wakes this worker quickly (pollMs long), as README's "Wake-ups" says.
    await worker({ id, workflows: { chat: chat(checkpointer) }, pollMs: 60_000 });
    const first = await queue.enqueue({ workflow: "chat", input: { text: "a" } });
    expect(await within(queue.wait(first.id), 5000)).not.toBe("timeout");

    proxy.down();
    await sleep(2500); // the one reconnect attempt (1 s after the error) fails
    proxy.up();
    await sleep(3000); // let the claim loop's backoff succeed once

    const admin = new pg.Client({ connectionString: TEST_POSTGRES });
    await admin.connect();
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
      [`keel-worker ${id}`],
    );
    await admin.end();
    const second = await queue.enqueue({ workflow: "chat", input: { text: "b" } });
    const done = await within(queue.wait(second.id), 5000);
    // Expected: LISTEN re-established; the run starts on its NOTIFY. Before the fix: no listener (0
    // connections) and the run waits for the next poll (60 s here; cancellations wait for heartbeats).
    expect({ listeners: rows[0]?.n, run: done === "timeout" ? "not started in 5 s" : done.status }).toEqual({
      listeners: 1,
      run: "completed",
    });
  });

  it("a run's events survive one failed batch write (a connection blip) when the run completes", async () => {
    const { queue: real, checkpointer } = await setup();
    let failed = 0;
    const flaky: PostgresDatabase = {
      ...real.db,
      pool: real.db.pool,
      url: real.db.url,
      display: real.db.display,
      transaction: (fn) => real.db.transaction(fn),
      close: () => Promise.resolve(),
      query: ((text: string, values?: unknown[]) => {
        if (failed === 0 && text.includes("INSERT INTO keel_queue_events")) {
          failed++;
          return Promise.reject(
            new KeelError("STORE_UNAVAILABLE", "PostgreSQL is unreachable or restarting (test).", {
              retryable: true,
            }),
          );
        }
        return real.db.query(text, values);
      }) as PostgresDatabase["query"],
    };
    const queue = new RunQueue(flaky, false);
    const w = await startWorker({
      queue,
      onError: () => undefined,
      workflows: {
        g: gated(checkpointer, async (ctx) => {
          ctx.emit({ kind: "first" });
          await sleep(200); // the 25 ms batch with "first" is written (and fails) meanwhile
          ctx.emit({ kind: "second" });
        }),
      },
    });
    cleanups.push(() => w.stop());
    const run = await real.enqueue({ workflow: "g", input: {} });
    const done = await real.wait(run.id);
    expect(done.status).toBe("completed");
    expect(failed).toBe(1);
    const events = await real.eventsAfter(run.id);
    // Expected: every event stored, seqs 1..n without a gap. Before the fix: the failed batch was dropped
    // (cleared before the write, error swallowed): "first" is gone and seq jumps.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === "custom").map((e) => (e.data as any).data?.kind)).toEqual([
      "first",
      "second",
    ]);
  });

  it("after a takeover the run's stored events end with the new worker's run-end, not the stale worker's", async () => {
    const { queue, checkpointer } = await setup();
    const gateA = latch();
    const gateB = latch();
    cleanups.push(() => gateA.open());
    cleanups.push(() => gateB.open());
    // Worker A: stalls (a GC pause, a partition) past its lease, then keeps emitting.
    const a = await startWorker({
      queue,
      id: "stale-A",
      leaseMs: 60_000,
      heartbeatMs: 30_000,
      onError: () => undefined,
      workflows: {
        g: gated(checkpointer, async (ctx) => {
          ctx.emit({ from: "A", i: 0 });
          await waitFor(gateA.p, ctx);
          for (let i = 1; i <= 10; i++) ctx.emit({ from: "A", i });
          await waitFor(new Promise(() => undefined), ctx);
        }),
      },
    });
    cleanups.push(() => a.stop());
    const run = await queue.enqueue({ workflow: "g", input: {} });
    await until(async () => (await queue.eventsAfter(run.id)).some((e) => e.type === "custom"));
    // A's lease runs out (as if its heartbeats had stalled); worker B takes the run over.
    await queue.db.query(
      "UPDATE keel_queue SET lease_until = clock_timestamp() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    const b = await startWorker({
      queue,
      id: "fresh-B",
      pollMs: 50,
      onError: () => undefined,
      workflows: {
        g: gated(checkpointer, async (ctx) => {
          await waitFor(gateB.p, ctx);
          ctx.emit({ from: "B" });
        }),
      },
    });
    cleanups.push(() => b.stop());
    await until(async () => (await queue.get(run.id))?.worker === "fresh-B");
    gateA.open(); // the stale worker wakes up and emits before its next heartbeat
    // Its event batches (every 25 ms) are refused: they name a fence that moved. Give them time.
    await sleep(300);
    gateB.open();
    const done = await queue.wait(run.id);
    expect(done.status).toBe("completed");
    const events = await queue.eventsAfter(run.id);
    const fromA = events.filter((e) => e.type === "custom" && (e.data as any).data?.from === "A");
    // Expected: the run's stream ends with run-end (the SSE contract), and a worker that lost the run
    // adds nothing after the takeover. Before the fix: A's late events took seqs B numbered from the same
    // cursor; B's events, run-end included, were dropped by ON CONFLICT DO NOTHING.
    expect({ last: events.at(-1)?.type, staleEventsAfterTakeover: fromA.length - 1 }).toEqual({
      last: "run-end",
      staleEventsAfterTakeover: 0,
    });
  });

  it("a cancel that lost the race to an interrupt does not cancel the run's later resume", async () => {
    const { queue, checkpointer, worker } = await setup();
    const gate = latch();
    cleanups.push(() => gate.open());
    const asks = graph({ state: Gate })
      .node("ask", async (_s, ctx) => {
        await gate.p; // the node's last moment before it pauses
        const answer = await ctx.interrupt<number>("how many?");
        return { n: answer };
      })
      .edge(START, "ask")
      .edge("ask", END)
      .compile({ checkpointer });
    await worker({ workflows: { asks }, heartbeatMs: 5000, leaseMs: 20_000, pollMs: 50 });
    const run = await queue.enqueue({ workflow: "asks", input: {} });
    await until(async () => (await queue.get(run.id))?.status === "running");
    // cancel()'s own statement for a running run, committed just before the worker records the
    // interrupt (its NOTIFY reaching the worker after that): modelled without the NOTIFY.
    await queue.db.query("UPDATE keel_queue SET cancel_requested = true WHERE id = $1", [run.id]);
    gate.open();
    // The cancellation was asked for while the run was still running: it wins over the pause, so the
    // run ends cancelled (and the caller's cancel gets "cancelled", not a conflict), rather than
    // pausing with a stale cancel that would end its later resume.
    const ended = await queue.wait(run.id);
    expect({ status: ended.status, error: ended.error?.code, interrupts: ended.interrupts }).toEqual({
      status: "cancelled",
      error: "RUN_CANCELLED",
      interrupts: [],
    });
    await expect(queue.resume(run.id, 7)).rejects.toMatchObject({ code: "RUN_NOT_INTERRUPTED" });
    const events = await queue.eventsAfter(run.id);
    expect(events.at(-1)).toMatchObject({ type: "run-end", data: { status: "cancelled" } });
  });

  it("a schedule that missed many ticks queues the latest missed tick, as the README says", async () => {
    const { queue } = await setup();
    await queue.schedule({ name: "every-second", cron: "* * * * * *", workflow: "w" });
    // No worker ran for an hour.
    await queue.db.query(
      "UPDATE keel_queue_schedules SET next_run_at = date_trunc('second', clock_timestamp()) - interval '1 hour'",
    );
    expect(await queue.fireDueSchedules(["w"])).toBe(1);
    const [run] = await queue.list();
    // Expected (README: "the latest missed one runs once"): a tick within the last few seconds.
    // Before the fix: the oldest missed tick (an hour ago) is the one queued, id and runAt.
    expect(Date.now() - (run?.runAt ?? 0)).toBeLessThan(60_000);
  });

  it("the URL shown in messages hides a password given as a query parameter", () => {
    // pg reads ?password= (pg-connection-string copies every query parameter into the config).
    const display = checkPostgresUrl("postgres://keel@db.example.com:5432/keel?password=hunter2");
    expect(display).not.toContain("hunter2");
  });
});

/** A TCP proxy to the local PostgreSQL that can drop every connection and refuse new ones. */
async function startProxy() {
  const target = new URL(TEST_POSTGRES);
  let up = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.on("error", () => undefined);
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    upstream.on("error", () => undefined);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => {
      upstream.destroy();
      sockets.delete(client);
    });
    upstream.on("close", () => {
      client.destroy();
      sockets.delete(upstream);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    down() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    up() {
      up = true;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
