import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { END, graph, type NodeContext, type RunResult, START, type StateSnapshot } from "./index.js";

// Compile-time checks: `tsc --noEmit` (part of CI) fails if these types regress.
describe("graph types", () => {
  const state = z.object({ n: z.number().default(0), tags: z.array(z.string()).default([]) });
  type S = { n: number; tags: string[] };

  it("nodes receive the typed state and context", () => {
    graph({ state, reducers: { tags: "append" } }).node("a", (s, ctx) => {
      expectTypeOf(s).toEqualTypeOf<S>();
      expectTypeOf(ctx).toEqualTypeOf<NodeContext>();
      expectTypeOf(ctx.superstep).toBeNumber();
      expectTypeOf(ctx.step<string>).returns.resolves.toBeString();
      return { n: s.n + 1 };
    });
  });

  it("updates are checked against the state: unknown keys and wrong types do not compile", () => {
    const g = graph({ state, reducers: { tags: "append" } });
    g.node("ok", () => ({ tags: "one item" }));
    g.node("ok-array", () => ({ tags: ["a", "b"] }));
    g.node("ok-nothing", () => {});
    // @ts-expect-error n is a number
    g.node("bad-type", () => ({ n: "1" }));
    // @ts-expect-error reducers only for keys of the state
    graph({ state, reducers: { nope: "append" } });
  });

  it("invoke, run and getState are typed by the state", async () => {
    const app = graph({ state })
      .node("a", () => ({}))
      .edge(START, "a")
      .edge("a", END)
      .compile();
    expectTypeOf(app.invoke).returns.resolves.toEqualTypeOf<S>();
    expectTypeOf(app.run).returns.resolves.toEqualTypeOf<RunResult<S>>();
    expectTypeOf(app.getState).returns.resolves.toEqualTypeOf<StateSnapshot<S> | undefined>();
  });
});
