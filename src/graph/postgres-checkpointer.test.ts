import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { checkpointerConformance } from "../testkit/checkpointer-conformance.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { graph } from "./builder.js";
import type { Checkpointer } from "./checkpointer.js";
import { END, START } from "./constants.js";
import { postgresCheckpointer } from "./postgres-checkpointer.js";

const schema = usePostgresSchemas();

checkpointerConformance("postgres", async () => {
  const url = await schema();
  let current = await postgresCheckpointer({ url });
  return {
    checkpointer: current,
    reopen: async () => {
      await current.close();
      current = await postgresCheckpointer({ url });
      return current;
    },
  };
});

/** Two "processes": separate pools and checkpointers on one database. */
async function twoWorkers(): Promise<{
  dbs: PostgresDatabase[];
  cps: Checkpointer[];
  close(): Promise<void>;
}> {
  const url = await schema();
  const dbs = [openPostgres(url), openPostgres(url)];
  const cps = [await postgresCheckpointer({ db: dbs[0]! }), await postgresCheckpointer({ db: dbs[1]! })];
  await dbs[0]!.query("CREATE TABLE charges (thread TEXT, amount INTEGER)");
  return {
    dbs,
    cps,
    close: async () => {
      for (const cp of cps) await cp.close();
      for (const db of dbs) await db.close();
    },
  };
}

const State = z.object({ amount: z.number(), receipt: z.string().optional() });

/**
 * A payment node that fails once after its durable work (so the thread stops with the node still
 * to run), then, on the next invocations, waits at `gate` so that two workers run it at once.
 */
function payments(cp: Checkpointer, opts: { transactional: boolean; gate: Promise<void>; calls: string[] }) {
  let first = true;
  return graph({ state: State })
    .node("pay", async (s, ctx) => {
      if (first) {
        first = false;
        throw new Error("crash before the node did anything");
      }
      opts.calls.push(ctx.runId);
      await opts.gate;
      const receipt = opts.transactional
        ? await ctx.transaction("charge", async (tx) => {
            await tx.query("INSERT INTO charges VALUES ($1, $2)", [ctx.thread, s.amount]);
            return `r-${ctx.runId}`;
          })
        : await ctx.step("charge", () => `r-${ctx.runId}`);
      return { receipt };
    })
    .edge(START, "pay")
    .edge("pay", END)
    .compile({ checkpointer: cp });
}

describe("postgres checkpointer with two workers on one thread", () => {
  for (const transactional of [true, false]) {
    it(`${transactional ? "ctx.transaction" : "ctx.step"}: both racing workers get one recorded result; one commits the step`, async () => {
      const w = await twoWorkers();
      try {
        let open!: () => void;
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        const calls: string[] = [];
        const apps = w.cps.map((cp) => payments(cp, { transactional, gate, calls }));
        await expect(apps[0]!.invoke({ amount: 5 }, { thread: "order-1" })).rejects.toThrow(/crash before/);
        // Worker 2 burns its own first-call failure on another thread.
        await expect(apps[1]!.invoke({ amount: 1 }, { thread: "other" })).rejects.toThrow(/crash before/);

        const runs = apps.map((app) => app.invoke(null, { thread: "order-1" }));
        while (calls.length < 2) await new Promise((r) => setTimeout(r, 5));
        open();
        const results = await Promise.allSettled(runs);

        // One finished the thread; the other lost the head check after taking the recorded result.
        const done = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
        const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
        expect(done).toHaveLength(1);
        expect(lost[0]?.code).toBe("THREAD_CONFLICT");
        // The receipt is the step's first recorded result, whichever worker got there first.
        const receipt = done[0]!.receipt as string;
        expect(calls).toContain(receipt.slice(2));
        const steps = await w.cps[0]!.tasks("order-1", "", (await w.cps[0]!.list("order-1", ""))[0]!.id);
        expect(steps.filter((t) => t.kind === "step").map((t) => t.data)).toEqual([
          `j${JSON.stringify(receipt)}`,
        ]);
        if (transactional) {
          const { rows } = await w.dbs[0]!.query("SELECT thread, amount FROM charges");
          expect(rows).toEqual([{ thread: "order-1", amount: 5 }]);
        }
        const history = await w.cps[0]!.list("order-1", "");
        expect(history.at(-1)?.step).toBe(1);
      } finally {
        await w.close();
      }
    });
  }

  it("a transactional step that throws writes nothing and records nothing", async () => {
    const w = await twoWorkers();
    try {
      const app = graph({ state: State })
        .node("pay", async (s, ctx) => {
          await ctx.transaction("charge", async (tx) => {
            await tx.query("INSERT INTO charges VALUES ($1, $2)", [ctx.thread, s.amount]);
            throw new Error("card declined");
          });
          return {};
        })
        .edge(START, "pay")
        .edge("pay", END)
        .compile({ checkpointer: w.cps[0]! });
      await expect(app.invoke({ amount: 9 }, { thread: "t" })).rejects.toThrow(/card declined/);
      expect((await w.dbs[0]!.query("SELECT count(*)::int AS n FROM charges")).rows[0]).toEqual({ n: 0 });
    } finally {
      await w.close();
    }
  });

  it("ctx.transaction on a checkpointer without transactions says which one to use", async () => {
    const { memoryCheckpointer } = await import("./memory-checkpointer.js");
    const app = graph({ state: State })
      .node("pay", async (_s, ctx) => {
        await ctx.transaction("charge", async () => 1);
        return {};
      })
      .edge(START, "pay")
      .edge("pay", END)
      .compile({ checkpointer: memoryCheckpointer() });
    await expect(app.invoke({ amount: 1 }, { thread: "t" })).rejects.toThrow(/postgresCheckpointer/);
  });
});
