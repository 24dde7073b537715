import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { cached, cacheKey, responseCache } from "./cache.js";
import { generateText, openaiCompatible } from "./index.js";
import type { ModelRequest, StreamPart } from "./types.js";

const tempDir = useTempDirs("keel-cache-");
let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
const request: ModelRequest = {
  model: "mock-small",
  messages: [{ role: "user", content: "What is 2 + 2?" }],
  temperature: 0,
};

describe("exact response cache", () => {
  it("serves a repeated request from the cache at zero cost, without calling the provider", async () => {
    mock = await startMockLLM();
    const cache = responseCache({ path: `${tempDir()}/cache.db` });
    const model = cached(openaiCompatible({ baseURL: mock.url }), { cache });
    const first = await generateText({ model, request });
    const second = await generateText({ model, request });
    expect(mock.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(1);
    expect(second.text).toBe(first.text);
    expect(first.costUsd).toBeGreaterThan(0);
    expect(second.costUsd).toBe(0);
    expect((second as { cacheHit?: boolean }).cacheHit).toBe(true);
    cache.close();
  });

  it("the key ignores key order but not content, model, parameters or tools", () => {
    const a = cacheKey("p", request);
    const reordered = JSON.parse(
      JSON.stringify({ temperature: 0, messages: request.messages, model: "mock-small" }),
    );
    expect(cacheKey("p", reordered)).toBe(a);
    expect(cacheKey("p", { ...request, temperature: 0.7 })).not.toBe(a);
    expect(cacheKey("p", { ...request, model: "mock-large" })).not.toBe(a);
    expect(cacheKey("other", request)).not.toBe(a);
    expect(cacheKey("p", { ...request, tools: [{ name: "t", parameters: {} }] })).not.toBe(a);
    expect(cacheKey("p", { ...request, messages: [{ role: "user", content: "What is 2 + 3?" }] })).not.toBe(
      a,
    );
  });

  it("entries expire after the TTL and never cross tenants", async () => {
    mock = await startMockLLM();
    let now = 1_000_000;
    const cache = responseCache({ path: `${tempDir()}/cache.db`, ttlMs: 60_000, now: () => now });
    const provider = openaiCompatible({ baseURL: mock.url });
    const acme = cached(provider, { cache, tenant: "acme" });
    const globex = cached(provider, { cache, tenant: "globex" });
    await acme.generate(request);
    await globex.generate(request);
    expect(mock.requests).toHaveLength(2);
    await acme.generate(request);
    expect(mock.requests).toHaveLength(2);
    now += 60_001;
    await acme.generate(request);
    expect(mock.requests).toHaveLength(3);
    expect(cache.purge()).toBe(1); // globex's entry expired too; acme's was just renewed
    cache.close();
  });

  it("streams are stored once finished and replayed from a hit; errors are never cached", async () => {
    mock = await startMockLLM({ script: [{ fault: "server-error" }, { text: "four" }] });
    const cache = responseCache({ path: `${tempDir()}/cache.db` });
    const model = cached(openaiCompatible({ baseURL: mock.url }), { cache });
    await expect(model.generate(request)).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    const collect = async () => {
      const parts: StreamPart[] = [];
      for await (const p of model.stream(request)) parts.push(p);
      return parts;
    };
    const live = await collect();
    const replay = await collect();
    expect(mock.requests).toHaveLength(2);
    const text = (parts: StreamPart[]) => parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");
    expect(text(replay)).toBe("four");
    expect(text(live)).toBe("four");
    expect(replay.at(-1)).toMatchObject({ type: "finish", response: { cacheHit: true, text: "four" } });
    cache.close();
  });

  it("a bad TTL is refused", () => {
    expect(() => responseCache({ path: ":memory:", ttlMs: 0 })).toThrow(/ttlMs must be a positive number/);
  });
});

describe("what the cache keeps", () => {
  it("an answer cut off by the token limit is not cached", async () => {
    mock = await startMockLLM({ script: [{ text: "partial", finishReason: "length" }, { text: "whole" }] });
    const cache = responseCache({ path: ":memory:" });
    const model = cached(openaiCompatible({ baseURL: mock.url }), { cache });
    expect((await model.generate(request)).finishReason).toBe("length");
    expect((await model.generate(request)).text).toBe("whole");
    expect(mock.requests).toHaveLength(2);
    cache.close();
  });
});
