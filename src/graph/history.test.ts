import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, graph, memoryCheckpointer, START } from "./index.js";

const state = z.object({ text: z.string(), steps: z.array(z.string()).default([]) });

function pipeline() {
  return graph({ state, reducers: { steps: "append" } })
    .node("draft", (s) => ({ text: `${s.text}!`, steps: ["draft"] }))
    .node("review", (s) => ({ text: s.text.toUpperCase(), steps: ["review"] }))
    .edge(START, "draft")
    .edge("draft", "review")
    .edge("review", END)
    .compile({ checkpointer: memoryCheckpointer() });
}

describe("getState, history and fork", () => {
  it("history lists every checkpoint newest first with its state and next nodes", async () => {
    const app = pipeline();
    await app.invoke({ text: "hi" }, { thread: "t" });
    const history = await app.history("t");
    expect(history.map((h) => [h.step, h.values.text, h.next, h.source])).toEqual([
      [2, "HI!", [], "step"],
      [1, "hi!", ["review"], "step"],
      [0, "hi", ["draft"], "input"],
    ]);
    expect(history[0]?.parentId).toBe(history[1]?.checkpointId);
    expect((await app.history("t", { limit: 1 })).map((h) => h.step)).toEqual([2]);
    expect(await app.history("nobody")).toEqual([]);
  });

  it("fork replays from an earlier checkpoint with a patch; the old branch stays in history", async () => {
    const app = pipeline();
    await app.invoke({ text: "hi" }, { thread: "t" });
    const afterDraft = (await app.history("t")).find((h) => h.step === 1)!;
    const forked = await app.fork("t", afterDraft.checkpointId, { text: "edited" });
    expect(forked.values.text).toBe("edited");
    expect(forked.next).toEqual(["review"]);
    expect(forked.source).toBe("fork");
    const out = await app.invoke(null, { thread: "t" });
    expect(out.text).toBe("EDITED");
    expect(out.steps).toEqual(["draft", "review"]);
    const texts = (await app.history("t")).map((h) => h.values.text);
    expect(texts).toEqual(["EDITED", "edited", "HI!", "hi!", "hi"]);
  });

  it("fork into a new thread leaves the original untouched", async () => {
    const app = pipeline();
    await app.invoke({ text: "a" }, { thread: "t" });
    const start = (await app.history("t")).at(-1)!;
    await app.fork("t", start.checkpointId, { text: "b" }, { into: "t2" });
    expect((await app.invoke(null, { thread: "t2" })).text).toBe("B!");
    expect((await app.getState("t"))?.values.text).toBe("A!");
    await expect(app.fork("t", start.checkpointId, {}, { into: "t2" })).rejects.toThrow(/already exists/);
  });

  it("fork rejects an unknown checkpoint and an invalid patch", async () => {
    const app = pipeline();
    await app.invoke({ text: "a" }, { thread: "t" });
    await expect(app.fork("t", "nope", {})).rejects.toThrow(/has no checkpoint "nope"/);
    const id = (await app.getState("t"))!.checkpointId;
    await expect(app.fork("t", id, { text: 3 } as never)).rejects.toThrow(/fork patch does not match/);
  });

  it("a new input on a finished thread starts a new run through the reducers", async () => {
    const app = pipeline();
    await app.invoke({ text: "a" }, { thread: "t" });
    const out = await app.invoke({ text: "b" }, { thread: "t" });
    expect(out).toEqual({ text: "B!", steps: ["draft", "review", "draft", "review"] });
  });
});

describe("one thread, one run at a time", () => {
  it("two overlapping runs on a thread: the second writer is refused with THREAD_CONFLICT", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const app = graph({ state: z.object({ n: z.number().default(0) }) })
      .node("slow", async (s) => {
        if (s.n > 0) await gate;
        return { n: s.n + 1 };
      })
      .edge(START, "slow")
      .edge("slow", END)
      .compile({ checkpointer: memoryCheckpointer() });
    await app.invoke({}, { thread: "t" });
    const first = app.invoke({ n: 10 }, { thread: "t" });
    const second = app.invoke({ n: 20 }, { thread: "t" });
    release();
    const results = await Promise.allSettled([first, second]);
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason.code).toBe("THREAD_CONFLICT");
    const state = await app.getState("t");
    expect(state?.next).toEqual([]);
    expect([11, 21]).toContain(state?.values.n);
  });

  it("bad invoke options are refused before anything runs", async () => {
    const app = pipeline();
    await expect(app.invoke({ text: "a" }, { maxSteps: 0 })).rejects.toThrow(
      /maxSteps must be an integer >= 1/,
    );
    await expect(app.invoke({ text: "a" }, { thread: "" })).rejects.toThrow(
      /thread must be a non-empty string/,
    );
    await expect(app.invoke(null)).rejects.toThrow(/needs the thread/);
  });
});
