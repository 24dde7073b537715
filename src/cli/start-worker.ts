/**
 * What `keel worker` runs: the configuration's workflows, executed from the PostgreSQL store's run
 * queue with the starting keys' guards and audit, until SIGINT/SIGTERM hands the runs in hand back
 * to the queue. Imported by the command's action only, since it loads the server runtime.
 */
import path from "node:path";
import { KeelError } from "../errors/index.js";
import { loadConfig } from "../server/config.js";
import { startRunWorker, syncSchedules } from "../server/runs/queued.js";
import { type LoadedWorkflow, loadWorkflow, workflowDeps } from "../server/runs/workflows.js";
import { openRuntime } from "../server/runtime.js";

export async function work(options: {
  config?: string;
  concurrency: number;
  leaseMs: number;
}): Promise<void> {
  const { config, file } = await loadConfig(options.config);
  const rt = await openRuntime({ config, configDir: file ? path.dirname(file) : process.cwd() });
  try {
    if (rt.store.kind !== "postgres" || !rt.store.checkpointer) {
      throw new KeelError(
        "INVALID_CONFIG",
        `keel worker takes runs from a PostgreSQL store, and this one is the SQLite file ${rt.storePath}: set KEEL_DB=postgres://USER@HOST:5432/DB (or store.url in keel.config.ts). On SQLite, keel serve executes its runs itself.`,
      );
    }
    const deps = workflowDeps(rt, rt.store.checkpointer);
    const workflows = new Map<string, LoadedWorkflow>();
    for (const name of Object.keys(rt.config.workflows ?? {}))
      workflows.set(name, loadWorkflow(rt, name, deps));
    if (workflows.size === 0) {
      throw new KeelError(
        "INVALID_CONFIG",
        `${file ?? "The configuration"} has no workflows for a worker to run (workflows in keel.config.ts).`,
      );
    }
    await syncSchedules(rt);
    const worker = await startRunWorker(rt, workflows, {
      concurrency: options.concurrency,
      leaseMs: options.leaseMs,
      onError: (error) => console.error(`keel worker: ${(error as Error)?.message ?? String(error)}`),
    });
    console.log(`keel worker ${worker.id}: running ${[...workflows.keys()].join(", ")} from ${rt.storePath}`);
    await new Promise<void>((resolve) => {
      const stop = async (signal: string) => {
        console.error(`keel worker: ${signal}, handing ${worker.running} run(s) back to the queue...`);
        await worker.stop();
        resolve();
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
    });
  } finally {
    await rt.close();
  }
}
