import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { END, graph, START } from "../../graph/index.js";
import type { ModelRequest, Provider } from "../../model/index.js";
import { useTempDirs } from "../../testkit/temp-dirs.js";
import type { WorkflowDefinition } from "../config.js";
import { createKeelServer, type KeelServer } from "../index.js";
import type { KeyStore } from "../keys.js";
import { addRunRoutes } from "./routes.js";

const tempDir = useTempDirs("keel-runs-");
const open: KeelServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** A promise the test opens; a node waiting on it also stops when its run is cancelled. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    open: () => release(),
    wait: (signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        void opened.then(resolve);
      }),
  };
}

const Question = z.object({
  question: z.string(),
  words: z.array(z.string()).default([]),
  answer: z.string().default(""),
});

function pipeline(wait?: ReturnType<typeof gate>): WorkflowDefinition {
  return {
    description: "splits a question, then answers it",
    input: z.object({ question: z.string().min(1) }),
    graph: (deps) =>
      graph({ state: Question, reducers: { words: "append" } })
        .node("split", async (s, ctx) => {
          ctx.emit({ progress: "splitting" });
          if (wait) await wait.wait(ctx.signal);
          return { words: s.question.split(" ") };
        })
        .node("answer", (s) => ({ answer: `${s.words.length} words` }))
        .edge(START, "split")
        .edge("split", "answer")
        .edge("answer", END)
        .compile({ checkpointer: deps.checkpointer }),
  };
}

const Approval = z.object({
  draft: z.string().default(""),
  approved: z.boolean().default(false),
  sent: z.string().default(""),
});

const approval: WorkflowDefinition = {
  graph: (deps) =>
    graph({ state: Approval })
      .node("draft", () => ({ draft: "Your refund is on its way." }))
      .node("approve", async (s, ctx) => ({
        approved: await ctx.interrupt<boolean>({ question: `Send "${s.draft}"?` }),
      }))
      .node("send", (s) => ({ sent: s.approved ? "sent" : "held" }))
      .edge(START, "draft")
      .edge("draft", "approve")
      .edge("approve", "send")
      .edge("send", END)
      .compile({ checkpointer: deps.checkpointer }),
};

interface Event {
  id: number;
  event: string;
  data: Record<string, any>;
}

async function start(
  workflows: Record<string, WorkflowDefinition>,
  options: { file?: string; config?: object } = {},
) {
  const file = options.file ?? path.join(tempDir(), "keel.db");
  const server = createKeelServer({
    config: { store: { path: file }, workflows, ...options.config },
    groups: [addRunRoutes],
  });
  open.push(server);
  const { url } = await server.listen({ port: 0 });
  const key = (server.runtime.keys as KeyStore).create({ tenant: "acme", role: "app" });
  const call = async (method: string, route: string, body?: unknown, secret: string | null = key.key) => {
    const res = await fetch(url + route, {
      method,
      headers: {
        ...(secret ? { authorization: `Bearer ${secret}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** Reads the run's event stream until it ends, or until `stopAt` says so (then disconnects). */
  const events = async (
    runId: string,
    options: { lastEventId?: number; stopAt?: (e: Event) => boolean; secret?: string } = {},
  ): Promise<{ events: Event[]; ended: boolean }> => {
    const abort = new AbortController();
    const res = await fetch(`${url}/runs/${runId}/events`, {
      headers: {
        authorization: `Bearer ${options.secret ?? key.key}`,
        ...(options.lastEventId === undefined ? {} : { "last-event-id": String(options.lastEventId) }),
      },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const out: Event[] = [];
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { events: out, ended: true };
      buffer += value;
      for (let i = buffer.indexOf("\n\n"); i >= 0; i = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const fields = new Map<string, string>();
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        if (!fields.has("data")) continue;
        const e = {
          id: Number(fields.get("id")),
          event: fields.get("event")!,
          data: JSON.parse(fields.get("data")!),
        };
        out.push(e);
        if (options.stopAt?.(e)) {
          abort.abort();
          await reader.cancel().catch(() => {});
          return { events: out, ended: false };
        }
      }
    }
  };

  /** Polls the run until `done` holds (each poll is a request; fails after 10 s). */
  const until = async (runId: string, done: (run: any) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { body } = await call("GET", `/runs/${runId}`);
      if (done(body)) return body;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} never reached the state: ${JSON.stringify(body)}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { server, url, key, file, call, events, until };
}

describe("runs API", () => {
  it("starts a run at once, streams its events to the end, and shows its output", async () => {
    const { call, events, server, key } = await start({ ask: pipeline() });
    const created = await call("POST", "/runs", {
      workflow: "ask",
      input: { question: "how do refunds work" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      workflow: "ask",
      status: "running",
      input: { question: "how do refunds work" },
    });
    expect(created.body.id).toMatch(/^run_/);
    expect(created.body.thread).toBe(created.body.id);
    // Delays need the PostgreSQL store's queue: here they are refused, naming the field.
    const delayed = await call("POST", "/runs", {
      workflow: "ask",
      input: { question: "later" },
      delayMs: 1000,
    });
    expect(delayed.status).toBe(400);
    expect(delayed.body.error).toMatchObject({ param: "delayMs" });
    expect(delayed.body.error.message).toMatch(/need the PostgreSQL store/);

    const { events: seen, ended } = await events(created.body.id);
    expect(ended).toBe(true);
    expect(seen.map((e) => e.id)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.map((e) => e.event)).toEqual([
      "run-start",
      "step-start",
      "node-start",
      "custom",
      "node-end",
      "step-start",
      "node-start",
      "node-end",
      "run-end",
    ]);
    expect(seen[0]!.data).toMatchObject({
      run: created.body.id,
      workflow: "ask",
      thread: created.body.thread,
    });
    expect(seen[3]!.data).toMatchObject({ node: "split", data: { progress: "splitting" } });
    expect(seen.at(-1)!.data).toMatchObject({ status: "completed", state: { answer: "4 words" } });

    const run = await call("GET", `/runs/${created.body.id}`);
    expect(run.body).toMatchObject({
      status: "completed",
      output: { question: "how do refunds work", words: ["how", "do", "refunds", "work"], answer: "4 words" },
      error: null,
      interrupts: [],
    });
    expect(run.body.endedAt).toEqual(expect.any(Number));

    // The audit log has the graph run under the run id, by the key that started it.
    const audit = server.runtime
      .db!.prepare("SELECT type, envelope FROM audit_events WHERE run_id = ? ORDER BY seq")
      .all(created.body.id) as Array<{ type: string; envelope: Buffer }>;
    expect(audit.map((a) => a.type)).toEqual(["graph.run", "graph.step", "graph.step", "graph.run"]);
    expect(JSON.parse(audit[0]!.envelope.toString()).actor).toBe(key.id);

    const paths = server.book.routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "post /runs",
        "get /runs/:id",
        "get /runs/:id/events",
        "post /runs/:id/resume",
        "post /runs/:id/cancel",
        "get /threads/:id/history",
      ]),
    );
  });

  it("resumes an event stream after Last-Event-ID with exactly the events it missed", async () => {
    const wait = gate();
    const { call, events, url, key } = await start({ ask: pipeline(wait) });
    const { body: run } = await call("POST", "/runs", { workflow: "ask", input: { question: "a b" } });
    const first = await events(run.id, { stopAt: (e) => e.event === "custom" });
    expect(first.ended).toBe(false);
    const last = first.events.at(-1)!.id;

    wait.open();
    const rest = await events(run.id, { lastEventId: last });
    expect(rest.ended).toBe(true);
    const all = [...first.events, ...rest.events];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)!.data.status).toBe("completed");

    // A late reader gets them all, and one that has them all gets none.
    expect((await events(run.id)).events).toEqual(all);
    expect((await events(run.id, { lastEventId: all.length })).events).toEqual([]);
    const bad = await fetch(`${url}/runs/${run.id}/events`, {
      headers: { authorization: `Bearer ${key.key}`, "last-event-id": "after-the-third" },
    });
    expect(bad.status).toBe(400);
  });

  it("pauses at an interrupt, shows what it waits for, and resumes with the answer", async () => {
    const { call, events } = await start({ approval });
    // No input at all is an empty one.
    const { body: run } = await call("POST", "/runs", { workflow: "approval", thread: "ticket-7" });
    expect(run.thread).toBe("ticket-7");
    const paused = await events(run.id);
    expect(paused.ended).toBe(true);
    expect(paused.events.map((e) => e.event)).toContain("interrupt");
    expect(paused.events.at(-1)!.data).toMatchObject({ status: "interrupted" });

    const waiting = await call("GET", `/runs/${run.id}`);
    expect(waiting.body.status).toBe("interrupted");
    expect(waiting.body.interrupts).toEqual([
      { id: expect.any(String), node: "approve", value: { question: 'Send "Your refund is on its way."?' } },
    ]);

    const again = await call("POST", "/runs", { workflow: "approval", input: {}, thread: "ticket-7" });
    expect(again.status).toBe(409);

    const resumed = await call("POST", `/runs/${run.id}/resume`, { value: true });
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe("running");
    const rest = await events(run.id, { lastEventId: paused.events.at(-1)!.id });
    expect(rest.events[0]!.id).toBe(paused.events.at(-1)!.id + 1);
    expect(rest.events.at(-1)!.data).toMatchObject({
      status: "completed",
      state: { approved: true, sent: "sent" },
    });
    expect((await call("GET", `/runs/${run.id}`)).body).toMatchObject({
      status: "completed",
      interrupts: [],
    });

    const late = await call("POST", `/runs/${run.id}/resume`, { value: false });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("CONFLICT");

    const history = await call("GET", "/threads/ticket-7/history");
    expect(history.status).toBe(200);
    expect(history.body.workflow).toBe("approval");
    expect(history.body.data[0]).toMatchObject({ next: [], values: { sent: "sent" } });
    expect(history.body.data.length).toBeGreaterThan(2);
    expect((await call("GET", "/threads/ticket-7/history?limit=1")).body.data).toHaveLength(1);
  });

  it("cancels a running run through its signal", async () => {
    const { call, events } = await start({ ask: pipeline(gate()) });
    const { body: run } = await call("POST", "/runs", {
      workflow: "ask",
      input: { question: "never answered" },
    });
    await events(run.id, { stopAt: (e) => e.event === "custom" });

    const cancelled = await call("POST", `/runs/${run.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", error: { code: "RUN_CANCELLED" } });
    const all = await events(run.id);
    expect(all.ended).toBe(true);
    expect(all.events.at(-1)!.data).toMatchObject({ status: "cancelled" });
    expect(all.events.map((e) => e.event)).not.toContain("node-end");

    const twice = await call("POST", `/runs/${run.id}/cancel`);
    expect(twice.status).toBe(409);
  });

  it("keeps tenants apart: another tenant's run and thread are not found, even with the same thread id", async () => {
    const { call, server, events } = await start({ ask: pipeline() });
    const other = (server.runtime.keys as KeyStore).create({ tenant: "globex", role: "admin" }).key;
    const { body: mine } = await call("POST", "/runs", {
      workflow: "ask",
      input: { question: "one two" },
      thread: "t",
    });
    await events(mine.id);

    for (const [method, route] of [
      ["GET", `/runs/${mine.id}`],
      ["POST", `/runs/${mine.id}/cancel`],
      ["GET", `/runs/${mine.id}/events`],
      ["GET", "/threads/t/history"],
    ] as const) {
      const res = await call(method, route, undefined, other);
      expect(res.status, `${method} ${route}`).toBe(404);
      expect(res.body.error.code).toBe("NOT_FOUND");
    }
    expect((await call("POST", `/runs/${mine.id}/resume`, { value: 1 }, other)).status).toBe(404);
    const missing = await call("GET", "/runs/run_nope");
    expect(missing.status).toBe(404);

    // The same thread id in another tenant is another thread: it starts fresh.
    const theirs = await call(
      "POST",
      "/runs",
      { workflow: "ask", input: { question: "three" }, thread: "t" },
      other,
    );
    expect(theirs.status).toBe(201);
    const done = await events(theirs.body.id, { secret: other });
    expect(done.events.at(-1)!.data.state).toEqual({
      question: "three",
      words: ["three"],
      answer: "1 words",
    });
    expect((await call("GET", "/threads/t/history")).body.data[0].values.words).toEqual(["one", "two"]);
  });

  it("refuses missing and revoked keys, unknown workflows and bad input", async () => {
    const { call, server } = await start({ ask: pipeline() });
    const missing = await call("POST", "/runs", { workflow: "ask", input: { question: "x" } }, null);
    expect(missing.status).toBe(401);
    const revokedKey = (server.runtime.keys as KeyStore).create({ tenant: "acme", role: "app" });
    (server.runtime.keys as KeyStore).revoke(revokedKey.id);
    expect((await call("GET", "/runs/run_x", undefined, revokedKey.key)).status).toBe(401);
    const auditor = (server.runtime.keys as KeyStore).create({ tenant: "acme", role: "auditor" }).key;
    expect((await call("POST", "/runs", { workflow: "ask", input: { question: "x" } }, auditor)).status).toBe(
      403,
    );

    const unknown = await call("POST", "/runs", { workflow: "nope", input: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: "UNKNOWN_WORKFLOW",
      message: expect.stringContaining("ask"),
    });

    const bad = await call("POST", "/runs", { workflow: "ask", input: { question: "" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("input.question");
    const noWorkflow = await call("POST", "/runs", { input: {} });
    expect(noWorkflow.status).toBe(400);
    expect(noWorkflow.body.error.param).toBe("workflow");
    const badThread = await call("POST", "/runs", {
      workflow: "ask",
      input: { question: "x" },
      thread: "a/b",
    });
    expect(badThread.status).toBe(400);
    expect(badThread.body.error.param).toBe("thread");
  });

  it("gives a workflow's model calls the key's guards and audits them under the run id", async () => {
    const seen: ModelRequest[] = [];
    const mock: Provider = {
      id: "mock",
      capabilities: { tools: false, jsonSchema: false, images: false, streaming: true },
      async generate(request) {
        seen.push(request);
        return {
          text: "noted",
          toolCalls: [],
          finishReason: "stop",
          usage: {
            inputTokens: 10,
            outputTokens: 1,
            cachedInputTokens: 0,
            cacheWriteTokens: 0,
            source: "provider",
          },
          model: request.model,
          provider: "mock",
        };
      },
      stream() {
        throw new Error("the workflow does not stream");
      },
    };
    const Chat = z.object({ message: z.string(), reply: z.string().default("") });
    const chat: WorkflowDefinition = {
      graph: (deps) => {
        const { provider, model } = deps.model();
        return graph({ state: Chat })
          .node("reply", async (s) => {
            const r = await provider.generate({ model, messages: [{ role: "user", content: s.message }] });
            return { reply: r.text };
          })
          .edge(START, "reply")
          .edge("reply", END)
          .compile({ checkpointer: deps.checkpointer });
      },
    };
    const { call, until, server } = await start(
      { chat },
      {
        config: {
          providers: { mock: { type: "custom", provider: mock } },
          models: { fast: { provider: "mock", model: "mock-1" } },
          prices: { "mock-1": { provider: "mock", input: 0, output: 0 } },
        },
      },
    );
    const { body: run } = await call("POST", "/runs", {
      workflow: "chat",
      input: { message: "Please write to ada.lovelace@example.org about my refund" },
    });
    const done = await until(run.id, (r) => r.status !== "running");
    expect(done).toMatchObject({ status: "completed", output: { reply: "noted" } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.model).toBe("mock-1");
    expect(JSON.stringify(seen[0]!.messages)).not.toContain("ada.lovelace@example.org");
    const types = server.runtime
      .db!.prepare("SELECT type FROM audit_events WHERE run_id = ? ORDER BY seq")
      .pluck()
      .all(run.id);
    expect(types).toContain("model.call");
  });
});

describe("workflows at start", () => {
  it("refuses to start a server whose workflow compiles without a checkpointer, naming it", () => {
    const loose: WorkflowDefinition = {
      graph: () =>
        graph({ state: Approval })
          .node("draft", () => ({}))
          .edge(START, "draft")
          .edge("draft", END)
          .compile(),
    };
    expect(() =>
      createKeelServer({
        config: { store: { path: ":memory:" }, workflows: { loose } },
        groups: [addRunRoutes],
      }),
    ).toThrow(/workflows\.loose: the graph has no checkpointer/);
  });
});

describe("runs on an in-memory store", () => {
  it("runs, pauses and resumes without a store file", async () => {
    const { call, events } = await start({ approval }, { file: ":memory:" });
    const { body: run } = await call("POST", "/runs", { workflow: "approval", input: {} });
    expect((await events(run.id)).events.at(-1)!.data.status).toBe("interrupted");
    await call("POST", `/runs/${run.id}/resume`, { value: false });
    const rest = await events(run.id, { lastEventId: 0 });
    expect(rest.events.at(-1)!.data).toMatchObject({ status: "completed", state: { sent: "held" } });
  });
});

describe("runs across a restart", () => {
  it("continues a run that was running when the server closed, without repeating a durable step", async () => {
    let charges = 0;
    const hold = gate();
    const State = z.object({
      order: z.string(),
      receipt: z.string().default(""),
      shipped: z.boolean().default(false),
    });
    const checkout = (wait: (signal: AbortSignal) => Promise<void>): WorkflowDefinition => ({
      graph: (deps) =>
        graph({ state: State })
          .node("charge", async (s, ctx) => {
            const receipt = await ctx.step("charge-card", () => `receipt-${s.order}-${++charges}`);
            ctx.emit({ charged: receipt });
            await wait(ctx.signal);
            return { receipt };
          })
          .node("ship", () => ({ shipped: true }))
          .edge(START, "charge")
          .edge("charge", "ship")
          .edge("ship", END)
          .compile({ checkpointer: deps.checkpointer }),
    });

    const first = await start({ checkout: checkout(hold.wait) });
    const { body: run } = await first.call("POST", "/runs", { workflow: "checkout", input: { order: "A1" } });
    const before = await first.events(run.id, { stopAt: (e) => e.event === "custom" });
    expect(charges).toBe(1);
    await first.server.close();
    open.splice(open.indexOf(first.server), 1);

    const second = await start({ checkout: checkout(async () => {}) }, { file: first.file });
    const done = await second.until(run.id, (r) => r.status !== "running");
    // `second.call` uses a new key of the same tenant: the run is the tenant's, not the key's.
    expect(done).toMatchObject({
      status: "completed",
      output: { order: "A1", receipt: "receipt-A1-1", shipped: true },
    });
    expect(charges).toBe(1);

    const all = await second.events(run.id);
    expect(all.events.slice(0, before.events.length)).toEqual(before.events);
    expect(all.events.map((e) => e.id)).toEqual(all.events.map((_, i) => i + 1));
    expect(all.events.filter((e) => e.event === "run-start")).toHaveLength(2);
    expect(all.events.at(-1)!.data.status).toBe("completed");
  });
});
