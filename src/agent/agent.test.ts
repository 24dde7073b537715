import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type GraphEvent, memoryCheckpointer } from "../graph/index.js";
import { openaiCompatible } from "../model/index.js";
import { type ChatRequest, type MockLLM, type Script, startMockLLM } from "../testkit/mock-llm/index.js";
import { type AgentOptions, agent } from "./agent.js";
import { stepCount, toolCalled } from "./stop.js";
import { tool } from "./tool.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function setup(script: Script, options: Omit<AgentOptions, "model" | "modelName"> = {}) {
  mock = await startMockLLM({ script });
  const model = openaiCompatible({ baseURL: mock.url, apiKey: "test" });
  return agent({ model, modelName: "mock-small", checkpointer: memoryCheckpointer(), ...options });
}

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

/** The chat requests the model received, in order. */
const sent = () =>
  mock!.requests.filter((r) => r.path.endsWith("/chat/completions")).map((r) => r.body as ChatRequest);

const lastMessage = (request: ChatRequest) => request.messages.at(-1)!;

function weatherTool(received: unknown[] = []) {
  return tool({
    name: "get_weather",
    description: "Current weather for a city",
    input: z.object({ city: z.string().min(2), unit: z.enum(["c", "f"]).default("c") }),
    run: (input) => {
      received.push(input);
      return { temp: 21, unit: input.unit };
    },
  });
}

describe("agent", () => {
  it("answers in one model call when the model needs no tool", async () => {
    const bot = await setup([{ text: "Paris.", usage: { prompt_tokens: 20, completion_tokens: 2 } }], {
      instructions: "Be brief.",
      tools: [weatherTool()],
    });
    const out = await bot.run(ask("Capital of France?"), { thread: "t" });
    expect(out.status).toBe("done");
    expect(out.state.messages).toEqual([
      { role: "user", content: "Capital of France?" },
      { role: "assistant", content: "Paris." },
    ]);
    expect(out.state).toMatchObject({ steps: 1, stopReason: "answer" });
    expect(out.state.usage).toMatchObject({ inputTokens: 20, outputTokens: 2 });
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.messages[0]).toEqual({ role: "system", content: "Be brief." });
    expect(sent()[0]!.tools).toHaveLength(1);
  });

  it("runs a tool with validated arguments and sends its result back to the model", async () => {
    const received: unknown[] = [];
    const bot = await setup(
      [
        { toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Oslo" } }] },
        { text: "21 °C." },
      ],
      { tools: [weatherTool(received)] },
    );
    const state = await bot.invoke(ask("Weather in Oslo?"), { thread: "t" });
    expect(received).toEqual([{ city: "Oslo", unit: "c" }]);
    expect(state.messages.at(-1)).toEqual({ role: "assistant", content: "21 °C." });
    expect(state.steps).toBe(2);
    expect(sent()).toHaveLength(2);
    expect(lastMessage(sent()[1]!)).toMatchObject({
      role: "tool",
      tool_call_id: "call_1",
      content: '{"temp":21,"unit":"c"}',
    });
  });

  it("runs the tool calls of one turn in parallel", async () => {
    const log: string[] = [];
    let release!: () => void;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    const slow = tool({
      name: "slow",
      description: "Waits for its sibling",
      input: z.object({ n: z.number() }),
      run: async ({ n }) => {
        log.push(`start ${n}`);
        if (log.length === 2) release();
        await bothStarted; // a sequential runner would never get past the first call
        log.push(`end ${n}`);
        return n;
      },
    });
    const bot = await setup(
      [
        {
          toolCalls: [
            { name: "slow", arguments: { n: 1 } },
            { name: "slow", arguments: { n: 2 } },
          ],
        },
        { text: "done" },
      ],
      { tools: [slow] },
    );
    const state = await bot.invoke(ask("go"), { thread: "t" });
    expect(log.slice(0, 2).sort()).toEqual(["start 1", "start 2"]);
    expect(state.messages.filter((m) => m.role === "tool").map((m) => m.content)).toEqual(["1", "2"]);
  });

  it("returns invalid arguments to the model as a tool result, and the model corrects itself", async () => {
    const received: unknown[] = [];
    const script: Script = (request) => {
      const last = lastMessage(request);
      if (last.role === "user") return { toolCalls: [{ name: "get_weather", arguments: { city: "O" } }] };
      if (String(last.content).startsWith("Error")) {
        return { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo", unit: "f" } }] };
      }
      return { text: "70 °F." };
    };
    const bot = await setup(script, { tools: [weatherTool(received)] });
    const state = await bot.invoke(ask("Weather in Oslo?"), { thread: "t" });
    expect(received).toEqual([{ city: "Oslo", unit: "f" }]);
    expect(String(lastMessage(sent()[1]!).content)).toMatch(/do not match its schema[\s\S]*city: Too small/);
    expect(state.messages.at(-1)).toEqual({ role: "assistant", content: "70 °F." });
    expect(state.steps).toBe(3);
  });

  it("refuses unknown and disallowed tools with error results, and shows the model only allowed ones", async () => {
    let deleted = false;
    const remove = tool({
      name: "delete_all",
      description: "Deletes everything",
      input: z.object({}),
      run: () => (deleted = true),
    });
    const bot = await setup(
      [
        {
          toolCalls: [
            { name: "delete_all", arguments: {} },
            { name: "launch", arguments: {} },
          ],
        },
        { text: "Sorry." },
      ],
      { tools: [weatherTool(), remove], allowTools: ["get_weather"] },
    );
    const state = await bot.invoke(ask("Clean up"), { thread: "t" });
    expect(deleted).toBe(false);
    expect((sent()[0]!.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual([
      "get_weather",
    ]);
    const results = sent()[1]!
      .messages.filter((m) => m.role === "tool")
      .map((m) => m.content);
    expect(results).toEqual([
      'Error: the tool "delete_all" is not allowed for this agent. Available tools: get_weather.',
      'Error: there is no tool named "launch". Available tools: get_weather.',
    ]);
    expect(state.messages.at(-1)).toEqual({ role: "assistant", content: "Sorry." });
  });

  it("rejects an allow-list that names a tool it was not given", async () => {
    const model = openaiCompatible({ baseURL: "http://127.0.0.1:1/v1", apiKey: "test" });
    expect(() =>
      agent({ model, modelName: "m", tools: [weatherTool()], allowTools: ["get_wether"] }),
    ).toThrow(/allowTools names "get_wether", which is not among tools \(get_weather\)/);
  });

  describe("tools that require approval", () => {
    function paymentSetup(paid: unknown[]) {
      const pay = tool({
        name: "pay",
        description: "Sends money",
        input: z.object({ amount: z.number().positive() }),
        requiresApproval: true,
        run: ({ amount }) => {
          paid.push(amount);
          return "paid";
        },
      });
      const script: Script = (request) =>
        lastMessage(request).role === "user"
          ? { toolCalls: [{ id: "call_pay", name: "pay", arguments: { amount: 40 } }] }
          : { text: `model saw: ${lastMessage(request).content}` };
      return setup(script, { tools: [pay] });
    }

    it("pause the run at an interrupt; approved, the tool runs", async () => {
      const paid: unknown[] = [];
      const bot = await paymentSetup(paid);
      const first = await bot.run(ask("Pay 40"), { thread: "t" });
      expect(first.status).toBe("interrupted");
      expect(first.interrupts.map((i) => i.payload)).toEqual([
        { type: "tool-approval", tool: "pay", arguments: { amount: 40 }, callId: "call_pay" },
      ]);
      expect(paid).toEqual([]);
      const second = await bot.resume("t", { approved: true });
      expect(second.status).toBe("done");
      expect(paid).toEqual([40]);
      expect(second.state.messages.at(-1)).toEqual({ role: "assistant", content: "model saw: paid" });
      expect(sent()).toHaveLength(2);
    });

    it("several approvals in one turn pause once and are answered by interrupt id", async () => {
      const paid: unknown[] = [];
      const pay = tool({
        name: "pay",
        description: "Sends money",
        input: z.object({ amount: z.number() }),
        requiresApproval: true,
        run: ({ amount }) => void paid.push(amount),
      });
      const bot = await setup(
        [
          {
            toolCalls: [
              { name: "pay", arguments: { amount: 1 } },
              { name: "pay", arguments: { amount: 2 } },
            ],
          },
          { text: "ok" },
        ],
        { tools: [pay] },
      );
      const first = await bot.run(ask("Pay both"), { thread: "t" });
      expect(first.interrupts.map((i) => (i.payload as { arguments: unknown }).arguments)).toEqual([
        { amount: 1 },
        { amount: 2 },
      ]);
      const [one, two] = first.interrupts;
      await bot.resume("t", { [one!.id]: { approved: true }, [two!.id]: { approved: false } });
      expect(paid).toEqual([1]);
      expect(
        sent()[1]!
          .messages.filter((m) => m.role === "tool")
          .map((m) => m.content),
      ).toEqual(["null", "Error: rejected by a human (no reason given)."]);
    });

    it("rejected, the tool does not run and the model sees the rejection", async () => {
      const paid: unknown[] = [];
      const bot = await paymentSetup(paid);
      await bot.run(ask("Pay 40"), { thread: "t" });
      const second = await bot.resume("t", { approved: false, reason: "over budget" });
      expect(paid).toEqual([]);
      expect(lastMessage(sent()[1]!)).toMatchObject({
        role: "tool",
        tool_call_id: "call_pay",
        content: "Error: rejected by a human: over budget.",
      });
      expect(second.state.messages.at(-1)?.content).toBe(
        "model saw: Error: rejected by a human: over budget.",
      );
    });
  });

  it("does not repeat a tool's side effect when a failed thread is continued", async () => {
    const received: unknown[] = [];
    const bot = await setup(
      [
        { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] },
        { fault: "server-error", status: 500 },
        { text: "21 °C." },
      ],
      { tools: [weatherTool(received)] },
    );
    await expect(bot.invoke(ask("Weather in Oslo?"), { thread: "t" })).rejects.toThrow();
    expect(received).toHaveLength(1);
    const state = await bot.invoke(null, { thread: "t" });
    expect(received).toHaveLength(1);
    expect(sent()).toHaveLength(3);
    expect(state.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(state.messages.at(-1)?.content).toBe("21 °C.");
  });

  it("stopWhen stepCount(1) stops after the first model call, leaving its tool calls unrun", async () => {
    const received: unknown[] = [];
    const bot = await setup([{ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }], {
      tools: [weatherTool(received)],
      stopWhen: stepCount(1),
    });
    const out = await bot.run(ask("Weather?"), { thread: "t" });
    expect(out.status).toBe("done");
    expect(out.state).toMatchObject({ steps: 1, stopReason: "stop-condition" });
    expect(received).toEqual([]);
    expect(sent()).toHaveLength(1);
  });

  it("a turn stopped with tool calls unrun answers them, so the thread can go on with a new message", async () => {
    const bot = await setup(
      [
        { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" }, id: "call_1" }] },
        { text: "Sure." },
      ],
      { tools: [weatherTool()], stopWhen: stepCount(1) },
    );
    await bot.run(ask("Weather?"), { thread: "t" });
    const next = await bot.run(ask("Never mind, say hi."), { thread: "t" });
    expect(next.state.stopReason).toBe("answer");
    const roles = sent()[1]!.messages.map((m) => m.role);
    expect(roles).toEqual(["user", "assistant", "tool", "user"]);
    expect(JSON.stringify(sent()[1]!.messages[2])).toMatch(
      /call_1.*Not run: the agent stopped \(stop-condition\)/,
    );
  });

  it("stopWhen toolCalled(name) stops right after that tool ran, before another model call", async () => {
    const bot = await setup([{ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }], {
      tools: [weatherTool()],
      stopWhen: [stepCount(5), toolCalled("get_weather")],
    });
    const state = await bot.invoke(ask("Weather?"), { thread: "t" });
    expect(state.stopReason).toBe("stop-condition");
    expect(state.messages.at(-1)).toMatchObject({ role: "tool", content: '{"temp":21,"unit":"c"}' });
    expect(sent()).toHaveLength(1);
  });

  it("maxSteps ends the turn gracefully with stopReason max-steps", async () => {
    const bot = await setup(() => ({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }), {
      tools: [weatherTool()],
      maxSteps: 3,
    });
    const out = await bot.run(ask("Loop forever"), { thread: "t" });
    expect(out.status).toBe("done");
    expect(out.state).toMatchObject({ steps: 3, stopReason: "max-steps" });
    expect(sent()).toHaveLength(3);
  });

  it("counts steps per turn: a follow-up message on the thread starts again from 1", async () => {
    const bot = await setup([{ text: "Hi." }, { text: "Bye." }], { maxSteps: 1 });
    await bot.invoke(ask("Hello"), { thread: "t" });
    const state = await bot.invoke(ask("Goodbye"), { thread: "t" });
    expect(state).toMatchObject({ steps: 1, stopReason: "answer" });
    expect(state.messages.map((m) => m.content)).toEqual(["Hello", "Hi.", "Goodbye", "Bye."]);
    expect(sent()[1]!.messages).toHaveLength(3);
  });

  it("streams the model's text deltas and tool results as custom events", async () => {
    const bot = await setup(
      [
        { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] },
        { text: "It is 21 degrees.", chunkSize: 5 },
      ],
      { tools: [weatherTool()] },
    );
    const events: GraphEvent[] = [];
    for await (const e of bot.stream(ask("Weather?"), { thread: "t" })) events.push(e);
    const custom = events.flatMap((e) =>
      e.type === "custom" ? [e.data as { type: string; text?: string }] : [],
    );
    expect(custom[0]).toMatchObject({ type: "tool-result", name: "get_weather", ok: true });
    const deltas = custom.filter((d) => d.type === "model-delta").map((d) => d.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("It is 21 degrees.");
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "done" });
  });
});

describe("agent without a configured model", () => {
  it("answers from the offline extractive model (the pipeline runs on a fresh machine)", async () => {
    const saved = { ...process.env };
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      const bot = agent({ instructions: "Returns are accepted within 30 days. Shipping takes two days." });
      const out = await bot.invoke({ messages: [{ role: "user", content: "How long does shipping take?" }] });
      expect(out.messages.at(-1)).toMatchObject({ role: "assistant", content: "Shipping takes two days." });
      expect(out.stopReason).toBe("answer");
    } finally {
      process.env = saved;
    }
  });
});
