import type { BuiltRetry } from "./retry.js";
import type { StateModel } from "./state.js";
import type { NodeFn, Router } from "./types.js";

export interface NodeSpec {
  name: string;
  /** Declaration order: updates of one step are applied in this order. */
  index: number;
  fn: NodeFn<any>;
  retry: BuiltRetry | undefined;
  timeoutMs: number | undefined;
  /** Id of the node's first task in a step ("name#0"), built once. */
  firstTaskId: string;
}

export interface BranchSpec {
  from: string;
  router: Router<any>;
  paths: string[] | undefined;
}

export interface JoinSpec {
  id: number;
  sources: string[];
  to: string;
}

/** The immutable, validated graph a compiled graph runs. */
export interface GraphSpec {
  state: StateModel;
  nodes: ReadonlyMap<string, NodeSpec>;
  /** Plain edges: from → targets (END omitted). */
  edges: ReadonlyMap<string, readonly string[]>;
  branches: ReadonlyMap<string, readonly BranchSpec[]>;
  joins: readonly JoinSpec[];
  joinsBySource: ReadonlyMap<string, readonly JoinSpec[]>;
  /** Whether the static topology has a cycle (or a branch that may form one): loop detection is needed. */
  mayLoop: boolean;
}
