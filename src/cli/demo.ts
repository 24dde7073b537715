import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { z } from "zod";
import { END, type GraphEvent, graph, START, sqliteCheckpointer } from "../graph/index.js";

const Ticket = z.object({
  customer: z.string(),
  message: z.string(),
  category: z.string().default(""),
  facts: z.array(z.string()).default([]),
  reply: z.string().default(""),
  approved: z.boolean().default(false),
  sent: z.string().default(""),
});
type Ticket = z.infer<typeof Ticket>;

/**
 * The demo that `npm start` runs until the server lands: a support ticket triaged by a small graph
 * with a fan-out, a join, a human approval (an interrupt) and a durable side effect, checkpointed
 * to a SQLite file.
 */
export function supportDesk(dbPath: string) {
  const checkpointer = sqliteCheckpointer({ path: dbPath });
  const app = graph({ state: Ticket, reducers: { facts: "append" } })
    .node("classify", (t) => ({ category: /refund|money back/i.test(t.message) ? "refund" : "question" }))
    .node("order-history", (t) => ({ facts: [`${t.customer} has 3 orders; the last shipped 4 days ago`] }))
    .node("policy", (t) => ({
      facts: [t.category === "refund" ? "refunds are allowed within 30 days" : "answer from the FAQ"],
    }))
    .node("draft", (t) => ({
      reply: `Hello ${t.customer}, ${t.category === "refund" ? "your refund is on its way" : "here is the answer"} (${t.facts.length} facts checked).`,
    }))
    .node("approve", async (t, ctx) => ({
      approved: await ctx.interrupt<boolean>({ question: `Send this reply?\n  "${t.reply}"` }),
    }))
    .node("send", async (t, ctx) => {
      if (!t.approved) return { sent: "not sent" };
      // A durable step: if the process dies after this line, a resumed run does not send twice.
      const receipt = await ctx.step("send-email", () => `email-${Date.now().toString(36)}`);
      return { sent: receipt };
    })
    .edge(START, "classify")
    .edge("classify", "order-history")
    .edge("classify", "policy")
    .edge(["order-history", "policy"], "draft")
    .edge("draft", "approve")
    .edge("approve", "send")
    .edge("send", END)
    .compile({ checkpointer });
  return { app, checkpointer };
}

function describe(e: GraphEvent<Ticket>): string | undefined {
  switch (e.type) {
    case "step-start":
      return `step ${e.step}: ${e.nodes.join(" + ")}`;
    case "node-end":
      return `  ${e.node.padEnd(14)} ${JSON.stringify(e.update)} (${e.durationMs.toFixed(2)} ms)`;
    case "interrupt": {
      const payload = e.interrupts[0]?.payload as { question?: string } | undefined;
      return `  paused: ${payload?.question ?? "(no question)"}`;
    }
    case "run-end":
      return `run ${e.status}`;
    default:
      return undefined;
  }
}

export async function runDemo(options: { db?: string; out?: (line: string) => void } = {}): Promise<Ticket> {
  const out = options.out ?? ((line: string) => console.log(line));
  const db = options.db ?? path.join(os.tmpdir(), `keel-demo-${process.pid}.db`);
  const { app, checkpointer } = supportDesk(db);
  const thread = `ticket-${Date.now().toString(36)}`;
  out(`Keel demo: a support ticket through a durable graph (checkpoints in ${db})\n`);
  try {
    for await (const e of app.stream(
      { customer: "Ada", message: "I want my money back for order 1042" },
      { thread },
    )) {
      const line = describe(e);
      if (line) out(line);
    }
    const approved = await askApproval(out);
    for await (const e of app.stream(null, { thread, resume: approved })) {
      const line = describe(e);
      if (line) out(line);
    }
    const final = (await app.getState(thread))!;
    const history = await app.history(thread);
    out(`\nfinal state: ${JSON.stringify(final.values, null, 2)}`);
    out(
      `${history.length} checkpoints on thread ${thread}; replay or fork any of them with history()/fork().`,
    );
    return final.values;
  } finally {
    await checkpointer.close();
    if (!options.db) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
  }
}

async function askApproval(out: (line: string) => void): Promise<boolean> {
  if (!process.stdin.isTTY) {
    out("  (not a terminal: approving automatically)");
    return true;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question("  approve? [Y/n] ");
    return !/^n/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
