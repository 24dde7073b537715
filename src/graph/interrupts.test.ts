import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, type GraphEvent, graph, memoryCheckpointer, START } from "./index.js";

const approval = z.object({
  amount: z.number(),
  approved: z.boolean().default(false),
  log: z.array(z.string()).default([]),
});

function payments(effects: string[]) {
  return graph({ state: approval, reducers: { log: "append" } })
    .node("prepare", async (s, ctx) => {
      const quote = await ctx.step("quote", () => {
        effects.push("quote");
        return `quote-${s.amount}`;
      });
      return { log: [quote] };
    })
    .node("approve", async (s, ctx) => {
      const answer = await ctx.interrupt<{ ok: boolean }>({ question: `Pay ${s.amount}?` });
      return { approved: answer.ok, log: [`answer:${answer.ok}`] };
    })
    .node("pay", async (s, ctx) => {
      if (!s.approved) return { log: ["skipped"] };
      await ctx.step("charge", () => {
        effects.push("charge");
      });
      return { log: ["paid"] };
    })
    .edge(START, "prepare")
    .edge("prepare", "approve")
    .edge("approve", "pay")
    .edge("pay", END)
    .compile({ checkpointer: memoryCheckpointer() });
}

describe("interrupts", () => {
  it("pause the run as a recorded state; resume continues and interrupt() returns the value", async () => {
    const effects: string[] = [];
    const app = payments(effects);
    const first = await app.run({ amount: 40 }, { thread: "t" });
    expect(first.status).toBe("interrupted");
    expect(first.interrupts).toEqual([
      { id: "approve#0.0", node: "approve", payload: { question: "Pay 40?" } },
    ]);
    const paused = await app.getState("t");
    expect(paused?.next).toEqual(["approve"]);
    expect(paused?.interrupts).toHaveLength(1);

    const second = await app.resume("t", { ok: true });
    expect(second.status).toBe("done");
    expect(second.state.log).toEqual(["quote-40", "answer:true", "paid"]);
    expect(effects).toEqual(["quote", "charge"]);
    expect((await app.getState("t"))?.interrupts).toEqual([]);
  });

  it("invoke on a paused thread is refused with a message that says to resume", async () => {
    const app = payments([]);
    await app.invoke({ amount: 1 }, { thread: "t" });
    await expect(app.invoke({ amount: 2 }, { thread: "t" })).rejects.toThrow(
      /paused at an interrupt in node "approve".*resume/,
    );
    await expect(app.invoke(null, { thread: "t" })).rejects.toThrow(/resume\(thread, value\)/);
  });

  it("stream emits an interrupt event and ends the run as interrupted, not as an error", async () => {
    const app = payments([]);
    const events: GraphEvent[] = [];
    for await (const e of app.stream({ amount: 5 }, { thread: "t" })) events.push(e);
    expect(events.map((e) => e.type)).toContain("interrupt");
    const end = events.at(-1);
    expect(end).toMatchObject({ type: "run-end", status: "interrupted" });
    const resumed: GraphEvent[] = [];
    for await (const e of app.stream(null, { thread: "t", resume: { ok: false } })) resumed.push(e);
    expect(resumed.at(-1)).toMatchObject({ type: "run-end", status: "done" });
    expect((resumed.at(-1) as unknown as { state: { log: string[] } }).state.log).toEqual([
      "quote-5",
      "answer:false",
      "skipped",
    ]);
  });

  it("several nodes interrupting in one step are answered by id; finished siblings do not re-run", async () => {
    let siblingRuns = 0;
    const app = graph({
      state: z.object({ answers: z.array(z.string()).default([]) }),
      reducers: { answers: "append" },
    })
      .node("ask-a", async (_s, ctx) => ({ answers: [`a:${await ctx.interrupt<string>("A?")}`] }))
      .node("ask-b", async (_s, ctx) => ({ answers: [`b:${await ctx.interrupt<string>("B?")}`] }))
      .node("sibling", () => {
        siblingRuns++;
        return { answers: ["sibling"] };
      })
      .edge(START, "ask-a")
      .edge(START, "ask-b")
      .edge(START, "sibling")
      .edge(["ask-a", "ask-b", "sibling"], END)
      .compile({ checkpointer: memoryCheckpointer() });
    const first = await app.run({}, { thread: "t" });
    expect(first.interrupts.map((i) => i.id).sort()).toEqual(["ask-a#0.0", "ask-b#0.0"]);
    await expect(app.resume("t", "both")).rejects.toThrow(/resume with an object keyed by interrupt id/);
    const partial = await app.resume("t", { "ask-a#0.0": "yes" });
    expect(partial.status).toBe("interrupted");
    expect(partial.interrupts.map((i) => i.id)).toEqual(["ask-b#0.0"]);
    const done = await app.resume("t", "no");
    expect(done.state.answers).toEqual(["a:yes", "b:no", "sibling"]);
    expect(siblingRuns).toBe(1);
  });

  it("a node can interrupt more than once; each resume answers the next", async () => {
    const app = graph({ state: z.object({ name: z.string().default(""), city: z.string().default("") }) })
      .node("form", async (_s, ctx) => ({
        name: await ctx.interrupt<string>("name?"),
        city: await ctx.interrupt<string>("city?"),
      }))
      .edge(START, "form")
      .edge("form", END)
      .compile({ checkpointer: memoryCheckpointer() });
    expect((await app.run({}, { thread: "t" })).interrupts[0]?.payload).toBe("name?");
    expect((await app.resume("t", "Ada")).interrupts[0]?.payload).toBe("city?");
    expect((await app.resume("t", "London")).state).toEqual({ name: "Ada", city: "London" });
  });

  it("interrupt without a checkpointer says what to configure", async () => {
    const app = graph({ state: z.object({ x: z.string().default("") }) })
      .node("ask", async (_s, ctx) => ({ x: await ctx.interrupt<string>("?") }))
      .edge(START, "ask")
      .edge("ask", END)
      .compile();
    await expect(app.invoke({})).rejects.toThrow(/compile\(\{ checkpointer: memoryCheckpointer\(\) \}\)/);
  });
});

describe("durable steps", () => {
  it("ctx.step results survive a retry: the side effect runs once", async () => {
    let charges = 0;
    const app = graph({ state: z.object({ receipt: z.string().default("") }) })
      .node(
        "pay",
        async (_s, ctx) => {
          const receipt = await ctx.step("charge", () => {
            charges++;
            return `r-${charges}`;
          });
          if (ctx.attempt === 1) throw new Error("network blip after charging");
          return { receipt };
        },
        { retry: { maxAttempts: 2, initialDelayMs: 1 } },
      )
      .edge(START, "pay")
      .edge("pay", END)
      .compile();
    expect((await app.invoke({})).receipt).toBe("r-1");
    expect(charges).toBe(1);
  });

  it("steps with the same name in one node are recorded separately, in order", async () => {
    const calls: number[] = [];
    const app = graph({ state: z.object({ out: z.array(z.number()).default([]) }) })
      .node(
        "batch",
        async (_s, ctx) => {
          const out: number[] = [];
          for (const i of [1, 2, 3]) {
            out.push(
              await ctx.step("item", () => {
                calls.push(i);
                return i * 10;
              }),
            );
          }
          if (ctx.attempt === 1) throw new Error("retry me");
          return { out };
        },
        { retry: { maxAttempts: 2, initialDelayMs: 1 } },
      )
      .edge(START, "batch")
      .edge("batch", END)
      .compile();
    expect((await app.invoke({})).out).toEqual([10, 20, 30]);
    expect(calls).toEqual([1, 2, 3]);
  });

  it("a value that cannot be stored is a clear SerializationError", async () => {
    const app = graph({ state: z.object({ x: z.number().default(0) }) })
      .node("a", async (_s, ctx) => {
        await ctx.step("fn", () => () => 1);
        return {};
      })
      .edge(START, "a")
      .edge("a", END)
      .compile({ checkpointer: memoryCheckpointer() });
    await expect(app.invoke({}, { thread: "t" })).rejects.toThrow(/ctx.step\("fn"\).*cannot be stored/);
  });
});

describe("interrupts in nodes with punctuation in their names", () => {
  it("a node named with dots and '>' pauses and resumes like any other", async () => {
    const app = graph({ state: z.object({ answer: z.string().default("") }) })
      .node("tools.approve>v2", async (_s, ctx) => ({ answer: await ctx.interrupt<string>("ok?") }))
      .edge(START, "tools.approve>v2")
      .edge("tools.approve>v2", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const paused = await app.run({}, { thread: "t" });
    expect(paused.interrupts.map((i) => i.id)).toEqual(["tools.approve>v2#0.0"]);
    expect((await app.resume("t", "fine")).state.answer).toBe("fine");
  });
});
