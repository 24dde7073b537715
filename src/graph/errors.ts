import { KeelError } from "../errors/index.js";

/** One problem found in a graph definition by `compile()`. */
export interface DefinitionProblem {
  code:
    | "DUPLICATE_NODE"
    | "RESERVED_NAME"
    | "UNKNOWN_NODE"
    | "UNREACHABLE_NODE"
    | "NO_PATH_TO_END"
    | "NO_ENTRY"
    | "INVALID_OPTION"
    | "UNKNOWN_STATE_KEY";
  message: string;
}

/** `compile()` found problems in the graph; every one is listed, nothing ran and nothing was written. */
export class GraphDefinitionError extends KeelError {
  readonly problems: DefinitionProblem[];
  constructor(problems: DefinitionProblem[]) {
    const list = problems.map((p) => `  - ${p.message}`).join("\n");
    super(
      "GRAPH_DEFINITION",
      `The graph cannot be compiled (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${list}`,
    );
    this.problems = problems;
  }
}

export interface StateIssue {
  path: (string | number)[];
  message: string;
}

/** Input, a node's update or a patch does not match the state schema. */
export class StateValidationError extends KeelError {
  readonly issues: StateIssue[];
  readonly source: string;
  constructor(source: string, issues: StateIssue[]) {
    const list = issues
      .map((i) => `  - ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("\n");
    super("STATE_VALIDATION", `${source} does not match the state schema; fix these fields:\n${list}`);
    this.issues = issues;
    this.source = source;
  }
}

/** Two tasks of one superstep wrote the same key, and the key has no reducer to combine them. */
export class ConcurrentUpdateError extends KeelError {
  readonly key: string;
  readonly nodes: [string, string];
  constructor(key: string, nodes: [string, string], step: number) {
    super(
      "CONCURRENT_UPDATE",
      `Nodes "${nodes[0]}" and "${nodes[1]}" both wrote state key "${key}" in step ${step}, and "${key}" has no reducer. ` +
        `Give it one in graph({ reducers: { ${key}: "append" | "merge" | (current, update) => next } }), or let only one of them write it.`,
    );
    this.key = key;
    this.nodes = nodes;
  }
}

export class StepLimitError extends KeelError {
  readonly maxSteps: number;
  constructor(maxSteps: number, next: string[]) {
    super(
      "STEP_LIMIT",
      `The run reached maxSteps (${maxSteps}) with nodes still to run (${next.join(", ")}). ` +
        "If the graph needs more steps, raise maxSteps in compile() or invoke(); with a checkpointer, " +
        "invoke(null, { thread }) continues the thread. If it should have ended, check the branch that loops.",
    );
    this.maxSteps = maxSteps;
  }
}

export class LoopDetectedError extends KeelError {
  readonly step: number;
  readonly firstSeenStep: number;
  readonly next: string[];
  constructor(step: number, firstSeenStep: number, next: string[]) {
    super(
      "LOOP_DETECTED",
      `Step ${step} reached exactly the state and next nodes (${next.join(", ")}) of step ${firstSeenStep}: ` +
        "the run would repeat itself forever. Make the looping nodes change the state (a counter, a status), " +
        "or compile({ loopDetection: false }) if a node legitimately polls something outside the state.",
    );
    this.step = step;
    this.firstSeenStep = firstSeenStep;
    this.next = next;
  }
}

export class NodeTimeoutError extends KeelError {
  readonly node: string;
  readonly timeoutMs: number;
  constructor(node: string, timeoutMs: number) {
    super(
      "NODE_TIMEOUT",
      `Node "${node}" did not finish within ${timeoutMs} ms. Raise its timeoutMs, or make it honour ctx.signal so it stops sooner.`,
      { retryable: true },
    );
    this.node = node;
    this.timeoutMs = timeoutMs;
  }
}

/** A node threw (after its retries); the original error is `cause`. */
export class NodeError extends KeelError {
  readonly node: string;
  readonly attempts: number;
  constructor(node: string, attempts: number, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      "NODE_FAILED",
      `Node "${node}" failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${detail}. ` +
        "With a checkpointer, the writes of nodes that finished in the same step are saved: fix the cause and " +
        "invoke(null, { thread }) to continue.",
      { cause },
    );
    this.node = node;
    this.attempts = attempts;
  }
}

export class RunCancelledError extends KeelError {
  constructor(reason: unknown) {
    const detail = reason instanceof Error ? reason.message : reason === undefined ? "" : String(reason);
    super(
      "RUN_CANCELLED",
      `The run was cancelled${detail ? ` (${detail})` : ""}. With a checkpointer, finished work is saved and ` +
        "invoke(null, { thread }) continues the thread.",
      { cause: reason },
    );
  }
}

export class InvalidRouteError extends KeelError {
  constructor(from: string, returned: string, known: string[]) {
    super(
      "INVALID_ROUTE",
      `The branch from "${from}" returned ${returned}, which is not a node of this graph (or not among its paths). ` +
        `Return one of ${known.map((k) => `"${k}"`).join(", ")}, END, an array of them, or send(node, input) packets.`,
    );
  }
}

/** A branch's router threw; the original error is `cause`. */
export class BranchError extends KeelError {
  readonly from: string;
  constructor(from: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const atStart = from === "__start__";
    super(
      "BRANCH_FAILED",
      atStart
        ? `The router of the branch from START threw: ${detail}. Nothing ran; fix the router and start the run again.`
        : `The router of the branch from "${from}" threw: ${detail}. The step's updates are saved; with a ` +
            "checkpointer, fix the router and invoke(null, { thread }) to continue.",
      { cause },
    );
    this.from = from;
  }
}

export class InvalidUpdateError extends KeelError {
  readonly node: string;
  constructor(node: string, message: string) {
    super("INVALID_UPDATE", `Node "${node}" returned an invalid update: ${message}`);
    this.node = node;
  }
}

/** Thread-level misuse: resume without an interrupt, invoke while interrupted, unknown checkpoint. */
export class ThreadStateError extends KeelError {
  readonly thread: string;
  constructor(code: string, thread: string, message: string) {
    super(code, message);
    this.thread = thread;
  }
}

export class SerializationError extends KeelError {
  constructor(what: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      "SERIALIZATION",
      `${what} cannot be stored in a checkpoint: ${detail}. State may hold plain data, Date, Map, Set, BigInt, ` +
        "typed arrays, RegExp and URL; keep functions, class instances and streams out of it.",
      { cause },
    );
  }
}

/** Another run on the same thread wrote a checkpoint first; this run's write was refused. */
export class ThreadConflictError extends KeelError {
  readonly thread: string;
  constructor(thread: string, ns: string, expected: string | null, actual: string | null) {
    super(
      "THREAD_CONFLICT",
      `Thread "${thread}"${ns ? ` (namespace ${ns})` : ""} moved on while this run worked on it: expected its latest ` +
        `checkpoint to be ${expected ?? "none"}, found ${actual ?? "none"}. Two runs on one thread must not overlap; ` +
        "wait for the other run, then continue with invoke(null, { thread }) or resume.",
    );
    this.thread = thread;
  }
}
