import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { ModelConfigError, openaiCompatible, ProviderError } from "./index.js";
import type { ModelRequest, StreamPart } from "./types.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const ask = (content: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: "mock-small",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content },
  ],
  ...extra,
});

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

describe.each(["sdk", "http"] as const)(
  "openaiCompatible() against the mock server (transport %s)",
  (transport) => {
    it("generates text and reports the provider's usage, model and finish reason", async () => {
      mock = await startMockLLM({
        script: [{ text: "Paris.", usage: { prompt_tokens: 12, completion_tokens: 2, cached_tokens: 4 } }],
      });
      const model = openaiCompatible({ transport, baseURL: mock.url, apiKey: "test-key" });
      const out = await model.generate(ask("Capital of France?", { maxTokens: 20, temperature: 0, seed: 7 }));
      expect(out).toMatchObject({
        text: "Paris.",
        toolCalls: [],
        finishReason: "stop",
        model: "mock-small",
        provider: "openai-compatible",
        usage: {
          inputTokens: 12,
          outputTokens: 2,
          cachedInputTokens: 4,
          cacheWriteTokens: 0,
          source: "provider",
        },
      });
      const body = mock.requests.at(-1)!.body as Record<string, unknown>;
      expect(body).toMatchObject({
        model: "mock-small",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Capital of France?" },
        ],
        max_completion_tokens: 20,
        temperature: 0,
        seed: 7,
      });
    });

    it("streams text deltas and ends with one finish part carrying the usage of the final chunk", async () => {
      mock = await startMockLLM({ script: [{ text: "The quick brown fox.", chunkSize: 3 }] });
      const model = openaiCompatible({ transport, baseURL: mock.url });
      const parts = await collect(model.stream(ask("Say something")));
      const deltas = parts.filter((p) => p.type === "text-delta");
      expect(deltas.length).toBeGreaterThan(3);
      expect(deltas.map((p) => (p.type === "text-delta" ? p.text : "")).join("")).toBe(
        "The quick brown fox.",
      );
      const finish = parts.at(-1);
      expect(finish?.type).toBe("finish");
      if (finish?.type !== "finish") throw new Error("no finish part");
      expect(finish.response.text).toBe("The quick brown fox.");
      expect(finish.response.usage.source).toBe("provider");
      expect(finish.response.usage.outputTokens).toBeGreaterThan(0);
      expect((mock.requests.at(-1)!.body as Record<string, unknown>).stream_options).toEqual({
        include_usage: true,
      });
    });

    it("sends tools and parses tool calls, also when their arguments arrive in pieces", async () => {
      const call = { name: "get_weather", arguments: { city: "Oslo", unit: "celsius" } };
      mock = await startMockLLM({ script: [{ toolCalls: [call] }, { toolCalls: [call], chunkSize: 2 }] });
      const model = openaiCompatible({ transport, baseURL: mock.url });
      const tools = [
        {
          name: "get_weather",
          description: "Weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ];
      const out = await model.generate(ask("Weather in Oslo?", { tools, toolChoice: "auto" }));
      expect(out.finishReason).toBe("tool-calls");
      expect(out.toolCalls).toHaveLength(1);
      expect(out.toolCalls[0]!.name).toBe("get_weather");
      expect(JSON.parse(out.toolCalls[0]!.arguments)).toEqual(call.arguments);
      expect((mock.requests[0]!.body as { tools: unknown[] }).tools).toEqual([
        { type: "function", function: tools[0] },
      ]);

      const parts = await collect(model.stream(ask("Weather in Oslo?", { tools })));
      expect(parts.filter((p) => p.type === "tool-call-delta").length).toBeGreaterThan(1);
      const done = parts.find((p) => p.type === "tool-call");
      expect(done?.type === "tool-call" && JSON.parse(done.toolCall.arguments)).toEqual(call.arguments);
      const finish = parts.at(-1);
      expect(finish?.type === "finish" && finish.response.finishReason).toBe("tool-calls");
    });

    it("asks for json_schema output with the schema, strict by default", async () => {
      mock = await startMockLLM({ script: [{ json: { city: "Oslo" } }] });
      const model = openaiCompatible({ transport, baseURL: mock.url });
      const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
      const out = await model.generate(
        ask("Where?", { responseFormat: { type: "json_schema", name: "place", schema } }),
      );
      expect(JSON.parse(out.text)).toEqual({ city: "Oslo" });
      expect((mock.requests[0]!.body as Record<string, unknown>).response_format).toEqual({
        type: "json_schema",
        json_schema: { name: "place", schema, strict: true },
      });
    });

    it("maps 429 to a retryable rate-limited error carrying Retry-After, without the API key", async () => {
      mock = await startMockLLM({ script: [{ fault: "rate-limit", retryAfter: 3 }] });
      const model = openaiCompatible({ transport, baseURL: mock.url, apiKey: "sk-very-secret-key-123" });
      const error = await model.generate(ask("hi")).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        code: "PROVIDER_RATE_LIMITED",
        status: 429,
        retryAfterMs: 3000,
        retryable: true,
      });
      expect(error.message).not.toContain("sk-very-secret");
    });

    it("maps 5xx, malformed JSON, a truncated stream and a stalled stream to typed errors", async () => {
      mock = await startMockLLM({
        script: [
          { fault: "server-error", status: 503 },
          { fault: "malformed-json" },
          { fault: "truncate", afterChunks: 2 },
          { fault: "stall", afterChunks: 1 },
        ],
      });
      const model = openaiCompatible({ transport, baseURL: mock.url });
      await expect(model.generate(ask("a"))).rejects.toMatchObject({
        code: "PROVIDER_UNAVAILABLE",
        status: 503,
        retryable: true,
      });
      await expect(model.generate(ask("b"))).rejects.toMatchObject({
        code: "PROVIDER_INVALID_RESPONSE",
        retryable: true,
      });
      await expect(collect(model.stream(ask("c")))).rejects.toMatchObject({
        code: "PROVIDER_STREAM_INTERRUPTED",
        retryable: true,
      });
      await expect(
        collect(model.stream(ask("d"), { signal: AbortSignal.timeout(200) })),
      ).rejects.toMatchObject({
        code: "PROVIDER_CANCELLED",
      });
    });

    it("a server that cannot be reached is a retryable network error", async () => {
      const model = openaiCompatible({ transport, baseURL: "http://127.0.0.1:9/v1" });
      await expect(model.generate(ask("hi"))).rejects.toMatchObject({
        code: "PROVIDER_NETWORK",
        retryable: true,
      });
    });

    it("refuses a configuration that cannot work", () => {
      expect(() => openaiCompatible({ baseURL: "" })).toThrow(ModelConfigError);
      expect(() => openaiCompatible({ baseURL: "localhost:8080" })).toThrow(
        /needs baseURL, an http\(s\) URL/,
      );
    });
  },
);

describe("secrets in server errors", () => {
  it("a server that echoes the API key in its error text never gets it into a Keel error", async () => {
    const http = await import("node:http");
    const key = "sk-live-0123456789abcdef";
    const server = http.createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: `Incorrect API key provided: ${key}`, type: "invalid_request_error" },
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    try {
      for (const transport of ["sdk", "http"] as const) {
        const model = openaiCompatible({ transport, baseURL: `http://127.0.0.1:${port}/v1`, apiKey: key });
        const error = await model.generate(ask("hi")).catch((e) => e);
        expect(error).toMatchObject({ code: "PROVIDER_AUTH", status: 401 });
        expect(error.message).toContain("[redacted]");
        expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(key);
        const streamed = await collect(model.stream(ask("hi"))).catch((e) => e);
        expect(streamed.message).not.toContain(key);
      }
    } finally {
      server.close();
    }
  });
});

describe("the http transport", () => {
  it("keeps one connection across calls, streamed or not", async () => {
    const http = await import("node:http");
    let connections = 0;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        if (JSON.parse(body).stream) {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write(chunk({ content: "hi" }, null));
          res.write(chunk({}, "stop"));
          res.end("data: [DONE]\n\n");
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              id: "c",
              object: "chat.completion",
              created: 1,
              model: "m",
              choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
            }),
          );
        }
      });
    });
    server.on("connection", () => connections++);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as { port: number };
      const model = openaiCompatible({ transport: "http", baseURL: `http://127.0.0.1:${port}/v1` });
      for (let i = 0; i < 3; i++) {
        expect((await model.generate(ask("a"))).text).toBe("hi");
        const parts = await collect(model.stream(ask("b")));
        expect(parts.at(-1)).toMatchObject({ type: "finish", response: { text: "hi" } });
      }
      expect(connections).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
