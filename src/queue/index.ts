export {
  checkPostgresUrl,
  migratePostgres,
  openPostgres,
  type PostgresDatabase,
  type PostgresOptions,
} from "../db/postgres.js";
export {
  type EnqueueOptions,
  openRunQueue,
  type QueuedRun,
  type QueuedRunStatus,
  type QueueEvent,
  RunQueue,
  type RunQueueOptions,
  type Schedule,
  type ScheduleOptions,
  UnknownRunError,
} from "./run-queue.js";
export {
  type ConcurrencyLimits,
  type RunInfo,
  startWorker,
  Worker,
  type WorkerOptions,
  type WorkerStats,
} from "./worker.js";
