import Anthropic from "@anthropic-ai/sdk";
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, type MockLLMOptions, startMockLLM } from "./index.js";

const mocks: MockLLM[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});

async function setup(options?: MockLLMOptions) {
  const mock = await startMockLLM(options);
  mocks.push(mock);
  // The SDK appends /v1/messages to baseURL; logLevel "off" keeps a malformed event out of the output.
  const client = new Anthropic({ baseURL: mock.origin, apiKey: "test", maxRetries: 0, logLevel: "off" });
  return { mock, client };
}

const params = {
  model: "mock-claude",
  max_tokens: 100,
  system: "Be brief.",
  messages: [{ role: "user" as const, content: "hello there" }],
};

async function drain(stream: AsyncIterable<RawMessageStreamEvent>) {
  const events: RawMessageStreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

describe("POST /v1/messages through the official Anthropic client", () => {
  it("answers the default reply as a message and records the request", async () => {
    const { client, mock } = await setup();
    const message = await client.messages.create(params);
    expect(message).toMatchObject({
      id: "msg_mock_1",
      type: "message",
      role: "assistant",
      model: "mock-claude",
      content: [{ type: "text", text: "mock reply to: hello there" }],
      stop_reason: "end_turn",
    });
    expect(mock.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/messages",
      headers: { "anthropic-version": expect.any(String) },
      body: { model: "mock-claude", max_tokens: 100, system: "Be brief." },
    });
  });

  it("reports usage with input_tokens excluding cache reads and writes", async () => {
    const { client } = await setup({
      script: [
        {
          text: "ok",
          usage: { prompt_tokens: 100, completion_tokens: 3, cached_tokens: 60, cache_write_tokens: 30 },
        },
      ],
    });
    const message = await client.messages.create(params);
    expect(message.usage).toMatchObject({
      input_tokens: 10,
      output_tokens: 3,
      cache_read_input_tokens: 60,
      cache_creation_input_tokens: 30,
    });
  });

  it("answers tool calls as tool_use blocks with object input and stop_reason tool_use", async () => {
    const { client } = await setup({ script: [{ toolCalls: [{ name: "lookup", arguments: { id: 7 } }] }] });
    const message = await client.messages.create(params);
    expect(message.content).toEqual([
      { type: "tool_use", id: "toolu_mock_1_0", name: "lookup", input: { id: 7 } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
  });

  it("streams Anthropic's events: text and tool input in pieces, usage at start and end", async () => {
    const { client } = await setup({
      script: [
        {
          toolCalls: [{ name: "lookup", arguments: { city: "Paris" }, id: "toolu_1" }],
          chunkSize: 5,
          usage: { prompt_tokens: 20, completion_tokens: 9, cached_tokens: 5 },
        },
      ],
    });
    const { events, error } = await drain(await client.messages.create({ ...params, stream: true }));
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      ...Array(4).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start = events[0] as Extract<RawMessageStreamEvent, { type: "message_start" }>;
    expect(start.message.usage).toMatchObject({ input_tokens: 15, cache_read_input_tokens: 5 });
    const json = events.flatMap((e) =>
      e.type === "content_block_delta" && e.delta.type === "input_json_delta" ? [e.delta.partial_json] : [],
    );
    expect(json.join("")).toBe('{"city":"Paris"}');
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } });
  });

  it("streams text with the SDK's own accumulator", async () => {
    const { client } = await setup({ script: [{ text: "Hello from the mock", chunkSize: 3 }] });
    const final = await client.messages.stream(params).finalMessage();
    expect(final.content).toMatchObject([{ type: "text", text: "Hello from the mock" }]);
    expect(final.stop_reason).toBe("end_turn");
  });

  it("answers 429 with retry-after and an Anthropic error body", async () => {
    const { client } = await setup({ script: [{ fault: "rate-limit", retryAfter: 3 }] });
    const error = await client.messages.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get("retry-after")).toBe("3");
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe("rate_limit_error");
  });

  it("answers 529 overloaded", async () => {
    const { client } = await setup({ script: [{ fault: "server-error", status: 529 }] });
    const error = await client.messages.create(params).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 529, type: "overloaded_error" });
  });

  it("refuses a request without max_tokens as Anthropic does", async () => {
    const { client } = await setup();
    const { max_tokens: _, ...noMax } = params;
    const error = await client.messages.create(noMax as typeof params).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
  });

  it("cuts, breaks and stalls streams as scripted", async () => {
    const { client } = await setup({
      script: [
        { fault: "truncate", afterChunks: 3 },
        { fault: "malformed-json", afterChunks: 2 },
        { fault: "stall", afterChunks: 2 },
      ],
    });
    const cut = await drain(await client.messages.create({ ...params, stream: true }));
    expect(cut.events).toHaveLength(2); // message_start and content_block_start (the ping is skipped)
    expect(cut.error).toBeInstanceOf(Error);
    const broken = await drain(await client.messages.create({ ...params, stream: true }));
    expect(broken.error).toBeInstanceOf(SyntaxError);
    const controller = new AbortController();
    const stalled = await client.messages.create({ ...params, stream: true }, { signal: controller.signal });
    const events: RawMessageStreamEvent[] = [];
    for await (const event of stalled) {
      events.push(event);
      controller.abort();
    }
    expect(events.map((e) => e.type)).toEqual(["message_start"]);
  });

  it("gives a function script the endpoint", async () => {
    const seen: string[] = [];
    const { client } = await setup({
      script: (_request, info) => {
        seen.push(info.endpoint);
        return { text: "hi" };
      },
    });
    await client.messages.create(params);
    expect(seen).toEqual(["messages"]);
  });
});
