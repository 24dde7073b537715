/** The virtual entry node: `.edge(START, "first")`. */
export const START = "__start__";
/** The virtual exit node: `.edge("last", END)`, or a router returning `END`. */
export const END = "__end__";

const SEND = Symbol.for("keel.send");

/** A packet that runs `node` with `input` instead of the shared state (map-reduce fan-out). */
export interface Send<Input = unknown> {
  readonly [SEND]: true;
  readonly node: string;
  readonly input: Input;
}

/**
 * Returned (in an array) by a router to fan out: each packet runs `node` once with its own `input`.
 *
 * @example
 * .branch("plan", (s) => s.topics.map((topic) => send("research", { topic })))
 */
export function send<Input>(node: string, input: Input): Send<Input> {
  return { [SEND]: true, node, input };
}

export function isSend(value: unknown): value is Send {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SEND] === true;
}
