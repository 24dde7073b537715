import { CompiledGraph } from "./compiled.js";
import type { RunRequest } from "./run.js";
import { serialize } from "./serde.js";
import type { StateModel } from "./state.js";
import { SUBGRAPH_HOOKS, type SubgraphHooks } from "./task.js";
import type { NodeContext, NodeFn } from "./types.js";

type Values = Record<string, unknown>;

export function isSubgraph(value: unknown): value is CompiledGraph<any> {
  return value instanceof CompiledGraph;
}

/**
 * Wraps a compiled graph as a node. The subgraph gets the parent keys its schema also has, runs
 * in its own checkpoint namespace ("node#i@parentCheckpoint") on the parent's checkpointer, and
 * returns as the node's update what it changed in the shared keys (for "append" keys only the new
 * items). Interrupts inside it pause the parent; resuming the parent resumes the subgraph.
 */
export function subgraphNode(sub: CompiledGraph<any>, parentState: StateModel): NodeFn<Values> {
  const shared = sub.spec.state.keyNames.filter((k) => parentState.keys.has(k));
  return async (state: Values, ctx: NodeContext) => {
    const hooks = (ctx as unknown as { [SUBGRAPH_HOOKS]: SubgraphHooks })[SUBGRAPH_HOOKS];
    const { run, task } = hooks;
    const store = sub.storeFor(run.store);
    const ns = `${run.ns ? `${run.ns}/` : ""}${task.id}@${run.head.id}`;
    const input: Values = {};
    for (const key of shared) input[key] = state[key];

    let request: RunRequest = { kind: "input", input };
    const existing = store ? await store.load(run.thread, ns) : undefined;
    if (existing && store) {
      const pending = await store.pending(run.thread, ns, existing.id);
      const waiting = [...pending.interrupts.keys()].filter((id) => !pending.resumes.has(id));
      if (waiting.length) {
        const answers = Object.fromEntries(
          waiting.filter((id) => hooks.resumes.has(id)).map((id) => [id, hooks.resumes.get(id)]),
        );
        if (Object.keys(answers).length === 0) {
          return hooks.forward(
            waiting.map((id) => ({
              id,
              node: pending.interrupts.get(id)!.node,
              payload: pending.interrupts.get(id)!.payload,
            })),
          );
        }
        request = { kind: "resume", value: waiting.length === 1 ? answers[waiting[0]!] : answers };
      } else {
        request = { kind: "continue" };
      }
    }
    const result = await sub.executeIn({
      store,
      thread: run.thread,
      ns,
      request,
      signal: ctx.signal,
      maxSteps: undefined,
      emit: run.emit,
    });
    if (result.status === "interrupted") return hooks.forward(result.interrupts);
    return changes(shared, parentState, state, result.state);
  };
}

/** What the subgraph changed in the shared keys, as an update the parent's reducers can take. */
function changes(
  shared: string[],
  parentState: StateModel,
  before: Values,
  after: Values,
): Values | undefined {
  let update: Values | undefined;
  for (const key of shared) {
    const a = before[key];
    const b = after[key];
    if (parentState.isAppend(key) && Array.isArray(a) && Array.isArray(b) && b.length >= a.length) {
      if (b.length > a.length) (update ??= {})[key] = b.slice(a.length);
      continue;
    }
    if (a === b || serialize(a) === serialize(b)) continue;
    (update ??= {})[key] = b;
  }
  return update;
}
