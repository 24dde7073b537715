import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConcurrentUpdateError, END, graph, InvalidRouteError, START, send } from "./index.js";

describe("supersteps and reducers", () => {
  it("runs every node of a step concurrently and applies updates in declaration order", async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const app = graph({
      state: z.object({ log: z.array(z.string()).default([]) }),
      reducers: { log: "append" },
    })
      .node("fork", () => ({ log: ["fork"] }))
      // "slow" is declared first and finishes last; its update must still come first.
      .node("slow", async () => {
        started.push("slow");
        await gate;
        return { log: ["slow"] };
      })
      .node("fast", () => {
        started.push("fast");
        release();
        return { log: ["fast"] };
      })
      .edge(START, "fork")
      .edge("fork", "slow")
      .edge("fork", "fast")
      .edge(["slow", "fast"], END)
      .compile();
    const out = await app.invoke({});
    expect(started).toEqual(["slow", "fast"]);
    expect(out.log).toEqual(["fork", "slow", "fast"]);
  });

  it("replace, append, merge and function reducers", async () => {
    const app = graph({
      state: z.object({
        title: z.string().default(""),
        items: z.array(z.number()).default([]),
        meta: z.record(z.string(), z.string()).default({}),
        total: z.number().default(0),
      }),
      reducers: { items: "append", meta: "merge", total: (a: number, b: number) => a + b },
    })
      .node("a", () => ({ title: "first", items: 1, meta: { a: "1" }, total: 5 }))
      .node("b", () => ({ items: [2, 3], meta: { b: "2" }, total: 7 }))
      .edge(START, "a")
      .edge(START, "b")
      .edge(["a", "b"], END)
      .compile();
    expect(await app.invoke({ items: [0] })).toEqual({
      title: "first",
      items: [0, 1, 2, 3],
      meta: { a: "1", b: "2" },
      total: 12,
    });
  });

  it("two nodes writing one key without a reducer fail with ConcurrentUpdateError naming both", async () => {
    const app = graph({ state: z.object({ answer: z.string().default("") }) })
      .node("left", () => ({ answer: "L" }))
      .node("right", () => ({ answer: "R" }))
      .edge(START, "left")
      .edge(START, "right")
      .edge(["left", "right"], END)
      .compile();
    const error = await app.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(ConcurrentUpdateError);
    expect(error.key).toBe("answer");
    expect(error.nodes).toEqual(["left", "right"]);
    expect(error.message).toMatch(/"left" and "right" both wrote state key "answer".*reducer/);
  });

  it("a join runs once after all its sources, even when they finish in different steps", async () => {
    let joins = 0;
    const app = graph({
      state: z.object({ log: z.array(z.string()).default([]) }),
      reducers: { log: "append" },
    })
      .node("quick", () => ({ log: ["quick"] }))
      .node("step1", () => ({ log: ["step1"] }))
      .node("step2", () => ({ log: ["step2"] }))
      .node("join", () => {
        joins++;
        return { log: ["join"] };
      })
      .edge(START, "quick")
      .edge(START, "step1")
      .edge("step1", "step2")
      .edge(["quick", "step2"], "join")
      .edge("join", END)
      .compile();
    const out = await app.invoke({});
    expect(joins).toBe(1);
    expect(out.log).toEqual(["quick", "step1", "step2", "join"]);
  });

  it("send() fans out one task per packet, each with its own input, and reduces the results", async () => {
    const app = graph({
      state: z.object({ topics: z.array(z.string()), notes: z.array(z.string()).default([]) }),
      reducers: { notes: "append" },
    })
      .node("plan", () => ({}))
      .node("research", (_s, ctx) => ({ notes: [`notes on ${(ctx.input as { topic: string }).topic}`] }))
      .node("write", (s) => ({ notes: [`report from ${s.notes.length} notes`] }))
      .edge(START, "plan")
      .branch("plan", (s) => s.topics.map((topic) => send("research", { topic })))
      .edge("research", "write")
      .edge("write", END)
      .compile();
    const out = await app.invoke({ topics: ["a", "b", "c"] });
    expect(out.notes).toEqual(["notes on a", "notes on b", "notes on c", "report from 3 notes"]);
  });

  it("send() workers writing a plain key collide with a clear error", async () => {
    const app = graph({ state: z.object({ items: z.array(z.number()), best: z.number().default(0) }) })
      .node("plan", () => ({}))
      .node("score", (_s, ctx) => ({ best: ctx.input as number }))
      .edge(START, "plan")
      .branch("plan", (s) => s.items.map((i) => send("score", i)))
      .edge("score", END)
      .compile();
    const error = await app.invoke({ items: [1, 2] }).catch((e) => e);
    expect(error).toBeInstanceOf(ConcurrentUpdateError);
    expect(error.nodes).toEqual(["score (send 0)", "score (send 1)"]);
  });

  it("a branch can route to END, one node, or several", async () => {
    const app = graph({
      state: z.object({ n: z.number(), seen: z.array(z.string()).default([]) }),
      reducers: { seen: "append" },
    })
      .node("route", () => ({}))
      .node("x", () => ({ seen: ["x"] }))
      .node("y", () => ({ seen: ["y"] }))
      .edge(START, "route")
      .branch("route", (s) => (s.n === 0 ? END : s.n === 1 ? "x" : ["x", "y"]), { paths: ["x", "y", END] })
      .edge("x", END)
      .edge("y", END)
      .compile();
    expect((await app.invoke({ n: 0 })).seen).toEqual([]);
    expect((await app.invoke({ n: 1 })).seen).toEqual(["x"]);
    expect((await app.invoke({ n: 2 })).seen).toEqual(["x", "y"]);
  });

  it("a router returning an unknown node fails with InvalidRouteError listing the options", async () => {
    const app = graph({ state: z.object({ n: z.number().default(0) }) })
      .node("a", () => ({}))
      .node("b", () => ({}))
      .edge(START, "a")
      .branch("a", () => "c")
      .edge("b", END)
      .compile();
    const error = await app.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRouteError);
    expect(error.message).toMatch(/returned "c".*"a", "b"/);
  });

  it("nodes see the state as of the start of their step", async () => {
    const seen: number[] = [];
    const app = graph({
      state: z.object({ n: z.number().default(0) }),
      reducers: { n: (a: number, b: number) => a + b },
    })
      .node("a", (s) => {
        seen.push(s.n);
        return { n: 1 };
      })
      .node("b", (s) => {
        seen.push(s.n);
        return { n: 10 };
      })
      .edge(START, "a")
      .edge(START, "b")
      .edge(["a", "b"], END)
      .compile();
    expect((await app.invoke({ n: 5 })).n).toBe(16);
    expect(seen).toEqual([5, 5]);
  });
});
