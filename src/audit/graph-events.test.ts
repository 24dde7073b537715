import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { END, graph, memoryCheckpointer, START } from "../graph/index.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { auditedRun } from "./graph-events.js";
import { AuditLog } from "./log.js";

const tempDir = useTempDirs("keel-graph-audit-");

function refunds() {
  return graph({
    state: z.object({ amount: z.number(), approved: z.boolean().default(false), customer: z.string() }),
  })
    .node("assess", async () => ({}))
    .node("approve", async (_s, ctx) => {
      const answer = await ctx.interrupt<{ ok: boolean }>({ question: "Refund?" });
      return { approved: answer.ok };
    })
    .edge(START, "assess")
    .edge("assess", "approve")
    .edge("approve", END)
    .compile({ checkpointer: memoryCheckpointer() });
}

async function drain(events: AsyncIterable<unknown>) {
  for await (const _ of events) {
    // consumed: each event was recorded before it reached here
  }
}

describe("graph runs in the audit log", () => {
  it("records run start and end, each step, the interrupt and the resume, without state", async () => {
    const log = new AuditLog({ db: path.join(tempDir(), "audit.db") });
    const app = refunds();
    const who = { log, tenant: "acme", actor: "svc-refunds", graph: "refunds" };
    await drain(auditedRun(app.stream({ amount: 30, customer: "Jane Roe" }, { thread: "t1" }), who));
    const pending = (await app.getState("t1"))?.interrupts ?? [];
    expect(pending).toHaveLength(1);
    await drain(
      auditedRun(app.stream(null, { thread: "t1", resume: { ok: true } }), {
        ...who,
        resumed: pending.map((i) => i.id),
      }),
    );

    const events = await Promise.all(
      Array.from({ length: log.size("acme") }, (_, i) => log.read("acme", i, { actor: "auditor" })),
    );
    const summary = events
      .map((e) => e.envelope)
      .filter((e) => e.type.startsWith("graph."))
      .map((e) => [e.type, e.data.status ?? e.data.node ?? e.data.interruptId]);
    expect(summary).toEqual([
      ["graph.run", "started"],
      ["graph.step", "completed"],
      ["graph.interrupt", "approve"],
      ["graph.run", "interrupted"],
      ["graph.run", "started"],
      ["graph.resume", pending[0]?.id],
      ["graph.step", "completed"],
      ["graph.run", "completed"],
    ]);
    const runIds = new Set(
      events.filter((e) => e.envelope.type.startsWith("graph.")).map((e) => e.envelope.runId),
    );
    expect(runIds.size).toBe(2);
    expect(JSON.stringify(events.map((e) => e.envelope))).not.toContain("Jane Roe");
  });
});
