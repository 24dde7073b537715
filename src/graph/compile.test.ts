import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  END,
  GraphDefinitionError,
  graph,
  memoryCheckpointer,
  START,
  StateValidationError,
} from "./index.js";

const state = z.object({ n: z.number().default(0), tags: z.array(z.string()).default([]) });
const inc = (s: { n: number }) => ({ n: s.n + 1 });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphDefinitionError);
    return (error as GraphDefinitionError).problems.map((p) => `${p.code}: ${p.message}`);
  }
  throw new Error("compile() accepted an invalid graph");
}

describe("compile() rejects bad graphs, naming the problem", () => {
  it("an edge to an unknown node, with a suggestion", () => {
    const problems = problemsOf(() =>
      graph({ state })
        .node("fetch", inc)
        .edge(START, "fetch")
        .edge("fetch", "fetc")
        .edge("fetch", END)
        .compile(),
    );
    expect(problems).toEqual([
      expect.stringMatching(/UNKNOWN_NODE: edge fetch → fetc: no node named "fetc"/),
    ]);
  });

  it("suggests the closest name", () => {
    const problems = problemsOf(() =>
      graph({ state }).node("summarize", inc).edge(START, "sumarize").edge("summarize", END).compile(),
    );
    expect(problems.join("\n")).toContain('did you mean "summarize"');
  });

  it("a node unreachable from START", () => {
    const problems = problemsOf(() =>
      graph({ state })
        .node("a", inc)
        .node("orphan", inc)
        .edge(START, "a")
        .edge("a", END)
        .edge("orphan", END)
        .compile(),
    );
    expect(problems).toEqual([
      expect.stringMatching(/UNREACHABLE_NODE: node "orphan" is unreachable from START/),
    ]);
  });

  it("a node with no path to END", () => {
    const problems = problemsOf(() =>
      graph({ state }).node("a", inc).node("b", inc).edge(START, "a").edge("a", END).edge("a", "b").compile(),
    );
    expect(problems).toEqual([expect.stringMatching(/NO_PATH_TO_END: node "b" has no path to END/)]);
  });

  it("a cycle that can never leave", () => {
    const problems = problemsOf(() =>
      graph({ state }).node("a", inc).node("b", inc).edge(START, "a").edge("a", "b").edge("b", "a").compile(),
    );
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.startsWith("NO_PATH_TO_END"))).toBe(true);
  });

  it("a duplicate node name", () => {
    const problems = problemsOf(() =>
      graph({ state }).node("a", inc).node("a", inc).edge(START, "a").edge("a", END).compile(),
    );
    expect(problems).toEqual([expect.stringMatching(/DUPLICATE_NODE: node "a" is defined twice/)]);
  });

  it("reserved names, a missing entry, unknown reducer keys and bad options", () => {
    const problems = problemsOf(() =>
      graph({ state, reducers: { nope: "append" } as never })
        .node(START, inc)
        .node("a", inc, { timeoutMs: -1, retry: { maxAttempts: 0 } })
        .edge("a", END)
        .compile({ maxSteps: 0 }),
    );
    const codes = problems.map((p) => p.split(":")[0]);
    expect(codes).toEqual(
      expect.arrayContaining(["UNKNOWN_STATE_KEY", "RESERVED_NAME", "INVALID_OPTION", "NO_ENTRY"]),
    );
    expect(problems.filter((p) => p.startsWith("INVALID_OPTION"))).toHaveLength(3);
  });

  it("branch paths are checked when declared", () => {
    const problems = problemsOf(() =>
      graph({ state })
        .node("a", inc)
        .edge(START, "a")
        .branch("a", () => END, { paths: ["b", END] })
        .compile(),
    );
    expect(problems).toEqual([expect.stringMatching(/UNKNOWN_NODE: branch from a: no node named "b"/)]);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf(() =>
      graph({ state }).node("a", inc).node("a", inc).edge(START, "a").edge("a", "x").edge("y", END).compile(),
    );
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});

describe("bad input writes nothing", () => {
  it("input that does not match the schema is a StateValidationError listing every issue", async () => {
    const checkpointer = memoryCheckpointer();
    const app = graph({ state: z.object({ n: z.number(), name: z.string().min(2) }) })
      .node("a", (s) => ({ n: s.n + 1 }))
      .edge(START, "a")
      .edge("a", END)
      .compile({ checkpointer });
    const error = await app
      .invoke({ n: "one", name: "x", extra: 1 } as never, { thread: "t" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(StateValidationError);
    expect(error.code).toBe("STATE_VALIDATION");
    expect(error.issues.map((i: { path: string[] }) => i.path.join("."))).toEqual(
      expect.arrayContaining(["n", "name", "extra"]),
    );
    expect(error.message).toContain('"extra" is not a key of the state schema');
    expect(await checkpointer.list("t", "")).toEqual([]);
    expect(await app.getState("t")).toBeUndefined();
  });

  it("a node returning an unknown key or a wrong type fails the run and names the node", async () => {
    const app = graph({ state })
      .node("a", () => ({ nn: 1 }) as never)
      .edge(START, "a")
      .edge("a", END)
      .compile();
    await expect(app.invoke({})).rejects.toThrow(/update of node "a".*"nn" is not a key.*did you mean "n"/s);
    const typed = graph({ state })
      .node("a", () => ({ n: "1" }) as never)
      .edge(START, "a")
      .edge("a", END)
      .compile();
    await expect(typed.invoke({})).rejects.toBeInstanceOf(StateValidationError);
  });

  it("resume on a thread with no pending interrupt is a clear error and writes nothing", async () => {
    const checkpointer = memoryCheckpointer();
    const app = graph({ state }).node("a", inc).edge(START, "a").edge("a", END).compile({ checkpointer });
    await app.invoke({}, { thread: "t" });
    const before = await checkpointer.list("t", "");
    const error = await app.resume("t", "yes").catch((e) => e);
    expect(error.code).toBe("NO_PENDING_INTERRUPT");
    expect(error.message).toMatch(/not waiting at an interrupt/);
    expect(await checkpointer.list("t", "")).toEqual(before);
    const unknown = await app.resume("missing", "yes").catch((e) => e);
    expect(unknown.code).toBe("THREAD_NOT_FOUND");
  });
});
