import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { useTempDirs } from "../testkit/temp-dirs.js";
import {
  END,
  GraphDefinitionError,
  graph,
  memoryCheckpointer,
  START,
  send,
  sqliteCheckpointer,
} from "./index.js";
import { sharedConnectionFor } from "./sqlite-checkpointer.js";

// Regressions found by review: each of these failed before its fix.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on("unhandledRejection", onUnhandled);
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});
const tempDir = useTempDirs("keel-edge-");
const activeTimers = () =>
  (process as unknown as { getActiveResourcesInfo(): string[] })
    .getActiveResourcesInfo()
    .filter((r) => r === "Timeout").length;

describe("abandoned attempts", () => {
  it("no retry attempt starts after the run is cancelled during a backoff, and no timer is left", async () => {
    const attempts: number[] = [];
    const app = graph({ state: z.object({ a: z.number().optional() }) })
      .node(
        "flaky",
        (_s, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error("down");
        },
        { retry: { maxAttempts: 3, initialDelayMs: 30_000, jitter: false } },
      )
      .edge(START, "flaky")
      .edge("flaky", END)
      .compile();
    const before = activeTimers();
    const controller = new AbortController();
    const run = app.invoke({}, { signal: controller.signal });
    await sleep(20);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: "RUN_CANCELLED" });
    expect(attempts).toEqual([1]);
    expect(activeTimers()).toBe(before);
  });

  it("a timed-out attempt that keeps going cannot record a durable step for a later step", async () => {
    const charges: string[] = [];
    const app = graph({
      state: z.object({ n: z.number(), receipts: z.array(z.string()).default([]) }),
      reducers: { receipts: "append" },
    })
      .node(
        "pay",
        async (s, ctx) => {
          if (s.n === 0 && ctx.attempt === 1) await sleep(150); // ignores its signal
          if (s.n === 1) await sleep(80);
          const receipt = await ctx.step("charge", () => {
            const id = `n${s.n}-attempt${ctx.attempt}`;
            charges.push(id);
            return id;
          });
          return { n: s.n + 1, receipts: [receipt] };
        },
        { timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 0 } },
      )
      .edge(START, "pay")
      .branch("pay", (s) => (s.n < 2 ? "pay" : END), { paths: ["pay", END] })
      .compile({ checkpointer: memoryCheckpointer() });
    const out = await app.invoke({ n: 0 }, { thread: "t" });
    expect(out.receipts).toEqual(["n0-attempt2", "n1-attempt1"]);
    expect(charges).toEqual(["n0-attempt2", "n1-attempt1"]);
  });

  it("a node's timeout timer is cleared when the run is cancelled or a sibling fails", async () => {
    const before = activeTimers();
    const controller = new AbortController();
    const app = graph({ state: z.object({ r: z.number().optional() }) })
      .node("slow", () => new Promise<undefined>(() => {}), { timeoutMs: 60_000 })
      .node("boom", async () => {
        await sleep(1);
        throw new Error("boom");
      })
      .edge(START, "slow")
      .edge(START, "boom")
      .edge(["slow", "boom"], END)
      .compile();
    await expect(app.invoke({})).rejects.toMatchObject({ code: "NODE_FAILED" });
    const cancelled = app.invoke({}, { signal: controller.signal });
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: "RUN_CANCELLED" });
    await sleep(5);
    expect(activeTimers()).toBe(before);
  });

  it("an inner graph's cancellation is the node failing, not the outer run being cancelled", async () => {
    const inner = graph({ state: z.object({ x: z.number() }) })
      .node(
        "slow",
        (_s, ctx) =>
          new Promise((_r, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
      )
      .edge(START, "slow")
      .edge("slow", END)
      .compile();
    const outer = graph({ state: z.object({ x: z.number() }) })
      .node("call", async () => ({
        x: (await inner.invoke({ x: 0 }, { signal: AbortSignal.timeout(10) })).x,
      }))
      .edge(START, "call")
      .edge("call", END)
      .compile();
    await expect(outer.invoke({ x: 0 })).rejects.toMatchObject({ code: "NODE_FAILED", node: "call" });
  });
});

describe("subgraph updates", () => {
  it("a shared merge key gets only the entries the subgraph changed, so a sibling's update survives", async () => {
    const M = z.object({ x: z.number(), y: z.number() });
    const sub = graph({ state: z.object({ meta: M }) })
      .node("sety", (s) => ({ meta: { ...s.meta, y: 1 } }))
      .edge(START, "sety")
      .edge("sety", END)
      .compile();
    const parent = graph({ state: z.object({ meta: M }), reducers: { meta: "merge" } })
      .node("setx", () => ({ meta: { x: 1 } }))
      .node("sub", sub)
      .edge(START, "setx")
      .edge(START, "sub")
      .edge(["setx", "sub"], END)
      .compile();
    expect((await parent.invoke({ meta: { x: 0, y: 0 } })).meta).toEqual({ x: 1, y: 1 });
  });

  it("a change to a key with a custom reducer is refused with a clear error instead of reduced twice", async () => {
    const sub = graph({ state: z.object({ count: z.number() }) })
      .node("inc", (s) => ({ count: s.count + 1 }))
      .edge(START, "inc")
      .edge("inc", END)
      .compile();
    const parent = graph({
      state: z.object({ count: z.number() }),
      reducers: { count: (c: number, u: number) => c + u },
    })
      .node("sub", sub)
      .edge(START, "sub")
      .edge("sub", END)
      .compile();
    await expect(parent.invoke({ count: 5 })).rejects.toThrow(/shared key "count".*custom function/);
  });

  it("send() to a subgraph passes the packet as its input", async () => {
    const State = z.object({ topic: z.string().default(""), notes: z.array(z.string()).default([]) });
    const sub = graph({ state: State, reducers: { notes: "append" } })
      .node("s", (s) => ({ notes: [`note on ${s.topic}`] }))
      .edge(START, "s")
      .edge("s", END)
      .compile();
    const app = graph({ state: State, reducers: { notes: "append" } })
      .node("plan", () => undefined)
      .node("sub", sub)
      .edge(START, "plan")
      .branch("plan", () => [send("sub", { topic: "a" }), send("sub", { topic: "b" })])
      .edge("sub", END)
      .compile();
    expect((await app.invoke({})).notes).toEqual(["note on a", "note on b"]);
  });

  it("a subgraph with its own checkpointer in a loop of a parent without one starts fresh each time", async () => {
    const sub = graph({ state: z.object({ n: z.number() }) })
      .node("inc", (s) => ({ n: s.n + 1 }))
      .edge(START, "inc")
      .edge("inc", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const parent = graph({ state: z.object({ n: z.number() }) })
      .node("sub", sub)
      .edge(START, "sub")
      .branch("sub", (s) => (s.n < 3 ? "sub" : END), { paths: ["sub", END] })
      .compile();
    expect(await parent.invoke({ n: 0 })).toEqual({ n: 3 });
  });
});

describe("reducers and validation", () => {
  it("merge updates are validated against the key's schema", async () => {
    const state = z.object({ meta: z.object({ a: z.number() }).default({ a: 0 }) });
    const bad = graph({ state, reducers: { meta: "merge" } })
      .node("n", () => ({ meta: { a: "str" } as never }))
      .edge(START, "n")
      .edge("n", END)
      .compile();
    await expect(bad.invoke({})).rejects.toThrow(/meta\.a: Invalid input: expected number/);
  });

  it("a reducer that cannot work with its key's schema is a compile error", () => {
    const error = (() => {
      try {
        graph({
          state: z.object({ m: z.map(z.string(), z.number()), s: z.string() }),
          reducers: { m: "merge", s: "append" },
        })
          .node("n", () => undefined)
          .edge(START, "n")
          .edge("n", END)
          .compile();
      } catch (e) {
        return e as GraphDefinitionError;
      }
    })();
    expect(error).toBeInstanceOf(GraphDefinitionError);
    expect(error?.problems.map((p) => p.message)).toEqual([
      'reducers.m: "merge" needs an object or record schema (z.object(...) or z.record(...))',
      'reducers.s: "append" needs an array schema (z.array(...))',
    ]);
  });

  it("a custom reducer that mutates in place is not mistaken for a loop", async () => {
    const app = graph({
      state: z.object({ tally: z.record(z.string(), z.number()) }),
      reducers: { tally: (c: Record<string, number>, u: Record<string, number>) => Object.assign(c, u) },
    })
      .node("count", (s) => ({ tally: { [`k${Object.keys(s.tally).length}`]: 1 } }))
      .edge(START, "count")
      .branch("count", (s) => (Object.keys(s.tally).length < 4 ? "count" : END), { paths: ["count", END] })
      .compile();
    expect(Object.keys((await app.invoke({ tally: {} })).tally)).toHaveLength(4);
  });

  it("a looping graph without a checkpointer may hold objects that cannot be serialized", async () => {
    class Client {
      calls = 0;
    }
    const app = graph({ state: z.object({ client: z.instanceof(Client), n: z.number() }) })
      .node("a", (s) => ({ n: s.n + 1 }))
      .edge(START, "a")
      .branch("a", (s) => (s.n < 3 ? "a" : END), { paths: ["a", END] })
      .compile();
    expect((await app.invoke({ client: new Client(), n: 0 })).n).toBe(3);
  });

  it("durable step names may contain any character without colliding", async () => {
    const app = graph({ state: z.object({ r: z.array(z.string()).default([]) }) })
      .node("a", async (_s, ctx) => {
        const x = await ctx.step("fetch", () => "first fetch");
        const y = await ctx.step("fetch#2", () => "other step");
        const w = await ctx.step("fetch", () => "second fetch");
        return { r: [x, y, w] };
      })
      .edge(START, "a")
      .edge("a", END)
      .compile();
    expect((await app.invoke({})).r).toEqual(["first fetch", "other step", "second fetch"]);
  });
});

describe("interrupts and routers", () => {
  it("an 'ask until done' loop asks again after each answer instead of reporting a loop", async () => {
    const sent: string[] = [];
    const app = graph({ state: z.object({ done: z.boolean().default(false) }) })
      .node("ask", async (_s, ctx) => {
        const answer = await ctx.interrupt<string>("next message?");
        if (answer === "bye") return { done: true };
        await ctx.step("send", () => {
          sent.push(answer);
        });
        return undefined;
      })
      .edge(START, "ask")
      .branch("ask", (s) => (s.done ? END : "ask"), { paths: ["ask", END] })
      .compile({ checkpointer: memoryCheckpointer() });
    await app.run({}, { thread: "t" });
    expect((await app.resume("t", "hello")).status).toBe("interrupted");
    expect((await app.resume("t", "bye")).status).toBe("done");
    expect(sent).toEqual(["hello"]);
  });

  it("the keyed resume form works with a single pending interrupt", async () => {
    const app = graph({ state: z.object({ answer: z.string().optional() }) })
      .node("ask", async (_s, ctx) => ({ answer: await ctx.interrupt<string>("q?") }))
      .edge(START, "ask")
      .edge("ask", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const paused = await app.run({}, { thread: "t" });
    const id = paused.interrupts[0]!.id;
    expect((await app.resume("t", { [id]: "yes" })).state.answer).toBe("yes");
  });

  it("interrupts raised together in one node are all recorded", async () => {
    const app = graph({ state: z.object({ a: z.string().optional(), b: z.string().optional() }) })
      .node("n", async (_s, ctx) => {
        const [a, b] = await Promise.all([ctx.interrupt<string>("qa"), ctx.interrupt<string>("qb")]);
        return { a, b };
      })
      .edge(START, "n")
      .edge("n", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const paused = await app.run({}, { thread: "t" });
    expect(paused.interrupts.map((i) => i.payload)).toEqual(["qa", "qb"]);
    const done = await app.resume("t", { "n#0.0": "A", "n#0.1": "B" });
    expect(done.state).toEqual({ a: "A", b: "B" });
  });

  it("a router that throws is named, and the step's nodes do not run again on continue", async () => {
    const runs: string[] = [];
    let fail = true;
    const app = graph({ state: z.object({ x: z.number().default(0) }) })
      .node("a", async (s) => {
        runs.push("a");
        return { x: s.x + 1 };
      })
      .node("b", async () => {
        runs.push("b");
        return undefined;
      })
      .node("c", () => undefined)
      .edge(START, "a")
      .edge(START, "b")
      .branch(
        "a",
        async () => {
          if (fail) throw new Error("classifier unavailable");
          return "c";
        },
        { paths: ["c"] },
      )
      .edge("b", END)
      .edge("c", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const error = await app.invoke({}, { thread: "t" }).catch((e) => e);
    expect(error).toMatchObject({ code: "BRANCH_FAILED", from: "a" });
    expect(error.message).toMatch(/branch from "a" threw: classifier unavailable/);
    fail = false;
    expect((await app.invoke(null, { thread: "t" })).x).toBe(1);
    expect(runs).toEqual(["a", "b"]);
  });
});

describe("sqlite connection sharing", () => {
  it("a second checkpointer asking for commit-each while a batch is open does not break the running graph", async () => {
    const file = path.join(tempDir(), "two.db");
    const batching = sqliteCheckpointer({ path: file, commitIntervalMs: 60_000 });
    const app = graph({ state: z.object({ n: z.number() }) })
      .node("a", async (s) => {
        await sleep(5);
        return { n: s.n + 1 };
      })
      .node("b", (s) => ({ n: s.n + 1 }))
      .edge(START, "a")
      .edge("a", "b")
      .edge("b", END)
      .compile({ checkpointer: batching });
    const run = app.invoke({ n: 0 }, { thread: "t1" });
    await sleep(1);
    const eager = sqliteCheckpointer({ path: file, commitIntervalMs: 0 });
    expect(await run).toEqual({ n: 2 });
    await eager.close();
    await batching.close();
  });

  it("a batch lost to a full disk fails the running thread with CHECKPOINT_LOST", async () => {
    const file = path.join(tempDir(), "full.db");
    const cp = sqliteCheckpointer({ path: file, commitIntervalMs: 60_000 });
    const app = graph({ state: z.object({ n: z.number() }) })
      .node("a", (s) => ({ n: s.n + 1 }))
      .node("b", async (s) => {
        const db = sharedConnectionFor(file)!;
        db.pragma(`max_page_count = ${(db.pragma("page_count", { simple: true }) as number) + 1}`);
        const big = { thread: "other", ns: "", id: "o1", parentId: null, step: 0, kind: "snapshot" as const };
        await cp
          .put({ ...big, baseId: "o1", data: `j"${"x".repeat(300_000)}"`, meta: "j{}", createdAt: 0 })
          .catch(() => {});
        db.pragma("max_page_count = 1073741823");
        return { n: s.n + 1 };
      })
      .edge(START, "a")
      .edge("a", "b")
      .edge("b", END)
      .compile({ checkpointer: cp });
    await expect(app.invoke({ n: 0 }, { thread: "t" })).rejects.toMatchObject({ code: "CHECKPOINT_LOST" });
    await cp.close();
  });

  it("the same file reached through a symlinked folder shares one connection", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "real"));
    fs.symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
    const a = sqliteCheckpointer({ path: path.join(dir, "real", "c.db") });
    const b = sqliteCheckpointer({ path: path.join(dir, "link", "c.db") });
    expect(sharedConnectionFor(path.join(dir, "link", "c.db"))).toBe(
      sharedConnectionFor(path.join(dir, "real", "c.db")),
    );
    const make = (cp: typeof a) =>
      graph({ state: z.object({ n: z.number() }) })
        .node("x", async (s) => ({ n: s.n + 1 }))
        .edge(START, "x")
        .edge("x", END)
        .compile({ checkpointer: cp });
    const results = await Promise.all([
      make(a).invoke({ n: 0 }, { thread: "a" }),
      make(b).invoke({ n: 0 }, { thread: "b" }),
    ]);
    expect(results).toEqual([{ n: 1 }, { n: 1 }]);
    await a.close();
    await b.close();
  });
});

describe("second review", () => {
  it("a merge update changes only the fields it names, never resetting others to defaults", async () => {
    const app = graph({
      state: z.object({ cfg: z.object({ a: z.number().default(1), b: z.number() }) }),
      reducers: { cfg: "merge" },
    })
      .node("n", () => ({ cfg: { b: 2 } }))
      .edge(START, "n")
      .edge("n", END)
      .compile();
    expect((await app.invoke({ cfg: { a: 5, b: 0 } })).cfg).toEqual({ a: 5, b: 2 });
  });

  it("merge accepts partial updates of enum-keyed records and objects with refinements", async () => {
    const app = graph({
      state: z.object({
        scores: z.record(z.enum(["x", "y"]), z.number()),
        range: z.object({ lo: z.number(), hi: z.number() }).refine((r) => r.lo <= r.hi),
      }),
      reducers: { scores: "merge", range: "merge" },
    })
      .node("n", () => ({ scores: { x: 9 }, range: { hi: 10 } }))
      .edge(START, "n")
      .edge("n", END)
      .compile();
    const out = await app.invoke({ scores: { x: 1, y: 2 }, range: { lo: 0, hi: 1 } });
    expect(out).toEqual({ scores: { x: 9, y: 2 }, range: { lo: 0, hi: 10 } });
  });

  it("after a ConcurrentUpdateError, the fixed graph continues the thread by running the step again", async () => {
    const checkpointer = memoryCheckpointer();
    const state = z.object({ x: z.number().default(0), y: z.number().default(0) });
    const build = (bWrites: "x" | "y") =>
      graph({ state })
        .node("a", () => ({ x: 1 }))
        .node("b", () => (bWrites === "x" ? { x: 2 } : { y: 2 }))
        .edge(START, "a")
        .edge(START, "b")
        .edge(["a", "b"], END)
        .compile({ checkpointer });
    await expect(build("x").invoke({}, { thread: "t" })).rejects.toMatchObject({ code: "CONCURRENT_UPDATE" });
    expect(await build("y").invoke(null, { thread: "t" })).toEqual({ x: 1, y: 2 });
  });

  it("a subgraph that rewrites an append key instead of appending is refused", async () => {
    const sub = graph({ state: z.object({ notes: z.array(z.string()) }) })
      .node("rewrite", () => ({ notes: ["z", "w"] }))
      .edge(START, "rewrite")
      .edge("rewrite", END)
      .compile();
    const app = graph({ state: z.object({ notes: z.array(z.string()) }), reducers: { notes: "append" } })
      .node("sub", sub)
      .edge(START, "sub")
      .edge("sub", END)
      .compile();
    await expect(app.invoke({ notes: ["a"] })).rejects.toThrow(/does not start with the old one/);
  });

  it("a subgraph may set an optional merge key the parent did not have yet", async () => {
    const Meta = z.object({ x: z.number().optional(), y: z.number().optional() });
    const sub = graph({ state: z.object({ meta: Meta.optional() }) })
      .node("set", () => ({ meta: { y: 1 } }))
      .edge(START, "set")
      .edge("set", END)
      .compile();
    const app = graph({ state: z.object({ meta: Meta.optional() }), reducers: { meta: "merge" } })
      .node("sub", sub)
      .edge(START, "sub")
      .edge("sub", END)
      .compile();
    expect(await app.invoke({})).toEqual({ meta: { y: 1 } });
  });

  it("a fork patch replaces whole values, so it is checked against the full schema", async () => {
    const app = graph({
      state: z.object({ p: z.object({ name: z.string(), age: z.number() }) }),
      reducers: { p: "merge" },
    })
      .node("n", () => undefined)
      .edge(START, "n")
      .edge("n", END)
      .compile({ checkpointer: memoryCheckpointer() });
    await app.invoke({ p: { name: "a", age: 1 } }, { thread: "t" });
    const id = (await app.getState("t"))!.checkpointId;
    await expect(app.fork("t", id, { p: { age: 3 } as never })).rejects.toThrow(/p\.name/);
  });

  it("a custom reducer changing an object in place is not a loop even when it cannot be serialized", async () => {
    class Tracker {
      n = 0;
      add() {
        this.n++;
      }
    }
    const app = graph({
      state: z.object({ t: z.instanceof(Tracker) }),
      reducers: {
        t: (cur: Tracker) => {
          cur.add();
          return cur;
        },
      },
    })
      .node("poll", () => ({ t: null as never }))
      .edge(START, "poll")
      .branch("poll", (s) => (s.t.n < 5 ? "poll" : END), { paths: ["poll", END] })
      .compile();
    expect((await app.invoke({ t: new Tracker() })).t.n).toBe(5);
  });

  it("a SQLite path that cannot be a file is STORE_UNAVAILABLE with the reason", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "plain"), "");
    expect(() => sqliteCheckpointer({ path: path.join(dir, "plain", "k.db") })).toThrow(
      expect.objectContaining({ code: "STORE_UNAVAILABLE" }),
    );
  });

  it("a symlink to the database file shares the connection", async () => {
    const dir = tempDir();
    const real = path.join(dir, "real.db");
    const a = sqliteCheckpointer({ path: real });
    fs.symlinkSync(real, path.join(dir, "link.db"));
    const b = sqliteCheckpointer({ path: path.join(dir, "link.db") });
    expect(sharedConnectionFor(path.join(dir, "link.db"))).toBe(sharedConnectionFor(real));
    await a.close();
    await b.close();
  });

  it("a router that throws at START says nothing ran", async () => {
    const app = graph({ state: z.object({ x: z.number().default(0) }) })
      .node("a", () => undefined)
      .branch(START, () => {
        throw new Error("no route");
      })
      .edge("a", END)
      .compile();
    await expect(app.invoke({})).rejects.toThrow(/branch from START threw: no route\. Nothing ran/);
  });
});
