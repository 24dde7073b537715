import { performance } from "node:perf_hooks";
import OpenAI, { type APIError, type RateLimitError } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, type MockLLMOptions, startMockLLM } from "./index.js";

const mocks: MockLLM[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
});

async function setup(options?: MockLLMOptions, clientOptions: { maxRetries?: number } = {}) {
  const mock = await startMockLLM(options);
  mocks.push(mock);
  // logLevel "off": the SDK logs the raw line before rethrowing a stream chunk it cannot parse.
  const client = new OpenAI({
    baseURL: mock.url,
    apiKey: "test",
    maxRetries: 0,
    logLevel: "off",
    ...clientOptions,
  });
  return { mock, client };
}

const params = { model: "mock-small", messages: [{ role: "user" as const, content: "hello there" }] };

/** Iterates a stream, keeping what arrived before it ended or threw. */
async function drain(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error };
  }
}

const finishReasons = (chunks: ChatCompletionChunk[]) =>
  chunks.flatMap((c) => c.choices.map((x) => x.finish_reason));

describe("HTTP faults", () => {
  it("answers 429 with Retry-After and an OpenAI error body", async () => {
    const { client } = await setup({ script: [{ fault: "rate-limit", retryAfter: 7 }] });
    const error = await client.chat.completions.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get("retry-after")).toBe("7");
    expect(rateLimit.code).toBe("rate_limit_exceeded");
    expect(rateLimit.type).toBe("requests");
  });

  it("lets a client that honours Retry-After succeed on the next step", async () => {
    const { client, mock } = await setup(
      { script: [{ fault: "rate-limit", retryAfter: 0.2 }, { text: "after the wait" }] },
      { maxRetries: 1 },
    );
    const started = performance.now();
    const completion = await client.chat.completions.create(params);
    expect(completion.choices[0]?.message.content).toBe("after the wait");
    expect(mock.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it.each([500, 502, 503] as const)("answers a scripted %i", async (status) => {
    const { client } = await setup({ script: [{ fault: "server-error", status }] });
    const error = await client.chat.completions.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as APIError).status).toBe(status);
    expect((error as APIError).type).toBe("server_error");
  });

  it("answers 500 by default", async () => {
    const { client } = await setup({ script: [{ fault: "server-error" }] });
    await expect(client.chat.completions.create(params)).rejects.toMatchObject({ status: 500 });
  });
});

describe("broken bodies", () => {
  it("sends a 200 JSON body that does not parse; the SDK throws a plain SyntaxError", async () => {
    const { client, mock } = await setup({
      script: [{ fault: "malformed-json" }, { fault: "malformed-json" }],
    });
    const error = await client.chat.completions.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);

    const raw = await fetch(`${mock.url}/chat/completions`, { method: "POST", body: JSON.stringify(params) });
    expect([raw.status, raw.headers.get("content-type")]).toEqual([200, "application/json"]);
    const text = await raw.text();
    expect(text.startsWith('{"id":"chatcmpl-mock-2"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it("sends a stream data line with broken JSON; iteration throws SyntaxError after the good chunks", async () => {
    const { client } = await setup({
      script: [{ fault: "malformed-json", afterChunks: 2, text: "abcdefgh" }],
    });
    const { chunks, error } = await drain(await client.chat.completions.create({ ...params, stream: true }));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(["", "abcd"]);
  });

  it("cuts a stream after n chunks without [DONE]; iteration throws TypeError 'terminated'", async () => {
    const { client } = await setup({
      script: [{ fault: "truncate", afterChunks: 3, text: "one two three four" }],
    });
    const { chunks, error } = await drain(await client.chat.completions.create({ ...params, stream: true }));
    expect(chunks).toHaveLength(3);
    expect(finishReasons(chunks)).toEqual([null, null, null]);
    // undici's error for a body cut short, not an OpenAI APIError.
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: "terminated", cause: { message: "other side closed" } });
  });

  it("cuts a non-stream body midway; the SDK rejects with TypeError 'terminated'", async () => {
    const { client } = await setup({ script: [{ fault: "truncate", afterChunks: 0 }] });
    await expect(client.chat.completions.create(params)).rejects.toMatchObject({
      name: "TypeError",
      message: "terminated",
    });
  });
});

describe("stalls", () => {
  it("stalls a stream after n chunks; aborting ends the raw iteration silently, with no finish_reason", async () => {
    const { client } = await setup({ script: [{ fault: "stall", afterChunks: 2 }] });
    const stream = await client.chat.completions.create(
      { ...params, stream: true },
      { signal: AbortSignal.timeout(150) },
    );
    const { chunks, error } = await drain(stream);
    // The SDK swallows the abort in its stream iterator: callers must check for a finish_reason.
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(2);
    expect(finishReasons(chunks)).toEqual([null, null]);
  });

  it("stalls a stream; the SDK's stream helper rejects with APIUserAbortError", async () => {
    const { client } = await setup({ script: [{ fault: "stall", afterChunks: 1 }] });
    const stream = client.chat.completions.stream(params, { signal: AbortSignal.timeout(150) });
    await expect(stream.finalChatCompletion()).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
  });

  it("stalls a non-stream response after its headers; the abort rejects the call", async () => {
    const { client } = await setup({ script: [{ fault: "stall", afterChunks: 0 }] });
    const call = client.chat.completions.create(params, { signal: AbortSignal.timeout(150) });
    // The abort lands while the body is read, so it is the platform's AbortError, not APIUserAbortError.
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
  });

  it("close() ends a stalled stream and resolves", async () => {
    const { client, mock } = await setup({ script: [{ fault: "stall", afterChunks: 1 }] });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.role).toBe("assistant");
    const rest = iterator.next().then(
      (result) => ({ done: result.done, error: undefined }),
      (error: unknown) => ({ done: true, error }),
    );
    await mock.close();
    const ended = await rest;
    expect(ended.done).toBe(true);
    expect(ended.error).toMatchObject({ message: "terminated" });
  });

  it("close() ends a request still waiting out its latency", async () => {
    let reached: () => void = () => {};
    const scripted = new Promise<void>((resolve) => (reached = resolve));
    const { client, mock } = await setup({
      script: () => {
        reached();
        return { text: "never sent", latencyMs: 60_000 };
      },
    });
    const call = client.chat.completions.create(params).catch((e: unknown) => e);
    await scripted;
    await mock.close();
    expect(await call).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe("timing", () => {
  it("waits latencyMs before answering", async () => {
    const { client } = await setup({ script: [{ text: "late", latencyMs: 120 }] });
    const started = performance.now();
    await client.chat.completions.create(params);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("answers a fast request before a slow one sent earlier", async () => {
    const { client } = await setup({
      script: (request) => ({
        text: String(request.messages[0]?.content),
        latencyMs: request.model === "slow" ? 400 : 0,
      }),
    });
    const finished: string[] = [];
    const call = (model: string) =>
      client.chat.completions
        .create({ model, messages: [{ role: "user", content: model }] })
        .then((c) => finished.push(c.choices[0]?.message.content ?? ""));
    const slow = call("slow");
    await call("fast");
    await slow;
    expect(finished).toEqual(["fast", "slow"]);
  });

  it("spaces stream chunks by chunkDelayMs, in order", async () => {
    const { client } = await setup({ script: [{ text: "aaaabbbbcccc", chunkDelayMs: 40 }] });
    const started = performance.now();
    const stream = await client.chat.completions.create({ ...params, stream: true });
    const { chunks } = await drain(stream);
    const elapsed = performance.now() - started;
    const contents = chunks.map((c) => c.choices[0]?.delta.content);
    expect(contents).toEqual(["", "aaaa", "bbbb", "cccc", undefined]);
    // Five chunks, four gaps between them.
    expect(elapsed).toBeGreaterThanOrEqual(4 * 40 - 5);
  });
});
