import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, type GraphEvent, graph, memoryCheckpointer, START } from "./index.js";

describe("subgraphs", () => {
  const research = graph({
    state: z.object({
      topic: z.string(),
      notes: z.array(z.string()).default([]),
      scratch: z.string().default(""),
    }),
    reducers: { notes: "append" },
  })
    .node("search", (s) => ({ scratch: `results for ${s.topic}`, notes: [`found ${s.topic}`] }))
    .node("summarize", (s) => ({ notes: [`summary of ${s.scratch}`] }))
    .edge(START, "search")
    .edge("search", "summarize")
    .edge("summarize", END)
    .compile();

  const parentState = z.object({
    topic: z.string(),
    notes: z.array(z.string()).default([]),
    done: z.boolean().default(false),
  });

  it("runs as a node: shared keys in, its changes out (only new items of append keys)", async () => {
    const app = graph({ state: parentState, reducers: { notes: "append" } })
      .node("research", research)
      .node("finish", () => ({ done: true }))
      .edge(START, "research")
      .edge("research", "finish")
      .edge("finish", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const out = await app.invoke({ topic: "tides", notes: ["prior"] }, { thread: "t" });
    expect(out).toEqual({
      topic: "tides",
      notes: ["prior", "found tides", "summary of results for tides"],
      done: true,
    });
  });

  it("keeps its checkpoints in its own namespace and streams its events with that namespace", async () => {
    const checkpointer = memoryCheckpointer();
    const app = graph({ state: parentState, reducers: { notes: "append" } })
      .node("research", research)
      .edge(START, "research")
      .edge("research", END)
      .compile({ checkpointer });
    const events: GraphEvent[] = [];
    for await (const e of app.stream({ topic: "x" }, { thread: "t" })) events.push(e);
    const nested = events.filter((e) => e.ns !== "");
    expect(nested.some((e) => e.type === "node-end" && e.node === "summarize")).toBe(true);
    const ns = nested[0]!.ns;
    expect(ns).toMatch(/^research#0@/);
    const sub = await checkpointer.list("t", ns);
    expect(sub.length).toBe(3);
    expect((await checkpointer.list("t", "")).length).toBe(2);
  });

  it("an interrupt inside a subgraph pauses the parent; resuming the parent resumes it", async () => {
    const reviewed = graph({ state: z.object({ draft: z.string(), verdict: z.string().default("") }) })
      .node("ask", async (s, ctx) => ({ verdict: await ctx.interrupt<string>(`approve "${s.draft}"?`) }))
      .edge(START, "ask")
      .edge("ask", END)
      .compile();
    let writes = 0;
    const app = graph({ state: z.object({ draft: z.string(), verdict: z.string().default("") }) })
      .node("write", () => {
        writes++;
        return { draft: "v1" };
      })
      .node("review", reviewed)
      .edge(START, "write")
      .edge("write", "review")
      .edge("review", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const paused = await app.run({ draft: "" }, { thread: "t" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts[0]).toMatchObject({ node: "ask", payload: 'approve "v1"?' });
    expect(paused.interrupts[0]!.id).toMatch(/^review#0>ask#0\.0$/);
    const done = await app.resume("t", "ship it");
    expect(done.state).toEqual({ draft: "v1", verdict: "ship it" });
    expect(writes).toBe(1);
  });
});
