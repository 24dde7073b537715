/** Which run the current call belongs to, so audited providers and tools record under its id. */
import { AsyncLocalStorage } from "node:async_hooks";

const runs = new AsyncLocalStorage<{ runId: string }>();

/** Runs `fn` as run `runId`: audited providers and tools inside it record under that run id. */
export function recordRun<T>(runId: string, fn: () => Promise<T>): Promise<T> {
  return runs.run({ runId }, fn);
}

/** The run id set by `recordRun` around the current call, if any. */
export function currentRunId(): string | undefined {
  return runs.getStore()?.runId;
}
