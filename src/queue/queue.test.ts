import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { openPostgres } from "../db/postgres.js";
import { END, graph, postgresCheckpointer, START } from "../graph/index.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { openRunQueue } from "./run-queue.js";
import { startWorker, type Worker, type WorkerOptions } from "./worker.js";

const schema = usePostgresSchemas();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const Order = z.object({ amount: z.number(), log: z.array(z.string()).default([]) });

async function setup() {
  const url = await schema();
  const queue = await openRunQueue({ url });
  const checkpointer = await postgresCheckpointer({ url });
  await queue.db.query("CREATE TABLE charges (run TEXT, amount INTEGER)");
  cleanups.push(async () => {
    await checkpointer.close();
    await queue.close();
  });
  const workers: Worker[] = [];
  const worker = async (options: Omit<WorkerOptions, "queue">) => {
    const w = await startWorker({ queue, ...options });
    workers.push(w);
    cleanups.push(() => w.stop());
    return w;
  };
  return { url, queue, checkpointer, worker, workers };
}

function orders(
  checkpointer: Awaited<ReturnType<typeof postgresCheckpointer>>,
  hooks: { gate?: () => Promise<void> } = {},
) {
  return graph({ state: Order, reducers: { log: "append" } })
    .node("charge", async (s, ctx) => {
      await hooks.gate?.();
      const receipt = await ctx.transaction("charge", async (tx) => {
        await tx.query("INSERT INTO charges VALUES ($1, $2)", [ctx.thread, s.amount]);
        return `paid ${s.amount}`;
      });
      return { log: [receipt] };
    })
    .node("notify", async (_s, ctx) => ({ log: [await ctx.step("notify", () => "notified")] }))
    .edge(START, "charge")
    .edge("charge", "notify")
    .edge("notify", END)
    .compile({ checkpointer });
}

describe("run queue and workers", () => {
  it("runs a queued workflow to its end and records its output and events", async () => {
    const { queue, checkpointer, worker } = await setup();
    await worker({ workflows: { orders: orders(checkpointer) } });
    const queued = await queue.enqueue({ workflow: "orders", input: { amount: 12 }, tenant: "acme" });
    expect(queued).toMatchObject({ status: "queued", tenant: "acme", thread: queued.id, attempts: 0 });
    const done = await queue.wait(queued.id);
    expect(done).toMatchObject({ status: "completed", attempts: 1, error: null });
    expect(done.output).toMatchObject({ amount: 12, log: ["paid 12", "notified"] });
    const events = await queue.eventsAfter(queued.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === "node-end").map((e) => e.data.node)).toEqual(["charge", "notify"]);
  });

  it("streams a run's events to a process that did not start it, from a cursor", async () => {
    const { url, queue, checkpointer, worker } = await setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    await worker({ workflows: { orders: orders(checkpointer, { gate: () => gate }) } });
    const run = await queue.enqueue({ workflow: "orders", input: { amount: 3 } });
    // Another server: its own pool and LISTEN connection.
    const other = await openRunQueue({ db: openPostgres(url) });
    cleanups.push(() => other.db.close());
    const seen: string[] = [];
    const following = (async () => {
      for await (const e of other.follow(run.id, { pollMs: 60_000 })) seen.push(`${e.seq}:${e.type}`);
    })();
    await new Promise((r) => setTimeout(r, 100));
    open();
    await following;
    const stored = await queue.eventsAfter(run.id);
    expect(seen).toEqual(stored.map((e) => `${e.seq}:${e.type}`));
    expect(seen.some((s) => s.endsWith("node-end"))).toBe(true);
    // Resuming from a cursor gives only what came after it.
    const after: number[] = [];
    for await (const e of other.follow(run.id, { after: 2 })) after.push(e.seq);
    expect(after).toEqual(stored.slice(2).map((e) => e.seq));
  });

  it("enqueueing with the same id returns the run already queued, once", async () => {
    const { queue } = await setup();
    const a = await queue.enqueue({ workflow: "orders", id: "order-7", input: { amount: 1 } });
    const b = await queue.enqueue({ workflow: "orders", id: "order-7", input: { amount: 999 } });
    expect(b).toEqual(a);
    expect((await queue.list()).length).toBe(1);
  });

  it("keeps a delayed run until its time, then runs it", async () => {
    const { queue, checkpointer, worker } = await setup();
    await worker({ workflows: { orders: orders(checkpointer) }, pollMs: 50 });
    const later = await queue.enqueue({ workflow: "orders", input: { amount: 1 }, delayMs: 600 });
    const past = await queue.enqueue({ workflow: "orders", input: { amount: 2 }, runAt: Date.now() - 1000 });
    expect((await queue.wait(past.id)).status).toBe("completed");
    expect((await queue.get(later.id))?.status).toBe("queued");
    const done = await queue.wait(later.id);
    expect(done.status).toBe("completed");
    expect(done.runAt - done.createdAt).toBeGreaterThanOrEqual(590);
  });

  it("cancels a queued run at once and a running one through its worker", async () => {
    const { queue, checkpointer, worker } = await setup();
    const app = graph({ state: Order })
      .node("wait", async (_s, ctx) => {
        await new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
        );
        return {};
      })
      .edge(START, "wait")
      .edge("wait", END)
      .compile({ checkpointer });
    const queued = await queue.enqueue({ workflow: "slow", input: { amount: 1 }, delayMs: 60_000 });
    expect(await queue.cancel(queued.id)).toMatchObject({ status: "cancelled", cancelRequested: true });

    // Heartbeats and polls far apart: only the NOTIFY can bring the cancellation this soon.
    await worker({ workflows: { slow: app }, leaseMs: 120_000, pollMs: 60_000 });
    const running = await queue.enqueue({ workflow: "slow", input: { amount: 1 } });
    while ((await queue.get(running.id))?.status !== "running") await new Promise((r) => setTimeout(r, 20));
    await queue.cancel(running.id);
    const ended = await queue.wait(running.id, { signal: AbortSignal.timeout(5000) });
    expect(ended).toMatchObject({ status: "cancelled", error: { code: "RUN_CANCELLED" } });
    // Cancelling an ended run changes nothing.
    expect(await queue.cancel(running.id)).toEqual(ended);
    await expect(queue.cancel("run_nope")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });

  it("holds concurrency limits per workflow and per tenant across workers", async () => {
    const { queue, checkpointer, worker } = await setup();
    let now = 0;
    let most = 0;
    const perTenant = new Map<string, number>();
    let mostTenant = 0;
    const app = graph({ state: z.object({ tenant: z.string() }) })
      .node("work", async (s) => {
        now++;
        perTenant.set(s.tenant, (perTenant.get(s.tenant) ?? 0) + 1);
        most = Math.max(most, now);
        mostTenant = Math.max(mostTenant, perTenant.get(s.tenant) ?? 0);
        await new Promise((r) => setTimeout(r, 30));
        now--;
        perTenant.set(s.tenant, (perTenant.get(s.tenant) ?? 0) - 1);
        return {};
      })
      .edge(START, "work")
      .edge("work", END)
      .compile({ checkpointer });
    const limits = { workflows: { work: 3 }, perTenant: 2 };
    await worker({ workflows: { work: app }, limits, pollMs: 20, concurrency: 10 });
    await worker({ workflows: { work: app }, limits, pollMs: 20, concurrency: 10 });
    const runs = [];
    for (let i = 0; i < 24; i++) {
      const tenant = ["a", "b", "c"][i % 3] as string;
      runs.push(await queue.enqueue({ workflow: "work", tenant, input: { tenant } }));
    }
    for (const r of runs) expect((await queue.wait(r.id)).status).toBe("completed");
    expect(most).toBe(3);
    expect(mostTenant).toBeLessThanOrEqual(2);
  });

  it("resumes an interrupted run with the answer, on whichever worker claims it", async () => {
    const { queue, checkpointer, worker } = await setup();
    const app = graph({ state: z.object({ amount: z.number(), approved: z.boolean().optional() }) })
      .node("approve", async (s, ctx) => ({
        approved: await ctx.interrupt<boolean>({ question: `Pay ${s.amount}?` }),
      }))
      .edge(START, "approve")
      .edge("approve", END)
      .compile({ checkpointer });
    await worker({ workflows: { approve: app } });
    const run = await queue.enqueue({ workflow: "approve", input: { amount: 40 } });
    const paused = await queue.wait(run.id);
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toMatchObject([{ value: { question: "Pay 40?" } }]);
    await queue.resume(run.id, true);
    const done = await queue.wait(run.id);
    expect(done).toMatchObject({ status: "completed", output: { amount: 40, approved: true } });
    await expect(queue.resume(run.id, true)).rejects.toMatchObject({ code: "RUN_NOT_INTERRUPTED" });
  });

  it("records a failing workflow's error, and a worker needs checkpointed graphs", async () => {
    const { queue, checkpointer, worker } = await setup();
    const app = graph({ state: Order })
      .node("boom", () => {
        throw new Error("out of stock");
      })
      .edge(START, "boom")
      .edge("boom", END)
      .compile({ checkpointer });
    await worker({ workflows: { boom: app } });
    const run = await queue.enqueue({ workflow: "boom", input: { amount: 1 } });
    const failed = await queue.wait(run.id);
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(/out of stock/);
    const bare = graph({ state: Order })
      .node("n", () => ({}))
      .edge(START, "n")
      .edge("n", END)
      .compile();
    await expect(startWorker({ queue, workflows: { bare } })).rejects.toThrow(/postgresCheckpointer/);
  });
});

describe("recurring schedules", () => {
  it("queue one run per tick, however many workers look, and stop when removed", async () => {
    const { queue, checkpointer, worker } = await setup();
    const app = graph({ state: z.object({ at: z.string().optional() }) })
      .node("tick", () => ({}))
      .edge(START, "tick")
      .edge("tick", END)
      .compile({ checkpointer });
    await worker({ workflows: { tick: app }, pollMs: 50 });
    await worker({ workflows: { tick: app }, pollMs: 50 });
    const schedule = await queue.schedule({ name: "every-second", cron: "* * * * * *", workflow: "tick" });
    expect(schedule).toMatchObject({
      name: "every-second",
      timezone: "UTC",
      workflow: "tick",
      tenant: "default",
    });
    while ((await queue.list()).filter((r) => r.status === "completed").length < 3) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await queue.unschedule("every-second")).toBe(true);
    expect(await queue.unschedule("every-second")).toBe(false);
    const runs = await queue.list();
    // One run per tick: ids name the tick, each tick once, ticks whole seconds apart.
    const ticks = runs.map((r) => Date.parse(r.id.split(":").slice(2).join(":")));
    expect(new Set(ticks).size).toBe(runs.length);
    for (const t of ticks) expect(t % 1000).toBe(0);
    expect(runs.every((r) => r.id.startsWith("sched:every-second:"))).toBe(true);
    const after = runs.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await queue.list()).length).toBeLessThanOrEqual(after + 1);
  });

  it("refuse a pattern that cannot work, saying what a good one looks like", async () => {
    const { queue } = await setup();
    await expect(queue.schedule({ name: "bad", cron: "every day", workflow: "tick" })).rejects.toThrow(
      /not valid.*five fields/,
    );
    await expect(
      queue.schedule({ name: "bad name!", cron: "* * * * *", workflow: "tick" }),
    ).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    expect(await queue.schedules()).toEqual([]);
  });
});
