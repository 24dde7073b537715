// PostgreSQL restarting under running workflows: runs continue after the workers reconnect, and no
// recorded step or side effect is lost or doubled. A private server (src/testkit/postgres.ts), since
// restarting the shared one would break every other test running at the same time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { END, graph, postgresCheckpointer, START } from "../src/graph/index.js";
import { openRunQueue, startWorker } from "../src/queue/index.js";
import { type PrivatePostgres, startPrivatePostgres } from "../src/testkit/postgres.js";

let server: PrivatePostgres;
beforeAll(async () => {
  server = await startPrivatePostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("PostgreSQL restarting mid-run", () => {
  it("runs continue after reconnect; every side effect once, nothing failed", async () => {
    const queue = await openRunQueue({ url: server.url });
    const checkpointer = await postgresCheckpointer({ db: queue.db });
    await queue.db.query("CREATE TABLE effects (run TEXT, step TEXT)");
    const errors: unknown[] = [];
    let app = graph({
      state: z.object({ done: z.array(z.string()).default([]) }),
      reducers: { done: "append" },
    });
    for (const name of ["a", "b", "c", "d"]) {
      app = app.node(name, async (_s, ctx) => {
        await new Promise((r) => setTimeout(r, 40));
        return {
          done: [
            await ctx.transaction(name, async (tx) => {
              await tx.query("INSERT INTO effects VALUES ($1, $2)", [ctx.thread, name]);
              return name;
            }),
          ],
        };
      });
    }
    const compiled = app
      .edge(START, "a")
      .edge("a", "b")
      .edge("b", "c")
      .edge("c", "d")
      .edge("d", END)
      .compile({ checkpointer });
    const worker = await startWorker({
      queue,
      workflows: { steps: compiled },
      concurrency: 10,
      leaseMs: 1500,
      pollMs: 100,
      onError: (e) => errors.push(e),
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await queue.enqueue({ workflow: "steps" })).id);
      // Let some runs get under way, then restart the server under them.
      while ((await queue.counts()).completed < 3) await new Promise((r) => setTimeout(r, 20));
      await server.restart();
      const deadline = Date.now() + 60_000;
      let counts = await queue.counts().catch(() => undefined);
      while (counts?.completed !== 30 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        counts = await queue.counts().catch(() => undefined);
      }
      expect(counts).toMatchObject({ completed: 30, failed: 0, running: 0, queued: 0 });
      const { rows } = await queue.db.query<{ n: number; dup: number }>(
        `SELECT count(*)::int AS n,
           (SELECT count(*)::int FROM (SELECT 1 FROM effects GROUP BY run, step HAVING count(*) > 1) d) AS dup
         FROM effects`,
      );
      expect(rows[0]).toEqual({ n: 120, dup: 0 });
      for (const id of ids) expect((await queue.get(id))?.output).toEqual({ done: ["a", "b", "c", "d"] });
      // The worker saw the server go away (and said so) without crashing.
      expect(errors.some((e) => /unreachable|restarting|terminat/i.test(String((e as Error)?.message)))).toBe(
        true,
      );
    } finally {
      await worker.stop();
      await checkpointer.close();
      await queue.close();
    }
  }, 120_000);
});
