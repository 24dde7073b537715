import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  END,
  graph,
  LoopDetectedError,
  memoryCheckpointer,
  NodeError,
  NodeTimeoutError,
  RunCancelledError,
  START,
  StepLimitError,
} from "./index.js";

const counter = z.object({ n: z.number().default(0) });

describe("step limit and loop detection", () => {
  const looping = (limit?: number) =>
    graph({ state: counter })
      .node("tick", (s) => ({ n: s.n + 1 }))
      .edge(START, "tick")
      .branch("tick", (s) => (s.n < 100 ? "tick" : END))
      .compile({ checkpointer: memoryCheckpointer(), ...(limit ? { maxSteps: limit } : {}) });

  it("stops at maxSteps (default 25) with StepLimitError, and the thread can be continued", async () => {
    const app = looping();
    const error = await app.invoke({}, { thread: "t" }).catch((e) => e);
    expect(error).toBeInstanceOf(StepLimitError);
    expect(error.maxSteps).toBe(25);
    expect((await app.getState("t"))?.values.n).toBe(25);
    const out = await app.invoke(null, { thread: "t", maxSteps: 100 });
    expect(out.n).toBe(100);
  });

  it("maxSteps per invocation overrides compile's", async () => {
    await expect(looping(200).invoke({}, { maxSteps: 10 })).rejects.toBeInstanceOf(StepLimitError);
    expect((await looping(200).invoke({})).n).toBe(100);
  });

  it("a loop that revisits the same state and next nodes stops at once with LoopDetectedError", async () => {
    let runs = 0;
    const app = graph({ state: z.object({ status: z.string().default("pending") }) })
      .node("check", () => {
        runs++;
        return { status: "pending" };
      })
      .edge(START, "check")
      .branch("check", (s) => (s.status === "done" ? END : "check"))
      .compile({ maxSteps: 1000 });
    const error = await app.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(LoopDetectedError);
    expect(runs).toBe(1);
    expect(error.message).toMatch(/Step 1 reached exactly the state and next nodes \(check\) of step 0/);
  });

  it("a two-node cycle that changes nothing is caught when it comes back to its start", async () => {
    let runs = 0;
    const app = graph({
      state: z.object({ draft: z.string().default("x"), notes: z.array(z.string()).default([]) }),
      reducers: { notes: "append" },
    })
      .node("write", () => {
        runs++;
        return { draft: "x" };
      })
      .node("review", () => ({ notes: [] }))
      .edge(START, "write")
      .edge("write", "review")
      .branch("review", () => "write")
      .compile({ maxSteps: 1000 });
    const error = await app.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(LoopDetectedError);
    expect(error.step).toBe(2);
    expect(error.firstSeenStep).toBe(0);
    expect(runs).toBe(1);
  });

  it("progress is not a loop; loopDetection: false allows polling", async () => {
    let polls = 0;
    const app = graph({ state: z.object({ status: z.string().default("pending") }) })
      .node("poll", () => {
        polls++;
        return polls === 5 ? { status: "done" } : {};
      })
      .edge(START, "poll")
      .branch("poll", (s) => (s.status === "done" ? END : "poll"))
      .compile({ loopDetection: false });
    expect((await app.invoke({})).status).toBe("done");
    expect(polls).toBe(5);
  });
});

describe("timeouts and retries", () => {
  it("a node past its timeoutMs fails with NodeTimeoutError and its signal is aborted", async () => {
    let aborted = false;
    const app = graph({ state: counter })
      .node(
        "slow",
        (_s, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              aborted = true;
              resolve({});
            });
          }),
        { timeoutMs: 20 },
      )
      .edge(START, "slow")
      .edge("slow", END)
      .compile();
    const error = await app.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(NodeTimeoutError);
    expect(error.node).toBe("slow");
    expect(aborted).toBe(true);
  });

  it("retries transient failures with backoff and reports the attempt to the node", async () => {
    const attempts: number[] = [];
    const app = graph({ state: counter })
      .node(
        "flaky",
        (s, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt < 3) throw new Error("503 from upstream");
          return { n: s.n + 1 };
        },
        { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 } },
      )
      .edge(START, "flaky")
      .edge("flaky", END)
      .compile();
    expect((await app.invoke({})).n).toBe(1);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("gives up after maxAttempts with NodeError carrying the cause; retryOn filters errors", async () => {
    let calls = 0;
    const failing = graph({ state: counter })
      .node(
        "down",
        () => {
          calls++;
          throw new Error("still down");
        },
        { retry: { maxAttempts: 2, initialDelayMs: 1 } },
      )
      .edge(START, "down")
      .edge("down", END)
      .compile();
    const error = await failing.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error.attempts).toBe(2);
    expect(error.cause.message).toBe("still down");
    expect(calls).toBe(2);

    calls = 0;
    const picky = graph({ state: counter })
      .node(
        "bad-request",
        () => {
          calls++;
          throw new TypeError("400 invalid");
        },
        { retry: { maxAttempts: 5, initialDelayMs: 1, retryOn: (e) => !(e instanceof TypeError) } },
      )
      .edge(START, "bad-request")
      .edge("bad-request", END)
      .compile();
    await expect(picky.invoke({})).rejects.toBeInstanceOf(NodeError);
    expect(calls).toBe(1);
  });

  it("a timed-out attempt is retried", async () => {
    const app = graph({ state: counter })
      .node("sometimes-slow", (s, ctx) => (ctx.attempt === 1 ? new Promise(() => {}) : { n: s.n + 1 }), {
        timeoutMs: 10,
        retry: { maxAttempts: 2, initialDelayMs: 1 },
      })
      .edge(START, "sometimes-slow")
      .edge("sometimes-slow", END)
      .compile();
    expect((await app.invoke({})).n).toBe(1);
  });
});

describe("cancellation and failing siblings", () => {
  it("aborting the run aborts every running node, starts no further node, and rejects promptly", async () => {
    const controller = new AbortController();
    const aborted: string[] = [];
    const started: string[] = [];
    const hang = (name: string) => (_s: unknown, ctx: { signal: AbortSignal }) => {
      started.push(name);
      ctx.signal.addEventListener("abort", () => aborted.push(name));
      if (started.length === 2) controller.abort(new Error("user pressed stop"));
      return new Promise<never>(() => {});
    };
    const app = graph({ state: counter })
      .node("a", hang("a"))
      .node("b", hang("b"))
      .node("after", () => {
        started.push("after");
        return {};
      })
      .edge(START, "a")
      .edge(START, "b")
      .edge(["a", "b"], "after")
      .edge("after", END)
      .compile({ checkpointer: memoryCheckpointer() });
    const error = await app.invoke({}, { thread: "t", signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(RunCancelledError);
    expect(error.message).toContain("user pressed stop");
    expect(aborted.sort()).toEqual(["a", "b"]);
    expect(started).toEqual(["a", "b"]);
  });

  it("an already-aborted signal runs nothing", async () => {
    let ran = false;
    const app = graph({ state: counter })
      .node("a", () => {
        ran = true;
        return {};
      })
      .edge(START, "a")
      .edge("a", END)
      .compile();
    await expect(app.invoke({}, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(RunCancelledError);
    expect(ran).toBe(false);
  });

  it("a failing node aborts its running siblings; finished siblings' writes are kept and not re-run", async () => {
    const runs: Record<string, number> = { ok: 0, slow: 0, bad: 0 };
    let fail = true;
    let slowAborted = false;
    const app = graph({
      state: z.object({ log: z.array(z.string()).default([]) }),
      reducers: { log: "append" },
    })
      .node("ok", () => {
        runs.ok!++;
        return { log: ["ok"] };
      })
      .node("slow", (_s, ctx) => {
        runs.slow!++;
        if (!fail) return { log: ["slow"] };
        return new Promise((_resolve, reject) => {
          ctx.signal.addEventListener("abort", () => {
            slowAborted = true;
            reject(ctx.signal.reason);
          });
        });
      })
      .node("bad", async () => {
        runs.bad!++;
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error("boom");
        return { log: ["bad"] };
      })
      .edge(START, "ok")
      .edge(START, "slow")
      .edge(START, "bad")
      .edge(["ok", "slow", "bad"], END)
      .compile({ checkpointer: memoryCheckpointer() });
    const error = await app.invoke({}, { thread: "t" }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error.node).toBe("bad");
    expect(slowAborted).toBe(true);
    fail = false;
    const out = await app.invoke(null, { thread: "t" });
    expect(out.log).toEqual(["ok", "slow", "bad"]);
    expect(runs).toEqual({ ok: 1, slow: 2, bad: 2 });
  });
});
