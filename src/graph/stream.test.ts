import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  END,
  type GraphEvent,
  graph,
  memoryCheckpointer,
  NodeError,
  RunCancelledError,
  START,
} from "./index.js";

const state = z.object({ n: z.number().default(0) });

describe("stream events", () => {
  it("yields the run as a discriminated union, in order", async () => {
    const app = graph({ state })
      .node("a", (s, ctx) => {
        ctx.emit({ progress: 0.5 });
        return { n: s.n + 1 };
      })
      .node("b", (s) => ({ n: s.n * 10 }))
      .edge(START, "a")
      .edge("a", "b")
      .edge("b", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const events: GraphEvent<{ n: number }>[] = [];
    for await (const e of app.stream({ n: 1 }, { thread: "t" })) events.push(e);
    expect(
      events.map((e) => (e.type === "node-start" || e.type === "node-end" ? `${e.type}:${e.node}` : e.type)),
    ).toEqual([
      "run-start",
      "step-start",
      "node-start:a",
      "custom",
      "node-end:a",
      "state",
      "step-start",
      "node-start:b",
      "node-end:b",
      "state",
      "run-end",
    ]);
    const custom = events.find((e) => e.type === "custom");
    expect(custom).toMatchObject({ node: "a", data: { progress: 0.5 }, step: 1 });
    const ends = events.filter((e) => e.type === "node-end");
    expect(ends.map((e) => e.update)).toEqual([{ n: 2 }, { n: 20 }]);
    const states = events.filter((e) => e.type === "state");
    expect(states.map((e) => [e.state.n, e.next])).toEqual([
      [2, ["b"]],
      [20, []],
    ]);
    expect(states.every((e) => typeof e.checkpointId === "string")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "done", state: { n: 20 } });
  });

  it("a failure yields an error event and run-end, then the iterator throws", async () => {
    const app = graph({ state })
      .node("a", () => {
        throw new Error("kaput");
      })
      .edge(START, "a")
      .edge("a", END)
      .compile();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const e of app.stream({})) seen.push(e.type === "error" ? `error:${e.error.code}` : e.type);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(seen.slice(-2)).toEqual(["error:NODE_FAILED", "run-end"]);
  });

  it("breaking out of the loop cancels the run", async () => {
    let aborted = false;
    const app = graph({ state })
      .node("a", (s) => ({ n: s.n + 1 }))
      .node("wait", (_s, ctx) => {
        ctx.signal.addEventListener("abort", () => {
          aborted = true;
        });
        return new Promise(() => {});
      })
      .edge(START, "a")
      .edge("a", "wait")
      .edge("wait", END)
      .compile();
    for await (const e of app.stream({})) {
      if (e.type === "node-start" && e.node === "wait") break;
    }
    await new Promise((r) => setImmediate(r));
    expect(aborted).toBe(true);
  });

  it("the signal passed to stream cancels it", async () => {
    const controller = new AbortController();
    const app = graph({ state })
      .node("wait", () => new Promise(() => {}))
      .edge(START, "wait")
      .edge("wait", END)
      .compile();
    const error = await (async () => {
      for await (const e of app.stream({}, { signal: controller.signal })) {
        if (e.type === "node-start") controller.abort("stop");
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(RunCancelledError);
  });
});
