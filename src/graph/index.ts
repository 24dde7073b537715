export { type CompileOptions, GraphBuilder, type GraphOptions, graph } from "./builder.js";
export type { Checkpointer, CheckpointRecord, TaskRecord } from "./checkpointer.js";
export { CompiledGraph, type RunCallOptions } from "./compiled.js";
export { END, isSend, type Send, START, send } from "./constants.js";
export {
  BranchError,
  ConcurrentUpdateError,
  type DefinitionProblem,
  GraphDefinitionError,
  InvalidRouteError,
  InvalidUpdateError,
  LoopDetectedError,
  NodeError,
  NodeTimeoutError,
  RunCancelledError,
  SerializationError,
  type StateIssue,
  StateValidationError,
  StepLimitError,
  ThreadConflictError,
  ThreadStateError,
} from "./errors.js";
export { memoryCheckpointer } from "./memory-checkpointer.js";
export { type PostgresCheckpointerOptions, postgresCheckpointer } from "./postgres-checkpointer.js";
export type { RetryPolicy } from "./retry.js";
export type { RunResult } from "./run.js";
export { deserialize, serialize } from "./serde.js";
export { type SqliteCheckpointerOptions, sqliteCheckpointer } from "./sqlite-checkpointer.js";
export type {
  BranchOptions,
  CustomEvent,
  GraphEvent,
  InvokeOptions,
  NodeContext,
  NodeFn,
  NodeOptions,
  PendingInterrupt,
  Reducer,
  ReducerFn,
  Router,
  RouterResult,
  RunStatus,
  StateSchema,
  StateSnapshot,
  StepTransaction,
  Update,
} from "./types.js";
