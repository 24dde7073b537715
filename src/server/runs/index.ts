/**
 * The runs API (`addRunRoutes`, a route group for `createKeelServer({ groups })`) and what
 * `keel run` shares with it: one invocation of a workflow with its scopes and audit, and the JSON
 * form of a run's events.
 */
export { type Invocation, type InvocationTarget, invoke } from "./execute.js";
export { addRunRoutes, type RunRoutesOptions, runRoutes } from "./routes.js";

export type { FinalStatus, RunError, RunInterrupt, RunRecord, RunStatus } from "./store.js";
export { endEvent, type Outcome, type WireEvent } from "./wire.js";
export {
  currentRun,
  graphThread,
  type LoadedWorkflow,
  loadWorkflow,
  openRunCheckpointer,
  parseWorkflowInput,
  type RunScope,
  workflowDeps,
} from "./workflows.js";
