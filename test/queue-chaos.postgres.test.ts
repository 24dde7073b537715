// Chaos: three worker processes share one queue on the local PostgreSQL while a loop SIGKILLs a
// random one every few hundred milliseconds and starts another. Every run must complete, every
// transactional side effect must exist exactly once, and no run may stay leased. The workers are
// the built package (test/fixtures/queue-worker.mjs imports dist/).
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRunQueue } from "../src/queue/index.js";
import { usePostgresSchemas } from "../src/testkit/postgres.js";

const WORKER = path.join(import.meta.dirname, "fixtures", "queue-worker.mjs");
const RUNS = 300;
const WORKERS = 3;
const CHAOS_MS = 12_000;
const schema = usePostgresSchemas();
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

/** A worker process; `ready` resolves once it takes runs (a worker killed before that never does). */
function spawnWorker(url: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [WORKER, url], { stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before it was ready`)),
    );
  });
  ready.catch(() => undefined);
  return { child, ready };
}

describe("run queue under SIGKILL chaos", () => {
  it(`${RUNS} runs, ${WORKERS} workers, a random worker killed every few hundred ms: each side effect exactly once`, async () => {
    const url = await schema();
    const queue = await openRunQueue({ url });
    try {
      await queue.db.query("CREATE TABLE side_effects (run_id TEXT NOT NULL, step TEXT NOT NULL)");
      await queue.db.query("CREATE TABLE plain_calls (run_id TEXT NOT NULL)");
      // Tables the workers' checkpointer creates, made now so that no worker dies mid-migration.
      const { postgresCheckpointer } = await import("../src/graph/index.js");
      await (await postgresCheckpointer({ db: queue.db })).close();

      const workers = Array.from({ length: WORKERS }, () => spawnWorker(url));
      await Promise.all(workers.map((w) => w.ready));
      const ids: string[] = [];
      for (let i = 0; i < RUNS; i++)
        ids.push((await queue.enqueue({ workflow: "chaos", input: { n: i } })).id);

      let kills = 0;
      const until = Date.now() + CHAOS_MS;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
        const counts = await queue.counts();
        if (counts.completed === RUNS) break;
        // The replacement is not awaited: the next kill may find it still starting (or take it).
        const i = Math.floor(Math.random() * workers.length);
        workers[i]!.child.kill("SIGKILL");
        kills++;
        workers[i] = spawnWorker(url);
      }
      // Chaos over: the survivors finish what is left (a dead worker's runs wait out its lease).
      await Promise.all(workers.map((w) => w.ready));
      const deadline = Date.now() + 60_000;
      while ((await queue.counts()).completed < RUNS && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }

      const counts = await queue.counts();
      const { rows: effects } = await queue.db.query<{ n: number; duplicates: number; runs: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT run_id)::int AS runs,
           (SELECT count(*)::int FROM (SELECT 1 FROM side_effects GROUP BY run_id, step HAVING count(*) > 1) d) AS duplicates
         FROM side_effects`,
      );
      const { rows: attempts } = await queue.db.query<{ recovered: number; claims: number }>(
        "SELECT count(*) FILTER (WHERE attempts > 1)::int AS recovered, sum(attempts)::int AS claims FROM keel_queue",
      );
      const { rows: plain } = await queue.db.query<{ calls: number }>(
        "SELECT count(*)::int AS calls FROM plain_calls",
      );
      const { rows: leased } = await queue.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM keel_queue WHERE status = 'running' OR lease_until IS NOT NULL",
      );
      const figures = {
        runs: RUNS,
        completed: counts.completed,
        kills,
        recoveredRuns: attempts[0]!.recovered,
        claims: attempts[0]!.claims,
        sideEffects: effects[0]!.n,
        duplicates: effects[0]!.duplicates,
        plainStepCalls: plain[0]!.calls,
        stillLeased: leased[0]!.n,
      };
      console.log(`queue chaos: ${JSON.stringify(figures)}`);

      expect(counts).toMatchObject({ completed: RUNS, running: 0, queued: 0, failed: 0 });
      expect(figures.duplicates).toBe(0);
      expect(figures.sideEffects).toBe(RUNS * 3);
      expect(effects[0]!.runs).toBe(RUNS);
      expect(figures.stillLeased).toBe(0);
      expect(kills).toBeGreaterThan(5);
      // The kills landed mid-run: some runs were taken over by another worker.
      expect(figures.recoveredRuns).toBeGreaterThan(0);
      // Each run's outputs name every step once, whichever workers ran them.
      for (const run of await queue.list({ limit: RUNS })) {
        expect(run.output).toMatchObject({ done: ["a", "b", "c", "plain"] });
      }
    } finally {
      for (const c of children) c.kill("SIGKILL");
      await queue.close();
    }
  }, 120_000);
});
