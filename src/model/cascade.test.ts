import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import type { Step } from "../testkit/mock-llm/types.js";
import { CascadeExhaustedError, cascade } from "./cascade.js";
import { ModelConfigError, ProviderError } from "./errors.js";
import { openaiCompatible } from "./openai-compatible.js";
import type { ModelTarget } from "./router.js";
import { router, UnknownModelError } from "./router.js";
import type { Provider } from "./types.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

// 1,000 prompt and 100 completion tokens on every reply, so costs are exact:
// mock-small $0.10 / $0.40 per 1M tokens, mock-large $2 / $8.
const usage = { prompt_tokens: 1_000, completion_tokens: 100 };
const SMALL = (1_000 * 0.1 + 100 * 0.4) / 1e6;
const LARGE = (1_000 * 2 + 100 * 8) / 1e6;

const messages = [{ role: "user" as const, content: "What is 6 x 7?" }];
const schema = z.object({ answer: z.number() });

/** One mock server; `small` and `large` say what each model replies. */
async function models(small: Step, large: Step = { json: { answer: 42 } }) {
  mock = await startMockLLM({
    script: (request) => ({ usage, ...(request.model === "mock-small" ? small : large) }) as Step,
  });
  const provider = openaiCompatible({ baseURL: mock.url });
  const targets: [ModelTarget, ModelTarget] = [
    { provider, model: "mock-small" },
    { provider, model: "mock-large" },
  ];
  return targets;
}

const modelsAsked = () => mock?.requests.map((r) => (r.body as { model: string }).model);

describe("cascade: the cheaper model first, the larger only when needed", () => {
  it("accepts the small model's answer when it passes the schema and accept, and never calls the large one", async () => {
    const chain = cascade(await models({ json: { answer: 42 } }), {
      schema,
      accept: ({ answer }) => answer.answer === 42,
    });
    const result = await chain.generate({ messages });
    expect(result).toMatchObject({ answer: { answer: 42 }, model: "mock-small", index: 0 });
    expect(result.tried).toEqual([
      expect.objectContaining({ model: "mock-small", accepted: true, reason: "accepted", costUsd: SMALL }),
    ]);
    expect(result.costUsd).toBeCloseTo(SMALL, 12);
    expect(modelsAsked()).toEqual(["mock-small"]);
  });

  it("escalates when the small model's output fails the schema, without repairing it, and sums the costs", async () => {
    const chain = cascade(await models({ text: "It is forty-two." }), { schema });
    const result = await chain.generate({ messages });
    expect(result).toMatchObject({ answer: { answer: 42 }, model: "mock-large", index: 1 });
    expect(result.tried.map((t) => [t.model, t.accepted, t.reason])).toEqual([
      ["mock-small", false, "output-invalid"],
      ["mock-large", true, "accepted"],
    ]);
    expect(result.tried[0]?.detail).toMatch(/not valid JSON|JSON/i);
    expect(result.tried[0]?.text).toBe("It is forty-two.");
    expect(result.costUsd).toBeCloseTo(SMALL + LARGE, 12);
    expect(modelsAsked()).toEqual(["mock-small", "mock-large"]);
  });

  it("escalates when accept says no (plain text, no schema)", async () => {
    const chain = cascade(await models({ text: "41" }, { text: "42" }), {
      accept: async ({ answer }) => answer.trim() === "42",
    });
    const result = await chain.generate({ messages, temperature: 0 });
    expect(result).toMatchObject({ answer: "42", text: "42", model: "mock-large" });
    expect(result.tried.map((t) => t.reason)).toEqual(["not-accepted", "accepted"]);
    expect(result.costUsd).toBeCloseTo(SMALL + LARGE, 12);
    expect(mock?.requests[0]?.body).toMatchObject({ temperature: 0 });
  });

  it("throws CascadeExhaustedError with every try when the last model fails its checks too", async () => {
    const chain = cascade(await models({ json: { answer: 41 } }, { json: { answer: 40 } }), {
      schema,
      accept: ({ answer }) => answer.answer === 42,
    });
    const error = await chain.generate({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CascadeExhaustedError);
    const exhausted = error as CascadeExhaustedError;
    expect(exhausted.code).toBe("CASCADE_EXHAUSTED");
    expect(exhausted.tried.map((t) => [t.model, t.reason, t.text])).toEqual([
      ["mock-small", "not-accepted", '{"answer":41}'],
      ["mock-large", "not-accepted", '{"answer":40}'],
    ]);
    expect(exhausted.costUsd).toBeCloseTo(SMALL + LARGE, 12);
    expect(exhausted.message).toMatch(/mock-small: not-accepted; mock-large: not-accepted/);
  });

  it("repairs the last model's invalid output (lastMaxRepairs, default 2) before giving up", async () => {
    const chain = cascade(await models({ text: "nope" }, { text: "still prose" }), { schema });
    const error = await chain.generate({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CascadeExhaustedError);
    expect(modelsAsked()).toEqual(["mock-small", "mock-large", "mock-large", "mock-large"]);
    // Every repair is paid for.
    expect((error as CascadeExhaustedError).tried[1]?.costUsd).toBeGreaterThan(2 * LARGE);
  });
});

describe("cascade: provider errors", () => {
  it("escalates past a retryable failure (500 on the small model), recording it at no cost", async () => {
    const chain = cascade(await models({ fault: "server-error", status: 500 }), { schema });
    const result = await chain.generate({ messages });
    expect(result.model).toBe("mock-large");
    expect(result.tried[0]).toMatchObject({
      model: "mock-small",
      accepted: false,
      reason: "provider-error",
      detail: "PROVIDER_UNAVAILABLE",
      costUsd: 0,
    });
    expect(result.tried[0]?.error).toBeInstanceOf(ProviderError);
    expect(result.costUsd).toBeCloseTo(LARGE, 12);
  });

  it("a failing last provider ends in CascadeExhaustedError", async () => {
    const chain = cascade(await models({ text: "x" }, { fault: "server-error", status: 503 }), {
      accept: () => false,
    });
    const error = await chain.generate({ messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CascadeExhaustedError);
    expect((error as CascadeExhaustedError).tried.map((t) => t.reason)).toEqual([
      "not-accepted",
      "provider-error",
    ]);
  });

  it("a bad request propagates as it is: another model would hide the caller's mistake", async () => {
    const large = await models({ text: "unused" });
    const broken: Provider = {
      id: "broken",
      capabilities: { tools: true, jsonSchema: true, images: true, streaming: true },
      generate: () =>
        Promise.reject(new ProviderError("broken", "bad-request", "unknown parameter", { status: 400 })),
      stream: () => {
        throw new Error("not used");
      },
    };
    const chain = cascade([{ provider: broken, model: "mock-small" }, large[1]], { accept: () => true });
    await expect(chain.generate({ messages })).rejects.toMatchObject({ code: "PROVIDER_BAD_REQUEST" });
    expect(mock?.requests).toHaveLength(0);
  });
});

describe("cascade: configuration", () => {
  it("takes router aliases, and an unknown alias fails when the cascade is built", async () => {
    const [small, large] = await models({ text: "42" });
    const names = router({ models: { fast: small, smart: large } });
    const result = await cascade(["fast", "smart"], { router: names, accept: () => true }).generate({
      messages,
    });
    expect(result).toMatchObject({ alias: "fast", model: "mock-small" });
    expect(result.tried[0]).toMatchObject({ alias: "fast" });
    expect(() => cascade(["fast", "smrat"], { router: names, accept: () => true })).toThrow(
      UnknownModelError,
    );
    expect(() => cascade(["fast"], { accept: () => true })).toThrow(/alias "fast" but no router/);
  });

  it("refuses a cascade that could never escalate, and request fields a schema cascade would drop", async () => {
    const targets = await models({ text: "42" });
    expect(() => cascade(targets)).toThrow(ModelConfigError);
    expect(() => cascade([], { schema })).toThrow(/at least one model/);
    expect(() => cascade(targets, { schema, maxRepairs: -1 })).toThrow(/whole numbers/);
    await expect(cascade(targets, { schema }).generate({ messages, temperature: 0 })).rejects.toThrow(
      /sends only messages; got temperature/,
    );
    await expect(cascade(targets, { schema }).generate({ messages: [] })).rejects.toThrow(/needs messages/);
    expect(mock?.requests).toHaveLength(0);
  });

  it("a model the price table does not know makes the total null, never a made-up figure", async () => {
    const [small] = await models({ text: "x" }, { text: "42" });
    const chain = cascade([small, { provider: small.provider, model: "in-house-model" }], {
      accept: ({ answer }) => answer === "42",
    });
    const result = await chain.generate({ messages });
    expect(result.tried.map((t) => t.costUsd)).toEqual([SMALL, null]);
    expect(result.costUsd).toBeNull();
  });
});

describe("cascade and the response cache", () => {
  it("a try served from the cache costs nothing", async () => {
    const { cached, responseCache } = await import("./cache.js");
    const mock = await startMockLLM();
    try {
      const cache = responseCache({ path: ":memory:" });
      const small = cached(openaiCompatible({ baseURL: mock.url }), { cache });
      const c = cascade([{ provider: small, model: "mock-small" }], { accept: () => true });
      const messages = [{ role: "user" as const, content: "hi" }];
      const first = await c.generate({ messages });
      const second = await c.generate({ messages });
      expect(mock.requests).toHaveLength(1);
      expect(first.costUsd).toBeGreaterThan(0);
      expect(second.costUsd).toBe(0);
      expect(second.tried[0]!.costUsd).toBe(0);
      cache.close();
    } finally {
      await mock.close();
    }
  });
});
