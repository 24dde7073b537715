// A Keel worker process for bench/scale/run.mjs. Modes (argv[2] is a JSON config):
//   serve:   runs the "scale" workflow from the queue until run.mjs says stop.
//   latency: times postgresCheckpointer put() and putTask() one at a time, then ctx.step inside one
//            run, and reports the figures.
// Imports the built package (dist/): run `npm run build` first.
import { z } from "zod";
import { END, graph, postgresCheckpointer, START } from "../../dist/graph/index.js";
import { openRunQueue, startWorker } from "../../dist/queue/index.js";
import { countQueries, latencySummary, serveParent, stepTimer, stepValue } from "./shared.mjs";

const config = JSON.parse(process.argv[2]);
const counts = config.countQueries ? countQueries() : null;
const State = z.object({ i: z.number(), sum: z.number().default(0) });

/** One node calling ctx.step k times: one checkpoint per run after the start, k step records. */
function oneNode(checkpointer, k, timer) {
  return graph({ state: State })
    .node("work", async (_s, ctx) => {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += await timer.time(() => ctx.step(`s${j}`, async () => stepValue(j)));
      return { sum };
    })
    .edge(START, "work")
    .edge("work", END)
    .compile({ checkpointer });
}

/** k nodes of one ctx.step each: a checkpoint after every node (superstep) as well. */
function kNodes(checkpointer, k, timer) {
  let g = graph({ state: State });
  for (let j = 0; j < k; j++) {
    g = g.node(`n${j}`, async (s, ctx) => ({
      sum: s.sum + (await timer.time(() => ctx.step(`s${j}`, async () => stepValue(j)))),
    }));
  }
  g = g.edge(START, "n0");
  for (let j = 1; j < k; j++) g = g.edge(`n${j - 1}`, `n${j}`);
  return g.edge(`n${k - 1}`, END).compile({ checkpointer });
}

const timer = stepTimer();

if (config.mode === "serve") {
  const queue = await openRunQueue({ url: config.url });
  const checkpointer = await postgresCheckpointer({ db: queue.db });
  const app = (config.shape === "k-nodes" ? kNodes : oneNode)(checkpointer, config.k, timer);
  const worker = await startWorker({
    queue,
    workflows: { scale: app },
    concurrency: config.concurrency,
    pollMs: config.pollMs,
  });
  serveParent({
    async stop() {
      await worker.stop({ drain: true });
      await checkpointer.close();
      await queue.close();
      return {
        stepMs: timer.ms,
        stats: worker.stats,
        queries: counts ? Object.fromEntries(counts) : undefined,
      };
    },
  });
} else {
  // latency: one process, one write at a time.
  const checkpointer = await postgresCheckpointer({ url: config.url });
  const m = config.count;
  const put = [];
  // A delta the size of the one-node workflow's: one node's update of one number.
  const data = JSON.stringify([["work", { sum: 45 }]]);
  const meta = JSON.stringify({ source: "loop", writes: { work: { sum: 45 } }, next: ["work"] });
  let parentId = null;
  for (let n = 0; n <= m; n++) {
    const id = `cp-${String(n).padStart(8, "0")}`;
    const record = {
      thread: "latency",
      ns: "",
      id,
      parentId,
      step: n,
      kind: n === 0 ? "snapshot" : "delta",
      baseId: "cp-00000000",
      data: n === 0 ? JSON.stringify({ i: 0, sum: 0 }) : data,
      meta,
      createdAt: Date.now(),
    };
    const t = performance.now();
    await checkpointer.put(record);
    if (n > 0) put.push(performance.now() - t);
    parentId = id;
  }
  const putTask = [];
  for (let n = 0; n < m; n++) {
    const t = performance.now();
    await checkpointer.putTask("latency", "", {
      checkpointId: parentId,
      taskId: "task-1",
      kind: "step",
      key: `${n + 1}:s`,
      data: String(n % 10),
    });
    putTask.push(performance.now() - t);
  }
  // ctx.step inside one run of a one-node graph making m steps (what a workflow waits per step).
  const app = oneNode(checkpointer, m, timer);
  await app.invoke({ i: 0 }, { thread: "latency-run" });
  await checkpointer.close();
  process.send({
    type: "latency",
    put: latencySummary(put),
    putTask: latencySummary(putTask),
    step: latencySummary(timer.ms),
  });
  process.disconnect();
}
