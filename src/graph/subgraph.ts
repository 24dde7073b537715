import { CompiledGraph } from "./compiled.js";
import { InvalidUpdateError } from "./errors.js";
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
    // Unique per parent step; without a parent checkpointer the head has no id, so the run id and
    // step stand in (a subgraph with its own checkpointer must never continue an older run's thread).
    const at = hooks.checkpointId || `${run.runId}:${run.head.step}`;
    const ns = `${run.ns ? `${run.ns}/` : ""}${task.id}@${at}`;
    let input: Values = {};
    for (const key of shared) input[key] = state[key];
    // A send() packet to a subgraph is its input (on top of the shared keys).
    if (task.send && typeof task.send.input === "object" && task.send.input !== null) {
      input = { ...input, ...(task.send.input as Values) };
    }

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
    // Compared with what the subgraph was given, so keys a send() packet set are not "changes".
    return changes(task.node, shared, parentState, input, result.state);
  };
}

/**
 * What the subgraph changed in the shared keys, as an update the parent's reducers turn into exactly
 * the subgraph's values: new items for "append", changed entries for "merge", the value for "replace".
 * A custom reducer has no such inverse, so a change to such a key is refused rather than guessed.
 */
function changes(
  node: string,
  shared: string[],
  parentState: StateModel,
  before: Values,
  after: Values,
): Values | undefined {
  let update: Values | undefined;
  for (const key of shared) {
    const a = before[key];
    const b = after[key];
    if (a === b || same(a, b)) continue;
    const kind = parentState.reducerKind(key);
    if (kind === "append" && Array.isArray(a) && Array.isArray(b)) {
      if (b.length < a.length || a.some((item, i) => !same(item, b[i]))) {
        throw cannotExpress(
          node,
          key,
          `the new list does not start with the old one, which "append" cannot do`,
        );
      }
      (update ??= {})[key] = b.slice(a.length);
    } else if (kind === "merge" && (a === undefined || isPlainObject(a)) && isPlainObject(b)) {
      const old: Values = a ?? {};
      const removed = Object.keys(old).filter((k) => !(k in b));
      if (removed.length)
        throw cannotExpress(node, key, `it removed ${removed.join(", ")}, which "merge" cannot do`);
      const changed: Values = {};
      for (const k of Object.keys(b)) if (!same(old[k], b[k])) changed[k] = b[k];
      (update ??= {})[key] = changed;
    } else if (kind === "replace") {
      (update ??= {})[key] = b;
    } else {
      throw cannotExpress(
        node,
        key,
        `its reducer is ${kind === "custom" ? "a custom function" : `"${kind}"`}`,
      );
    }
  }
  return update;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return serialize(a) === serialize(b);
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Values {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function cannotExpress(node: string, key: string, why: string): InvalidUpdateError {
  return new InvalidUpdateError(
    node,
    `the subgraph changed the shared key "${key}", and the parent cannot take that change as an update: ${why}. ` +
      "Give the subgraph its own key for it, or use a plain, append or merge reducer for it in the parent.",
  );
}
