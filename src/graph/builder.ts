import type { z } from "zod";
import type { Checkpointer } from "./checkpointer.js";
import { CompiledGraph } from "./compiled.js";
import { END, START } from "./constants.js";
import { type DefinitionProblem, GraphDefinitionError } from "./errors.js";
import { buildRetry, validateRetryPolicy } from "./retry.js";
import type { BranchSpec, GraphSpec, JoinSpec, NodeSpec } from "./spec.js";
import { closest, StateModel } from "./state.js";
import { isSubgraph, subgraphNode } from "./subgraph.js";
import type { BranchOptions, NodeFn, NodeOptions, Reducer, Router, StateSchema } from "./types.js";

export interface GraphOptions<Schema extends StateSchema> {
  /** A Zod object schema; defaults fill a new thread's input. */
  state: Schema;
  /** Per key: "replace" (the default), "append", "merge" or `(current, update) => next`. */
  reducers?: { [K in keyof z.infer<Schema>]?: Reducer };
}

export interface CompileOptions {
  checkpointer?: Checkpointer;
  /** Steps one invocation may run before `StepLimitError` (default 25). */
  maxSteps?: number;
  /** Stop a run that comes back to a state and next nodes it has already had (default true). */
  loopDetection?: boolean;
  /** Injected for deterministic tests and replay. */
  clock?: () => number;
  idGenerator?: () => string;
}

interface PendingNode {
  name: string;
  fn: NodeFn<any> | CompiledGraph<any>;
  options: NodeOptions;
}

/**
 * Starts a graph definition over a typed state.
 *
 * @example
 * const app = graph({ state: z.object({ question: z.string(), answer: z.string().default("") }) })
 *   .node("answer", async (s) => ({ answer: await ask(s.question) }))
 *   .edge(START, "answer")
 *   .edge("answer", END)
 *   .compile();
 */
export function graph<Schema extends StateSchema>(
  options: GraphOptions<Schema>,
): GraphBuilder<z.infer<Schema>> {
  return new GraphBuilder(options.state, (options.reducers ?? {}) as Record<string, Reducer>);
}

export class GraphBuilder<S extends Record<string, unknown>> {
  private readonly nodes: PendingNode[] = [];
  private readonly edges: { from: string | string[]; to: string }[] = [];
  private readonly branches: { from: string; router: Router<S>; paths: string[] | undefined }[] = [];

  constructor(
    private readonly schema: StateSchema,
    private readonly reducers: Record<string, Reducer>,
  ) {}

  /** Adds a node: a function `(state, ctx) => update`, or a compiled graph (a subgraph). */
  node(name: string, fn: NodeFn<S> | CompiledGraph<any>, options: NodeOptions = {}): this {
    this.nodes.push({ name, fn: fn as NodeFn<any>, options });
    return this;
  }

  /** `from` → `to`. With an array `from`, `to` runs once after all of them have finished (a join). */
  edge(from: string | string[], to: string): this {
    this.edges.push({ from: Array.isArray(from) ? [...from] : from, to });
    return this;
  }

  /**
   * After `from`, `router(state)` picks what runs next: a node name, END, an array of names, or
   * `send(node, input)` packets. List `paths` to let compile() check every target.
   */
  branch(from: string, router: Router<S>, options: BranchOptions = {}): this {
    this.branches.push({ from, router, paths: options.paths ? [...options.paths] : undefined });
    return this;
  }

  /** Checks the whole definition and returns a runnable graph; nothing is written on failure. */
  compile(options: CompileOptions = {}): CompiledGraph<S> {
    const problems: DefinitionProblem[] = [];
    const state = new StateModel(this.schema, this.reducers);
    for (const message of state.problems) problems.push({ code: "INVALID_OPTION", message });
    for (const key of state.unknownReducerKeys(this.reducers)) {
      problems.push({
        code: "UNKNOWN_STATE_KEY",
        message: `reducers.${key}: "${key}" is not a key of the state schema`,
      });
    }

    const nodes = new Map<string, NodeSpec>();
    for (const pending of this.nodes) {
      const { name, options: o } = pending;
      if (name === START || name === END || name.length === 0) {
        problems.push({ code: "RESERVED_NAME", message: `"${name}" cannot be a node name` });
        continue;
      }
      if (nodes.has(name)) {
        problems.push({
          code: "DUPLICATE_NODE",
          message: `node "${name}" is defined twice; node names must be unique`,
        });
        continue;
      }
      const retryProblem = o.retry ? validateRetryPolicy(o.retry) : undefined;
      if (retryProblem) problems.push({ code: "INVALID_OPTION", message: `node "${name}": ${retryProblem}` });
      if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) {
        problems.push({
          code: "INVALID_OPTION",
          message: `node "${name}": timeoutMs must be a positive number`,
        });
      }
      const fn = isSubgraph(pending.fn) ? subgraphNode(pending.fn, state) : pending.fn;
      nodes.set(name, {
        name,
        index: nodes.size,
        fn,
        retry: o.retry && !retryProblem ? buildRetry(o.retry) : undefined,
        timeoutMs: o.timeoutMs,
        firstTaskId: `${name}#0`,
      });
    }
    const names = [...nodes.keys()];
    const checkTarget = (where: string, target: string, allowEnd: boolean) => {
      if (target === END && allowEnd) return true;
      if (nodes.has(target)) return true;
      const near = closest(target, names);
      problems.push({
        code: "UNKNOWN_NODE",
        message: `${where}: no node named "${target}"${near ? ` (did you mean "${near}"?)` : ""}`,
      });
      return false;
    };
    const checkSource = (where: string, source: string) => {
      if (source === END) {
        problems.push({ code: "UNKNOWN_NODE", message: `${where}: nothing can follow END` });
        return false;
      }
      return source === START || checkTarget(where, source, false);
    };

    const edges = new Map<string, string[]>();
    const joins: JoinSpec[] = [];
    const successors = new Map<string, Set<string>>();
    const link = (from: string, to: string) => {
      let s = successors.get(from);
      if (!s) successors.set(from, (s = new Set()));
      s.add(to);
    };
    for (const { from, to } of this.edges) {
      const label = `edge ${Array.isArray(from) ? `[${from.join(", ")}]` : from} → ${to}`;
      const sources = Array.isArray(from) ? from : [from];
      if (sources.length === 0) {
        problems.push({ code: "INVALID_OPTION", message: `${label}: a join needs at least one source` });
        continue;
      }
      let ok = checkTarget(label, to, true);
      for (const s of sources) ok = checkSource(label, s) && ok;
      if (to === START) {
        problems.push({ code: "UNKNOWN_NODE", message: `${label}: nothing can lead to START` });
        ok = false;
      }
      if (!ok) continue;
      if (Array.isArray(from) && sources.length > 1) {
        if (sources.includes(START)) {
          problems.push({ code: "INVALID_OPTION", message: `${label}: START cannot be part of a join` });
          continue;
        }
        joins.push({ id: joins.length, sources: [...new Set(sources)], to });
      } else {
        const list = edges.get(sources[0]!) ?? [];
        if (to !== END && !list.includes(to)) list.push(to);
        edges.set(sources[0]!, list);
      }
      for (const s of sources) link(s, to);
    }

    const branches = new Map<string, BranchSpec[]>();
    for (const b of this.branches) {
      const label = `branch from ${b.from}`;
      if (!checkSource(label, b.from)) continue;
      if (b.paths) for (const p of b.paths) checkTarget(label, p, true);
      const list = branches.get(b.from) ?? [];
      list.push({ from: b.from, router: b.router, paths: b.paths });
      branches.set(b.from, list);
      // A branch without declared paths may go anywhere, END included.
      for (const p of b.paths ?? [...names, END]) link(b.from, p);
    }

    if (nodes.size > 0 && !successors.has(START)) {
      problems.push({
        code: "NO_ENTRY",
        message: `nothing starts the graph: add .edge(START, "${names[0]}") or a .branch(START, ...)`,
      });
    }
    const reachable = walk(START, (n) => successors.get(n));
    const predecessors = new Map<string, Set<string>>();
    for (const [from, tos] of successors) {
      for (const to of tos) {
        let p = predecessors.get(to);
        if (!p) predecessors.set(to, (p = new Set()));
        p.add(from);
      }
    }
    const reachesEnd = walk(END, (n) => predecessors.get(n));
    for (const name of names) {
      if (successors.has(START) && !reachable.has(name)) {
        problems.push({
          code: "UNREACHABLE_NODE",
          message: `node "${name}" is unreachable from START: add an edge or a branch (with paths) that leads to it`,
        });
      } else if (!reachesEnd.has(name)) {
        problems.push({
          code: "NO_PATH_TO_END",
          message: `node "${name}" has no path to END: add an edge from it (or from what follows it) to END`,
        });
      }
    }
    const maxSteps = options.maxSteps ?? 25;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      problems.push({ code: "INVALID_OPTION", message: "maxSteps must be an integer >= 1" });
    }
    if (problems.length) throw new GraphDefinitionError(problems);

    const joinsBySource = new Map<string, JoinSpec[]>();
    for (const j of joins) {
      for (const s of j.sources) joinsBySource.set(s, [...(joinsBySource.get(s) ?? []), j]);
    }
    const spec: GraphSpec = {
      state,
      nodes,
      edges,
      branches,
      joins,
      joinsBySource,
      mayLoop: hasCycle(names, (n) => successors.get(n)),
    };
    return new CompiledGraph<S>(spec, {
      checkpointer: options.checkpointer,
      maxSteps,
      loopDetection: options.loopDetection ?? true,
      clock: options.clock ?? Date.now,
      idGenerator: options.idGenerator ?? (() => crypto.randomUUID()),
    });
  }
}

function walk(from: string, next: (n: string) => Iterable<string> | undefined): Set<string> {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    for (const n of next(stack.pop()!) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

function hasCycle(names: string[], next: (n: string) => Iterable<string> | undefined): boolean {
  const state = new Map<string, 1 | 2>();
  const visit = (n: string): boolean => {
    state.set(n, 1);
    for (const m of next(n) ?? []) {
      if (m === END) continue;
      const s = state.get(m);
      if (s === 1) return true;
      if (s === undefined && visit(m)) return true;
    }
    state.set(n, 2);
    return false;
  };
  return names.some((n) => !state.has(n) && visit(n));
}
