import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type MockLLM, type Script, startMockLLM } from "../testkit/mock-llm/index.js";
import { ProviderError } from "./errors.js";
import { generateObject } from "./generate-object.js";
import { OutputValidationError, SchemaNotSupportedError } from "./object-errors.js";
import { openaiCompatible } from "./openai-compatible.js";
import { type StreamObjectPart, streamObject } from "./stream-object.js";
import type { CallOptions, Message, ModelRequest, ModelResponse, Provider, StreamPart } from "./types.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const City = z.object({ city: z.string(), population: z.number().int() });
const messages: Message[] = [{ role: "user", content: "Largest city in Norway?" }];
const oslo = { city: "Oslo", population: 709000 };

async function mockModel(script: Script): Promise<Provider> {
  mock = await startMockLLM({ script });
  return openaiCompatible({ baseURL: mock.url });
}

type WireMessage = { role: string; content: string };
const sentMessages = (index: number): WireMessage[] =>
  (
    mock!.requests.filter((r) => r.path.endsWith("/chat/completions"))[index]!.body as {
      messages: WireMessage[];
    }
  ).messages;

/** A provider without a JSON-schema mode that answers with scripted texts and records its requests. */
function textProvider(replies: string[], options: { usage?: "estimated" } = {}) {
  const requests: ModelRequest[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const respond = (request: ModelRequest, callOptions?: CallOptions): ModelResponse => {
    requests.push(request);
    signals.push(callOptions?.signal);
    const text = replies.shift();
    if (text === undefined) throw new Error("textProvider: no reply left");
    return {
      text,
      toolCalls: [],
      finishReason: "stop",
      usage: {
        inputTokens: 10,
        outputTokens: 5,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        source: options.usage ?? "provider",
      },
      model: "text-only",
      provider: "text-only",
    };
  };
  const provider: Provider = {
    id: "text-only",
    capabilities: { tools: false, jsonSchema: false, images: false, streaming: true },
    generate: async (request, callOptions) => respond(request, callOptions),
    async *stream(request, callOptions): AsyncGenerator<StreamPart> {
      const response = respond(request, callOptions);
      for (const piece of response.text.match(/[\s\S]{1,3}/g) ?? [])
        yield { type: "text-delta", text: piece };
      yield { type: "finish", response };
    },
  };
  return { provider, requests, signals };
}

describe("generateObject() with a JSON-schema provider (mock server)", () => {
  it("returns the object on the first try and sends the schema as a strict json_schema response_format", async () => {
    const model = await mockModel([{ json: oslo, usage: { prompt_tokens: 20, completion_tokens: 8 } }]);
    const out = await generateObject({
      model,
      modelName: "mock-small",
      schema: City,
      messages,
      name: "city",
    });
    expect(out.object).toEqual(oslo);
    expect(out.attempts).toHaveLength(1);
    expect(out.attempts[0]!.issues).toEqual([]);
    expect(out.response.model).toBe("mock-small");
    expect(out.usage).toMatchObject({ inputTokens: 20, outputTokens: 8, source: "provider" });
    const body = mock!.requests[0]!.body as Record<string, unknown>;
    expect(body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "city",
        strict: true,
        schema: {
          type: "object",
          properties: { city: { type: "string" }, population: expect.objectContaining({ type: "integer" }) },
          required: ["city", "population"],
          additionalProperties: false,
        },
      },
    });
  });

  it("sends a schema with optional fields non-strict, since OpenAI's strict mode would refuse it", async () => {
    const model = await mockModel([{ json: { city: "Oslo" } }]);
    const schema = z.object({ city: z.string(), note: z.string().optional() });
    const out = await generateObject({ model, schema, messages });
    expect(out.object).toEqual({ city: "Oslo" });
    const format = (mock!.requests[0]!.body as { response_format: { json_schema: { strict: boolean } } })
      .response_format;
    expect(format.json_schema.strict).toBe(false);
  });

  it("repairs invalid JSON, telling the model where the JSON broke", async () => {
    const model = await mockModel([
      { text: '{"city": "Oslo", "population": }', usage: { prompt_tokens: 20, completion_tokens: 9 } },
      { json: oslo, usage: { prompt_tokens: 60, completion_tokens: 8 } },
    ]);
    const out = await generateObject({ model, schema: City, messages });
    expect(out.object).toEqual(oslo);
    expect(out.attempts.map((a) => a.issues.map((i) => i.code))).toEqual([["invalid_json"], []]);
    expect(out.usage).toMatchObject({ inputTokens: 80, outputTokens: 17 });

    const repair = sentMessages(1);
    expect(repair).toHaveLength(3);
    expect(repair[1]).toEqual({ role: "assistant", content: '{"city": "Oslo", "population": }' });
    expect(repair[2]!.role).toBe("user");
    expect(repair[2]!.content).toMatch(/invalid JSON at line 1, column 32/);
    expect(repair[2]!.content).toMatch(/position 31/);
  });

  it("repairs schema issues, listing each path and message", async () => {
    const model = await mockModel([{ json: { city: 42, population: "many" } }, { json: oslo }]);
    const out = await generateObject({ model, schema: City, messages });
    expect(out.object).toEqual(oslo);
    expect(out.attempts[0]!.issues.map((i) => i.path)).toEqual([["city"], ["population"]]);
    const repair = sentMessages(1)[2]!.content;
    expect(repair).toMatch(/^- city: .*expected string/im);
    expect(repair).toMatch(/^- population: .*expected number/im);
  });

  it("runs the semantic validator after the schema and repairs what it finds", async () => {
    const model = await mockModel([{ json: { city: "Oslo", population: -5 } }, { json: oslo }]);
    const seen: { value: unknown; attempt: number }[] = [];
    const out = await generateObject({
      model,
      schema: City,
      messages,
      validate: (value, ctx) => {
        seen.push({ value, attempt: ctx.attempt });
        return value.population > 0
          ? []
          : [{ path: ["population"], message: "a city has a positive population", code: "semantic" }];
      },
    });
    expect(out.object).toEqual(oslo);
    expect(seen).toEqual([
      { value: { city: "Oslo", population: -5 }, attempt: 0 },
      { value: oslo, attempt: 1 },
    ]);
    expect(sentMessages(1)[2]!.content).toContain("- population: a city has a positive population");
  });

  it("does not run the semantic validator on a value that failed the schema", async () => {
    const model = await mockModel([{ json: { city: "Oslo" } }, { json: oslo }]);
    let calls = 0;
    await generateObject({
      model,
      schema: City,
      messages,
      validate: () => {
        calls++;
        return [];
      },
    });
    expect(calls).toBe(1);
  });

  it("throws OutputValidationError with every attempt once the repairs run out", async () => {
    const model = await mockModel([{ text: "not json" }, { json: { city: 1 } }, { json: { city: 2 } }]);
    const error = await generateObject({ model, schema: City, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputValidationError);
    const failure = error as OutputValidationError;
    expect(failure.code).toBe("OUTPUT_VALIDATION");
    expect(failure.attempts.map((a) => a.text)).toEqual(["not json", '{"city":1}', '{"city":2}']);
    expect(failure.attempts.every((a) => a.issues.length > 0 && a.usage.outputTokens > 0)).toBe(true);
    expect(failure.message).toMatch(/after 3 attempt/);
    expect(failure.message).toMatch(/city: .*expected string/i);
    expect(failure.message).toMatch(/maxRepairs.*schema.*stronger model/s);
    expect(mock!.requests).toHaveLength(3);
  });

  it("makes exactly one call with maxRepairs 0", async () => {
    const model = await mockModel([{ json: { city: 1 } }, { json: oslo }]);
    const error = await generateObject({ model, schema: City, messages, maxRepairs: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(OutputValidationError);
    expect((error as OutputValidationError).attempts).toHaveLength(1);
    expect(mock!.requests).toHaveLength(1);
  });

  it("lets a provider fault propagate unchanged, without repairing", async () => {
    const model = await mockModel([{ fault: "server-error", status: 500 }, { json: oslo }]);
    const error = await generateObject({ model, schema: City, messages }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "unavailable", status: 500, retryable: true });
    expect(mock!.requests).toHaveLength(1);
  });

  it("passes the signal to the model call", async () => {
    const model = await mockModel([{ json: oslo, latencyMs: 5000 }]);
    const controller = new AbortController();
    const pending = generateObject({ model, schema: City, messages, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ kind: "cancelled" });
  });

  it("rejects a schema JSON Schema cannot express before any request, saying where", async () => {
    const model = await mockModel([{ json: oslo }]);
    const schema = z.object({ city: z.string(), founded: z.date() });
    const error = await generateObject({ model, schema, messages }).catch((e) => e);
    expect(error).toBeInstanceOf(SchemaNotSupportedError);
    expect(error).toMatchObject({ code: "SCHEMA_NOT_SUPPORTED", path: ["founded"] });
    expect((error as Error).message).toMatch(/at founded, date cannot be represented/i);
    expect(() => streamObject({ model, schema: z.object({ x: z.custom<string>() }), messages })).toThrow(
      SchemaNotSupportedError,
    );
    expect(mock!.requests).toHaveLength(0);
  });

  it("accepts transforms: the model writes the schema's input and the transform runs on it", async () => {
    const model = await mockModel([{ json: { city: "oslo" } }]);
    const schema = z.object({ city: z.string().transform((s) => s.toUpperCase()) });
    const out = await generateObject({ model, schema, messages });
    expect(out.object).toEqual({ city: "OSLO" });
  });
});

describe("generateObject() with a provider without JSON-schema mode", () => {
  it("puts the JSON Schema and the rule in the system prompt and accepts fenced JSON", async () => {
    const { provider, requests } = textProvider(['```json\n{"city": "Oslo", "population": 709000}\n```']);
    const out = await generateObject({
      model: provider,
      schema: City,
      messages: [{ role: "system", content: "You know geography." }, ...messages],
    });
    expect(out.object).toEqual(oslo);
    expect(requests[0]!.responseFormat).toBeUndefined();
    expect(requests[0]!.messages).toHaveLength(2);
    const system = requests[0]!.messages[0]!;
    expect(system.role).toBe("system");
    expect(system.content).toMatch(/^You know geography\.\n\nReply with only JSON/);
    expect(system.content).toContain('"required":["city","population"]');
  });

  it("adds a system message when there is none, and repairs through the same loop", async () => {
    const { provider, requests } = textProvider(["Sure! Oslo.", JSON.stringify(oslo)], {
      usage: "estimated",
    });
    const out = await generateObject({ model: provider, schema: City, messages });
    expect(out.object).toEqual(oslo);
    expect(requests[0]!.messages[0]!.role).toBe("system");
    expect(requests[1]!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(out.usage).toEqual({
      inputTokens: 20,
      outputTokens: 10,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      source: "estimated",
    });
  });
});

async function collect<T>(parts: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

describe("streamObject()", () => {
  const Story = z.object({ title: z.string(), tags: z.array(z.string()) });
  const story = { title: "The lighthouse keeper", tags: ["sea", "night", "storm"] };

  it("yields growing partial objects as the JSON arrives, then the validated object", async () => {
    const model = await mockModel([{ json: story, chunkSize: 5 }]);
    const parts = await collect(streamObject({ model, schema: Story, messages }));
    const partials = parts.filter((p) => p.type === "partial").map((p) => p.object);
    expect(partials.length).toBeGreaterThan(4);
    expect(partials).toContainEqual({ title: "The l" });
    expect(partials).toContainEqual({ title: story.title, tags: ["sea"] });
    // Each partial extends the previous: the title only grows, tags are only appended.
    for (let i = 1; i < partials.length; i++) {
      expect(partials[i]!.title?.startsWith(partials[i - 1]!.title ?? "")).toBe(true);
      expect((partials[i]!.tags ?? []).length).toBeGreaterThanOrEqual((partials[i - 1]!.tags ?? []).length);
    }
    const last = parts.at(-1) as Extract<StreamObjectPart<z.output<typeof Story>>, { type: "object" }>;
    expect(last.type).toBe("object");
    expect(last.object).toEqual(story);
    expect(last.attempts).toHaveLength(1);
    expect((mock!.requests[0]!.body as { stream?: boolean }).stream).toBe(true);
  });

  it("repairs a streamed reply with non-streamed calls", async () => {
    const model = await mockModel([{ json: { title: "Untitled", tags: "none" } }, { json: story }]);
    const parts = await collect(streamObject({ model, schema: Story, messages }));
    expect(parts.at(-1)).toMatchObject({ type: "object", object: story });
    expect(mock!.requests.map((r) => (r.body as { stream?: boolean }).stream ?? false)).toEqual([
      true,
      false,
    ]);
    expect(sentMessages(1)[2]!.content).toMatch(/- tags: .*expected array/i);
  });

  it("ends with OutputValidationError when the repairs run out", async () => {
    const { provider, signals } = textProvider(['{"title": 1}', '{"title": 2}']);
    const { signal } = new AbortController();
    const run = collect(streamObject({ model: provider, schema: Story, messages, maxRepairs: 1, signal }));
    await expect(run).rejects.toBeInstanceOf(OutputValidationError);
    // The streamed first call and the repair both got the caller's signal.
    expect(signals).toEqual([signal, signal]);
  });
});
