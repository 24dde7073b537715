import type { NodeContext } from "../graph/types.js";
import type { Message, ToolCall } from "../model/types.js";
import { callTool, type Tool } from "./tool.js";

/** The payload of the interrupt a `requiresApproval` tool raises before it runs. */
export interface ToolApprovalRequest {
  type: "tool-approval";
  tool: string;
  /** The arguments after validation (defaults applied), as the tool would receive them. */
  arguments: unknown;
  callId: string;
}

/** The resume value for a tool approval. Anything but `{ approved: true }` (or `true`) is a rejection. */
export interface ToolApprovalDecision {
  approved: boolean;
  reason?: string;
}

/** What one tool call produced, as stored by its durable step (plain JSON: no causes or values). */
interface CallResult {
  callId: string;
  name: string;
  ok: boolean;
  content: string;
}

type Check =
  | { kind: "done"; result: CallResult }
  | { kind: "run" }
  | { kind: "approve"; request: ToolApprovalRequest };

/**
 * Runs every tool call of the last assistant message: refusals first (not allowed, invalid
 * arguments), then the approvals, then the approved calls in parallel, each in its own durable step.
 */
export async function runToolCalls(args: {
  calls: ToolCall[];
  tools: readonly Tool[];
  allowed: readonly Tool[];
  ctx: NodeContext;
}): Promise<{ messages: Message[]; results: CallResult[] }> {
  const { calls, allowed, ctx } = args;
  const checks = await Promise.all(calls.map((call) => check(call, args.tools, allowed)));
  // Every approval is raised in the same tick, so they are recorded together and a human answers them
  // in one resume (keyed by interrupt id when there are several); the ids depend only on this order.
  const answers = await Promise.all(
    checks.map((c) => (c.kind === "approve" ? ctx.interrupt<unknown>(c.request) : undefined)),
  );
  const results = await Promise.all(
    calls.map(async (call, i): Promise<CallResult> => {
      const c = checks[i]!;
      if (c.kind === "done") return c.result;
      if (c.kind === "approve") {
        const decision = readDecision(answers[i]);
        if (!decision.approved) {
          const why = decision.reason ? `: ${decision.reason}` : " (no reason given)";
          return {
            callId: call.id,
            name: call.name,
            ok: false,
            content: `Error: rejected by a human${why}.`,
          };
        }
      }
      // The step's name is the model's call id, so a resumed or continued run returns the recorded
      // result instead of running the tool's side effect again.
      const result = await ctx.step(`tool:${call.id}`, async (): Promise<CallResult> => {
        const outcome = await callTool(allowed, call, { signal: ctx.signal });
        return { callId: call.id, name: call.name, ok: outcome.ok, content: outcome.content };
      });
      ctx.emit({ type: "tool-result", callId: call.id, name: call.name, ok: result.ok });
      return result;
    }),
  );
  return {
    messages: results.map((r) => ({ role: "tool", toolCallId: r.callId, content: r.content })),
    results,
  };
}

async function check(call: ToolCall, tools: readonly Tool[], allowed: readonly Tool[]): Promise<Check> {
  const refuse = (content: string): Check => ({
    kind: "done",
    result: { callId: call.id, name: call.name, ok: false, content },
  });
  const found = allowed.find((t) => t.name === call.name);
  if (!found) {
    const names = allowed.map((t) => t.name).join(", ") || "(none)";
    return tools.some((t) => t.name === call.name)
      ? refuse(`Error: the tool "${call.name}" is not allowed for this agent. Available tools: ${names}.`)
      : refuse(`Error: there is no tool named "${call.name}". Available tools: ${names}.`);
  }
  if (!found.requiresApproval) return { kind: "run" };
  // Validate before asking a human: nobody should approve arguments the tool would refuse anyway.
  const dryRun = await callTool([{ ...found, run: (input: unknown) => input }], call);
  if (!dryRun.ok) return refuse(dryRun.content);
  return {
    kind: "approve",
    request: { type: "tool-approval", tool: call.name, arguments: dryRun.value, callId: call.id },
  };
}

function readDecision(answer: unknown): ToolApprovalDecision {
  if (answer === true) return { approved: true };
  if (typeof answer === "object" && answer !== null) {
    const { approved, reason } = answer as Record<string, unknown>;
    return { approved: approved === true, reason: typeof reason === "string" ? reason : undefined };
  }
  return { approved: false, reason: "the approval answer was not understood" };
}
