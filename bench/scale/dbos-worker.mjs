// A DBOS worker process for bench/scale/run.mjs, the peer of keel-worker.mjs. Modes (argv[2] is a
// JSON config):
//   serve:   runs the "scale" workflow from the "scale" queue until run.mjs says stop.
//   latency: times DBOS.runStep inside one workflow making `count` steps, and reports the figures.
import { DBOS } from "@dbos-inc/dbos-sdk";
import { countQueries, latencySummary, serveParent, stepTimer, stepValue } from "./shared.mjs";

const config = JSON.parse(process.argv[2]);
const counts = config.countQueries ? countQueries() : null;
const timer = stepTimer();

DBOS.setConfig({
  name: "scale",
  systemDatabaseUrl: config.url,
  // One executor id per process: the default ("local") would make each launch recover the others' runs.
  executorID: config.executorId,
  applicationVersion: "bench",
  logLevel: "warn",
});

const k = config.mode === "serve" ? config.k : config.count;
const work = DBOS.registerWorkflow(
  async (input) => {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      sum += await timer.time(() => DBOS.runStep(async () => stepValue(j), { name: `s${j}` }));
    }
    return { i: input.i, sum };
  },
  { name: "scale" },
);

await DBOS.launch();

if (config.mode === "serve") {
  await DBOS.registerQueue("scale", {
    workerConcurrency: config.concurrency,
    minPollingIntervalMs: config.pollMs,
    onConflict: "always_update",
  });
  serveParent({
    async stop() {
      await DBOS.shutdown({ workflowCompletionTimeoutMS: 10_000 });
      return { stepMs: timer.ms, queries: counts ? Object.fromEntries(counts) : undefined };
    },
  });
} else {
  await work({ i: 0 });
  await DBOS.shutdown();
  process.send({ type: "latency", step: latencySummary(timer.ms) });
  process.disconnect();
}
