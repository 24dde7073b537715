import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { END, graph, memoryCheckpointer, START, serialize, sqliteCheckpointer } from "./index.js";

const tempDir = useTempDirs("keel-storage-");
const tempFile = () => path.join(tempDir(), "checkpoints.db");

function chat(steps: number, checkpointer: ReturnType<typeof memoryCheckpointer>) {
  return graph({
    state: z.object({ messages: z.array(z.string()).default([]) }),
    reducers: { messages: "append" },
  })
    .node("say", (s) => ({ messages: [`${String(s.messages.length).padStart(4, "0")}${"x".repeat(1020)}`] }))
    .edge(START, "say")
    .branch("say", (s) => (s.messages.length < steps ? "say" : END))
    .compile({ checkpointer, maxSteps: steps + 1 });
}

describe("checkpoints grow with what changed", () => {
  it("a 500-step run appending 1 KB per step stores at most 2x the final state (SQLite)", async () => {
    const file = tempFile();
    const checkpointer = sqliteCheckpointer({ path: file });
    const app = chat(500, checkpointer);
    const out = await app.invoke({}, { thread: "chat" });
    expect(out.messages).toHaveLength(500);
    const finalBytes = serialize(out).length;
    const records = await checkpointer.list("chat", "");
    expect(records).toHaveLength(501);
    const stored = records.reduce((sum, r) => sum + r.data.length + r.meta.length, 0);
    expect(stored).toBeLessThanOrEqual(2 * finalBytes);
    // A quadratic saver would store about 250 times the final state here.
    expect(stored).toBeGreaterThanOrEqual(finalBytes);
    await checkpointer.close();
    // The state loads back exactly from another connection.
    const reopened = sqliteCheckpointer({ path: file });
    const again = chat(500, reopened);
    expect((await again.getState("chat"))?.values).toEqual(out);
    await reopened.close();
  });

  it("state that is overwritten every step gets snapshots, so loading replays little", async () => {
    const checkpointer = memoryCheckpointer();
    const app = graph({ state: z.object({ doc: z.string().default(""), n: z.number().default(0) }) })
      .node("edit", (s) => ({ doc: `${s.n}:${"y".repeat(4000)}`, n: s.n + 1 }))
      .edge(START, "edit")
      .branch("edit", (s) => (s.n < 200 ? "edit" : END))
      .compile({ checkpointer, maxSteps: 300 });
    const out = await app.invoke({}, { thread: "t" });
    const records = await checkpointer.list("t", "");
    const snapshots = records.filter((r) => r.kind === "snapshot").length;
    expect(snapshots).toBeGreaterThan(20);
    const chain = await checkpointer.chain("t", "");
    expect(chain!.length).toBeLessThanOrEqual(4);
    expect((await app.getState("t"))?.values).toEqual(out);
    // Every historical state is still exact.
    const history = await app.history("t");
    expect(history.map((h) => h.values.n)).toEqual(Array.from({ length: 201 }, (_, i) => 200 - i));
  });

  it("state with Date, Map, Set, BigInt and typed arrays survives a checkpoint round trip", async () => {
    const checkpointer = memoryCheckpointer();
    const state = z.object({
      at: z.date(),
      tags: z.set(z.string()),
      index: z.map(z.string(), z.number()),
      big: z.bigint(),
      vec: z.instanceof(Float32Array),
      maybe: z.string().optional(),
    });
    const app = graph({ state })
      .node("touch", (s) => ({ big: s.big + 1n }))
      .edge(START, "touch")
      .edge("touch", END)
      .compile({ checkpointer });
    const input = {
      at: new Date("2026-01-02T03:04:05Z"),
      tags: new Set(["a"]),
      index: new Map([["k", 1]]),
      big: 2n ** 70n,
      vec: new Float32Array([0.5, -1]),
      maybe: undefined,
    };
    await app.invoke(input, { thread: "t" });
    const loaded = (await app.getState("t"))!.values;
    expect(loaded).toEqual({ ...input, big: 2n ** 70n + 1n });
    expect("maybe" in loaded).toBe(true);
    expect(loaded.vec).toBeInstanceOf(Float32Array);
  });
});
