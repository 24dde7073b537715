import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../agent/tool.js";
import { openaiCompatible } from "../model/index.js";
import type { Provider } from "../model/types.js";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { audited } from "./audited-provider.js";
import { AuditLog } from "./log.js";
import { auditedTool, loadRecording, type ReplayDeps, replayRun } from "./replay.js";
import { recordRun } from "./run-context.js";

const tempDir = useTempDirs("keel-replay-");
const mocks: MockLLM[] = [];
afterEach(async () => {
  for (const m of mocks.splice(0)) await m.close();
});

let lookups = 0;
const lookupOrder = tool({
  name: "lookup_order",
  description: "Status of an order",
  input: z.object({ id: z.number() }),
  run: async ({ id }) => {
    lookups++;
    return { id, status: "shipped", carrier: "DHL" };
  },
});

/** The application under audit: ask the model, look the order up, ask the model to answer. */
async function supportDesk(deps: ReplayDeps, question = "Where is order 42?") {
  const first = await deps.provider.generate({
    model: "mock-small",
    messages: [{ role: "user", content: question }],
  });
  const order = await deps.tool(lookupOrder).run({ id: 42 }, { signal: undefined, callId: "call_1" });
  const final = await deps.provider.generate({
    model: "mock-small",
    messages: [
      { role: "user", content: question },
      { role: "assistant", content: first.text },
      { role: "user", content: `Order data: ${JSON.stringify(order)}. Answer the customer.` },
    ],
  });
  return final.text;
}

async function recorded() {
  const mock = await startMockLLM({
    script: [{ text: "Let me check." }, { text: "Order 42 shipped with DHL." }],
  });
  mocks.push(mock);
  const log = new AuditLog({ db: path.join(tempDir(), "audit.db") });
  const who = { log, tenant: "acme", actor: "key_1", subject: "user-9" };
  const provider = audited(openaiCompatible({ baseURL: mock.url, id: "openai" }), who);
  lookups = 0;
  const output = await recordRun("run-1", () => supportDesk({ provider, tool: (t) => auditedTool(t, who) }));
  return { log, mock, output };
}

describe("replay", () => {
  it("re-executes a recorded run from the log alone: same output, no model request, no tool side effect", async () => {
    const { log, mock, output } = await recorded();
    expect(output).toBe("Order 42 shipped with DHL.");
    const requestsBefore = mock.requests.length;
    const lookupsBefore = lookups;
    const recording = await loadRecording(log, { tenant: "acme", runId: "run-1", actor: "auditor" });
    expect(recording.calls.map((c) => [c.kind, c.name])).toEqual([
      ["model", "mock-small"],
      ["tool", "lookup_order"],
      ["model", "mock-small"],
    ]);
    const report = await replayRun(recording, (deps) => supportDesk(deps));
    expect(report).toMatchObject({ status: "identical", recordedCalls: 3, replayedCalls: 3, output });
    expect(mock.requests.length).toBe(requestsBefore);
    expect(lookups).toBe(lookupsBefore);
  });

  it("reports the first call where a changed execution asks for something the run did not", async () => {
    const { log } = await recorded();
    const recording = await loadRecording(log, { tenant: "acme", runId: "run-1", actor: "auditor" });
    const report = await replayRun(recording, (deps) => supportDesk(deps, "Where is order 43?"));
    expect(report.status).toBe("diverged");
    expect(report.divergence).toMatchObject({
      index: 0,
      kind: "model",
      recorded: { kind: "model", name: "mock-small" },
    });
    const shorter = await replayRun(recording, async (deps) => {
      await deps.provider.generate({
        model: "mock-small",
        messages: [{ role: "user", content: "Where is order 42?" }],
      });
    });
    expect(shorter).toMatchObject({
      status: "diverged",
      replayedCalls: 1,
      divergence: { index: 1, kind: "tool" },
    });
  });

  it("re-runs against another model and shows each answer beside the recorded one", async () => {
    const { log } = await recorded();
    const other = await startMockLLM({
      script: [{ text: "Checking now." }, { text: "Order 42 shipped with DHL." }],
    });
    mocks.push(other);
    const recording = await loadRecording(log, { tenant: "acme", runId: "run-1", actor: "auditor" });
    const alternative: Provider = openaiCompatible({ baseURL: other.url, id: "other" });
    const report = await replayRun(recording, (deps) => supportDesk(deps), { provider: alternative });
    expect(report.status).toBe("counterfactual");
    expect(report.diffs).toEqual([
      { index: 0, model: "mock-small", recorded: "Let me check.", replayed: "Checking now.", changed: true },
      {
        index: 2,
        model: "mock-small",
        recorded: "Order 42 shipped with DHL.",
        replayed: "Order 42 shipped with DHL.",
        changed: false,
      },
    ]);
  });

  it("refuses an unknown run and a run whose content was erased", async () => {
    const { log } = await recorded();
    await expect(loadRecording(log, { tenant: "acme", runId: "nope", actor: "a" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await log.erase("acme", "user-9", { actor: "dpo", legalBasis: "GDPR Art. 17" });
    await expect(loadRecording(log, { tenant: "acme", runId: "run-1", actor: "a" })).rejects.toMatchObject({
      code: "REPLAY_UNAVAILABLE",
    });
  });
});
