import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { guard } from "../guard/index.js";
import { openaiCompatible } from "../model/index.js";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { recordGuardVerdict, routeAttributes, traceAgent, traced, traceTool, traceWorkflow } from "./otel.js";

// What an application's OpenTelemetry SDK sets up: spans follow async calls.
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer("keel-test") };
}

const request = {
  model: "mock-small",
  messages: [
    { role: "system" as const, content: "You are terse." },
    { role: "user" as const, content: "Where is order 42?" },
  ],
  temperature: 0.2,
  maxTokens: 64,
  seed: 7,
};

describe("OpenTelemetry GenAI spans", () => {
  it("records a model call as `chat {model}` with the conventions' attributes, without content by default", async () => {
    mock = await startMockLLM({ script: [{ text: "It ships today." }] });
    const { exporter, tracer } = tracing();
    const model = traced(openaiCompatible({ baseURL: mock.url, id: "openai" }), { tracer });
    await model.generate(request);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe("chat mock-small");
    expect(span?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "mock-small",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 64,
      "gen_ai.request.seed": 7,
      "gen_ai.response.model": "mock-small",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": expect.any(Number),
      "gen_ai.usage.output_tokens": expect.any(Number),
    });
    expect(
      Object.keys(span?.attributes ?? {}).some((k) => k.includes("messages") || k.includes("instructions")),
    ).toBe(false);
  });

  it("puts messages on the span only when content capture is opted in, and streams end their span", async () => {
    mock = await startMockLLM({ script: [{ text: "It ships today." }, { text: "a long streamed answer" }] });
    const { exporter, tracer } = tracing();
    const model = traced(openaiCompatible({ baseURL: mock.url, id: "openai" }), {
      tracer,
      captureContent: true,
    });
    await model.generate(request);
    const attributes = exporter.getFinishedSpans()[0]?.attributes ?? {};
    expect(JSON.parse(attributes["gen_ai.input.messages"] as string)).toEqual([
      { role: "user", content: "Where is order 42?" },
    ]);
    expect(JSON.parse(attributes["gen_ai.system_instructions"] as string)).toEqual(["You are terse."]);
    expect(attributes["gen_ai.output.messages"]).toContain("It ships today.");
    for await (const part of model.stream(request)) if (part.type === "text-delta") break;
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it("marks a failed call with error.type and an error status", async () => {
    mock = await startMockLLM({ script: [{ fault: "server-error", status: 503 }] });
    const { exporter, tracer } = tracing();
    const model = traced(openaiCompatible({ baseURL: mock.url, id: "openai" }), { tracer });
    await expect(model.generate(request)).rejects.toThrow();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(2);
    expect(span?.attributes["error.type"]).toEqual(expect.any(String));
  });

  it("nests tool and model spans under agent and workflow spans, with guard and routing attributes", async () => {
    mock = await startMockLLM({ script: [{ text: "done" }] });
    const { exporter, tracer } = tracing();
    const model = traced(openaiCompatible({ baseURL: mock.url, id: "openai" }), { tracer });
    const g = guard({ onVerdict: (record) => recordGuardVerdict(activeSpan, record) });
    let activeSpan: Parameters<typeof recordGuardVerdict>[0];
    await traceWorkflow(tracer, { name: "support-desk", runId: "run-1" }, () =>
      traceAgent(tracer, { name: "triage" }, async (agentSpan) => {
        activeSpan = agentSpan;
        g.scan("mail me at jane@example.com", { source: "input" });
        agentSpan.setAttributes(
          routeAttributes({
            candidates: ["mock-small", "mock-large"],
            choice: "mock-small",
            reason: "cheapest",
          }),
        );
        await traceTool(tracer, { name: "lookup_order", callId: "call_1" }, async () => "shipped");
        await model.generate(request);
      }),
    );
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual([
      "chat mock-small",
      "execute_tool lookup_order",
      "invoke_agent triage",
      "invoke_workflow support-desk",
    ]);
    const agent = byName.get("invoke_agent triage");
    const workflow = byName.get("invoke_workflow support-desk");
    const parentOf = (name: string) => byName.get(name)?.parentSpanContext?.spanId;
    expect(parentOf("execute_tool lookup_order")).toBe(agent?.spanContext().spanId);
    expect(parentOf("invoke_agent triage")).toBe(workflow?.spanContext().spanId);
    expect(parentOf("chat mock-small")).toBe(agent?.spanContext().spanId);
    expect(byName.get("execute_tool lookup_order")?.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "lookup_order",
      "gen_ai.tool.call.id": "call_1",
    });
    expect(agent?.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "keel.route.choice": "mock-small",
    });
    expect(workflow?.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_workflow",
      "gen_ai.workflow.name": "support-desk",
    });
    const verdict = agent?.events.find((e) => e.name === "keel.guard.verdict");
    expect(verdict?.attributes).toMatchObject({
      "keel.guard.action": "redact",
      "keel.guard.finding_types": ["EMAIL"],
    });
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toContain("jane@example.com");
  });
});
