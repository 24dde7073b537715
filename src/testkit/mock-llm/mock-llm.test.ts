import OpenAI, { type APIError } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, type MockLLMOptions, startMockLLM } from "./index.js";

const mocks: MockLLM[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});

async function setup(options?: MockLLMOptions) {
  const mock = await startMockLLM(options);
  mocks.push(mock);
  return { mock, client: new OpenAI({ baseURL: mock.url, apiKey: "test", maxRetries: 0 }) };
}

const ask = (content: string) => [{ role: "user" as const, content }];

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("text replies", () => {
  it("answers a non-stream request with a chat.completion and computed usage", async () => {
    const { client } = await setup({ script: [{ text: "Hi there!" }] });
    const completion = await client.chat.completions.create({
      model: "mock-small",
      messages: ask("hello, world"),
    });
    expect(completion).toMatchObject({
      id: "chatcmpl-mock-1",
      object: "chat.completion",
      model: "mock-small",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Hi there!" } }],
      // ceil(12 / 4) prompt tokens, ceil(9 / 4) completion tokens
      usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    });
    expect(completion.usage?.prompt_tokens_details).toBeUndefined();
  });

  it("reports the usage, model and finish reason a step gives, cached tokens included", async () => {
    const { client } = await setup({
      script: [
        {
          text: "cut",
          model: "gpt-4o-2024-08-06",
          finishReason: "length",
          usage: { prompt_tokens: 1000, completion_tokens: 5, cached_tokens: 800 },
        },
      ],
    });
    const completion = await client.chat.completions.create({ model: "gpt-4o", messages: ask("q") });
    expect(completion.model).toBe("gpt-4o-2024-08-06");
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 5,
      total_tokens: 1005,
      prompt_tokens_details: { cached_tokens: 800 },
    });
  });

  it("streams the role first, the content in chunkSize pieces, the finish reason, then usage", async () => {
    const { client } = await setup({ script: [{ text: "The quick brown fox", chunkSize: 5 }] });
    const stream = await client.chat.completions.create({
      model: "mock-large",
      messages: ask("tell me"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === "chatcmpl-mock-1")).toBe(
      true,
    );
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    const contents = chunks
      .flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ""))
      .filter(Boolean);
    expect(contents).toEqual(["The q", "uick ", "brown", " fox"]);
    const finish = chunks.at(-2);
    expect(finish?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("sends no usage chunk unless include_usage is asked for", async () => {
    const { client } = await setup({ script: [{ text: "abc" }] });
    const chunks = await collect(
      await client.chat.completions.create({ model: "m", messages: ask("x"), stream: true }),
    );
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((c) => "usage" in c)).toBe(false);
  });

  it("serializes a json reply as the content of a response_format json_schema request", async () => {
    const { client, mock } = await setup({ script: [{ json: { city: "Paris", population: 2_100_000 } }] });
    const responseFormat = {
      type: "json_schema" as const,
      json_schema: {
        name: "city",
        strict: true,
        schema: {
          type: "object",
          properties: { city: { type: "string" }, population: { type: "number" } },
          required: ["city", "population"],
          additionalProperties: false,
        },
      },
    };
    const completion = await client.chat.completions.parse({
      model: "m",
      messages: ask("largest city of France?"),
      response_format: responseFormat,
    });
    expect(completion.choices[0]?.message.parsed).toEqual({ city: "Paris", population: 2_100_000 });
    expect(mock.requests[0]?.body).toMatchObject({ response_format: responseFormat });
  });
});

describe("tool calls", () => {
  const script = [
    {
      toolCalls: [
        { name: "get_weather", arguments: { city: "Paris", unit: "celsius" } },
        { name: "get_time", arguments: '{"zone":"Europe/Paris"}', id: "call_given" },
      ],
    },
  ];

  it("answers non-stream with tool_calls, null content and finish_reason tool_calls", async () => {
    const { client } = await setup({ script });
    const completion = await client.chat.completions.create({ model: "m", messages: ask("weather?") });
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      {
        id: "call_mock_1_0",
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
      },
      {
        id: "call_given",
        type: "function",
        function: { name: "get_time", arguments: '{"zone":"Europe/Paris"}' },
      },
    ]);
  });

  it("streams each call's arguments in pieces that the SDK reassembles", async () => {
    const { client } = await setup({ script });
    const stream = client.chat.completions.stream({ model: "m", messages: ask("weather?") });
    const chunks = await collect(stream);
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(final.choices[0]?.message.tool_calls?.map((c) => c.type === "function" && c.function)).toEqual([
      { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
      { name: "get_time", arguments: '{"zone":"Europe/Paris"}' },
    ]);

    const pieces = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    // The first piece of a call carries index, id, type and name; the rest only argument text.
    expect(pieces.filter((p) => p.id !== undefined)).toEqual([
      { index: 0, id: "call_mock_1_0", type: "function", function: { name: "get_weather", arguments: "" } },
      { index: 1, id: "call_given", type: "function", function: { name: "get_time", arguments: "" } },
    ]);
    const argumentPieces = pieces.filter((p) => p.index === 0 && p.id === undefined);
    expect(argumentPieces.length).toBeGreaterThan(2);
    expect(argumentPieces.every((p) => p.function?.name === undefined)).toBe(true);
  });
});

describe("scripts", () => {
  it("consumes an array in order and answers 500 once it runs out", async () => {
    const { client } = await setup({ script: [{ text: "one" }, { text: "two" }] });
    const reply = async () =>
      (await client.chat.completions.create({ model: "m", messages: ask("?") })).choices[0]?.message.content;
    expect(await reply()).toBe("one");
    expect(await reply()).toBe("two");
    const error = await reply().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as APIError).status).toBe(500);
    expect((error as APIError).message).toMatch(
      /script ran out: it has 2 step\(s\) and this is chat request 3/,
    );
  });

  it("asks a function for each step, with the request and its index", async () => {
    const seen: number[] = [];
    const { client } = await setup({
      script: async (request, { index, headers }) => {
        seen.push(index);
        const last = request.messages.at(-1);
        return { text: `#${index} ${String(last?.content)} (${headers.authorization})` };
      },
    });
    const a = await client.chat.completions.create({ model: "m", messages: ask("first") });
    const b = await client.chat.completions.create({ model: "m", messages: ask("second") });
    expect(a.choices[0]?.message.content).toBe("#0 first (Bearer test)");
    expect(b.choices[0]?.message.content).toBe("#1 second (Bearer test)");
    expect(seen).toEqual([0, 1]);
  });

  it("answers 500 naming the problem when a function throws or returns an invalid step", async () => {
    const { client } = await setup({
      script: (_request, { index }) => {
        if (index === 0) throw new Error("no step for this");
        return { text: "a", json: 1 } as never;
      },
    });
    const call = () =>
      client.chat.completions.create({ model: "m", messages: ask("?") }).catch((e: unknown) => e);
    const thrown = (await call()) as APIError;
    expect([thrown.status, thrown.code, thrown.message]).toEqual([
      500,
      "mock_script_error",
      expect.stringContaining("threw on chat request 1: no step for this"),
    ]);
    const invalid = (await call()) as APIError;
    expect([invalid.status, invalid.code, invalid.message]).toEqual([
      500,
      "mock_script_invalid",
      expect.stringContaining("give exactly one of text, json, toolCalls (found text, json)"),
    ]);
  });

  it("refuses an invalid array script at start, listing every bad step", async () => {
    const error = await startMockLLM({
      script: [{ text: "ok" }, { fault: "truncate" } as never, { toolCalls: [] }],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "MOCK_SCRIPT_INVALID",
      issues: [
        'step 2: "truncate" needs afterChunks, a whole number >= 0 (got undefined)',
        "step 3: toolCalls must be a non-empty array (got an array)",
      ],
    });
  });
});

describe("without a script", () => {
  it("answers deterministically from the last user message, first 200 characters", async () => {
    const { client } = await setup();
    const messages = [
      { role: "system" as const, content: "be brief" },
      { role: "user" as const, content: "first question" },
      { role: "assistant" as const, content: "first answer" },
      { role: "user" as const, content: "What is Keel?" },
    ];
    const a = await client.chat.completions.create({ model: "m", messages });
    const b = await client.chat.completions.create({ model: "m", messages });
    expect(a.choices[0]?.message.content).toBe("mock reply to: What is Keel?");
    expect(b.choices[0]?.message.content).toBe(a.choices[0]?.message.content);
    expect(b.usage).toEqual(a.usage);

    const long = await client.chat.completions.create({ model: "m", messages: ask("x".repeat(500)) });
    expect(long.choices[0]?.message.content).toBe(`mock reply to: ${"x".repeat(200)}`);
  });

  it("streams the same reply with usage when asked", async () => {
    const { client } = await setup();
    const chunks = await collect(
      await client.chat.completions.create({
        model: "m",
        messages: [{ role: "user", content: [{ type: "text", text: "parts work too" }] }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("mock reply to: parts work too");
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 });
  });
});

describe("endpoints and recording", () => {
  it("lists the models", async () => {
    const { client } = await setup();
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(["mock-small", "mock-large"]);

    const custom = await setup({ models: ["gpt-4o-mini"] });
    const page = await custom.client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(["gpt-4o-mini"]);
  });

  it("answers OpenAI-style errors for unknown paths, bad JSON and missing messages, using no step", async () => {
    const { mock } = await setup({ script: [{ text: "still first" }] });
    const post = (path: string, body: string) =>
      fetch(`${mock.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

    const notFound = await post("/completions", "{}");
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      error: {
        message: expect.stringContaining("Invalid URL (POST /v1/completions)"),
        type: "invalid_request_error",
        param: null,
        code: "unknown_url",
      },
    });
    const badJson = await post("/chat/completions", "{not json");
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "invalid_json" },
    });
    const noMessages = await post("/chat/completions", JSON.stringify({ model: "m" }));
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toMatchObject({
      error: { message: "Missing required parameter: 'messages'.", param: "messages" },
    });

    const ok = await post("/chat/completions", JSON.stringify({ model: "m", messages: ask("hi") }));
    expect(((await ok.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe("still first");
  });

  it("records every request with method, path, headers, body and time", async () => {
    let clock = 1_700_000_000_000;
    const { client, mock } = await setup({ now: () => clock++ });
    await client.chat.completions.create({ model: "mock-small", messages: ask("hi"), temperature: 0 });
    await client.models.list();
    await fetch(`${mock.url}/chat/completions`, { method: "POST", body: "plain text" });

    expect(mock.requests.map((r) => [r.method, r.path, r.at])).toEqual([
      ["POST", "/v1/chat/completions", 1_700_000_000_000],
      ["GET", "/v1/models", 1_700_000_000_002],
      ["POST", "/v1/chat/completions", 1_700_000_000_003],
    ]);
    const [chat, list, raw] = mock.requests;
    expect(chat?.body).toEqual({ model: "mock-small", messages: ask("hi"), temperature: 0 });
    expect(chat?.headers.authorization).toBe("Bearer test");
    expect(chat?.headers["content-type"]).toBe("application/json");
    expect(list?.body).toBeUndefined();
    expect(raw?.body).toBe("plain text");
  });
});
