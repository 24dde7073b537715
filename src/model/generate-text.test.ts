import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { defaultPrices, extractive, generateText, openaiCompatible, resilient, streamText } from "./index.js";
import type { ModelRequest } from "./types.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
const request: ModelRequest = { model: "mock-small", messages: [{ role: "user", content: "Hello" }] };

describe("generateText: every call carries usage, cost, latency and attempts", () => {
  it("prices the provider's usage at the dated table and measures latency", async () => {
    mock = await startMockLLM({
      script: [{ text: "Hi.", usage: { prompt_tokens: 1_000, completion_tokens: 500 }, latencyMs: 30 }],
    });
    const result = await generateText({ model: openaiCompatible({ baseURL: mock.url }), request });
    // mock-small: $0.10 in, $0.40 out per 1M tokens.
    expect(result.costUsd).toBeCloseTo((1_000 * 0.1 + 500 * 0.4) / 1e6, 12);
    expect(result.priceTableVersion).toBe(defaultPrices.version);
    expect(result.latencyMs).toBeGreaterThanOrEqual(30);
    expect(result).toMatchObject({
      text: "Hi.",
      attempts: 1,
      provider: "openai-compatible",
      model: "mock-small",
    });
  });

  it("counts the attempts a resilient provider needed", async () => {
    mock = await startMockLLM({ script: [{ fault: "rate-limit", retryAfter: 0.05 }, { text: "ok" }] });
    const model = resilient(openaiCompatible({ baseURL: mock.url }), { retry: { initialDelayMs: 1 } });
    const result = await generateText({ model, request });
    expect(result.attempts).toBe(2);
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it("a model with no price has a null cost, never a made-up zero", async () => {
    const result = await generateText({
      model: extractive(),
      request: {
        model: "x",
        messages: [
          { role: "system", content: "Tea is hot." },
          { role: "user", content: "Is tea hot?" },
        ],
      },
    });
    expect(result.costUsd).toBeNull();
    expect(result.usage.source).toBe("estimated");
  });

  it("latency comes from the injected clock", async () => {
    let t = 1_000;
    const result = await generateText({
      model: extractive(),
      request: { model: "x", messages: [{ role: "user", content: "hi" }] },
      now: () => (t += 25),
    });
    expect(result.latencyMs).toBe(25);
  });

  it("streamText yields the parts and an accounted finish", async () => {
    mock = await startMockLLM({
      script: [{ text: "streamed reply", usage: { prompt_tokens: 10, completion_tokens: 4 } }],
    });
    const parts = [];
    for await (const p of streamText({ model: openaiCompatible({ baseURL: mock.url }), request }))
      parts.push(p);
    const finish = parts.at(-1);
    expect(finish?.type).toBe("finish");
    if (finish?.type !== "finish") throw new Error("no finish");
    expect(finish.response.text).toBe("streamed reply");
    expect(finish.response.costUsd).toBeCloseTo((10 * 0.1 + 4 * 0.4) / 1e6, 12);
    expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(1);
  });
});
