import { afterEach, describe, expect, it, vi } from "vitest";
import { type MockLLM, type Script, type Step, startMockLLM } from "../testkit/mock-llm/index.js";
import { ModelConfigError, ProviderError } from "./errors.js";
import { AllProvidersFailedError, fallback } from "./fallback.js";
import { openaiCompatible } from "./openai-compatible.js";
import { type AttemptedStreamPart, attemptsOf, CircuitOpenError, resilient } from "./resilience.js";
import type { ModelRequest, Provider } from "./types.js";

const mocks: MockLLM[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function mockLLM(script: Script): Promise<MockLLM> {
  const mock = await startMockLLM({ script });
  mocks.push(mock);
  return mock;
}

const model = (mock: MockLLM, id = "openai-compatible") => openaiCompatible({ baseURL: mock.url, id });
const ask: ModelRequest = { model: "mock-small", messages: [{ role: "user", content: "Hello?" }] };
// Small backoff so retry tests run fast; the breaker stays out of the way unless a test is about it.
const fast = { retry: { initialDelayMs: 1, maxDelayMs: 5 }, breaker: false } as const;
/** A script that answers every request with the same step (an array script runs out). */
const always =
  (step: Step): Script =>
  () =>
    step;
const chats = (mock: MockLLM) => mock.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

async function collect(parts: AsyncIterable<AttemptedStreamPart>) {
  const out: AttemptedStreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

describe("resilient(): retries", () => {
  it("waits at least the Retry-After of a 429, then answers on the second attempt", async () => {
    const mock = await mockLLM([{ fault: "rate-limit", retryAfter: 0.2 }, { text: "ok" }]);
    const started = performance.now();
    const out = await resilient(model(mock), fast).generate(ask);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(out).toMatchObject({ text: "ok", attempts: 2, provider: "openai-compatible" });
  });

  it("retries 503s and malformed JSON until an answer arrives", async () => {
    const mock = await mockLLM([
      { fault: "server-error", status: 503 },
      { fault: "malformed-json" },
      { text: "third time" },
    ]);
    const out = await resilient(model(mock), fast).generate(ask);
    expect(out).toMatchObject({ text: "third time", attempts: 3 });
  });

  it("rethrows the last ProviderError once the attempts are spent, with the count on it", async () => {
    const mock = await mockLLM(always({ fault: "server-error", status: 503 }));
    const error = await failure(
      resilient(model(mock), { ...fast, retry: { ...fast.retry, maxAttempts: 2 } }).generate(ask),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "unavailable", status: 503, code: "PROVIDER_UNAVAILABLE" });
    expect(attemptsOf(error)).toBe(2);
    expect(chats(mock)).toBe(2);
  });

  it("does not retry a bad request", async () => {
    const mock = await mockLLM([{ text: "unused" }]);
    // The mock has no 4xx fault; an unknown path answers 404, which the adapter maps to bad-request.
    const wrongPath = openaiCompatible({ baseURL: `${mock.url}/missing` });
    const error = await failure(resilient(wrongPath, fast).generate(ask));
    expect(error).toMatchObject({ kind: "bad-request", status: 404 });
    expect(attemptsOf(error)).toBe(1);
    expect(mock.requests).toHaveLength(1);
  });

  it("gives up at once when Retry-After exceeds maxRetryAfterMs", async () => {
    const mock = await mockLLM([{ fault: "rate-limit", retryAfter: 120 }, { text: "unused" }]);
    const error = await failure(resilient(model(mock), fast).generate(ask));
    expect(error).toMatchObject({ kind: "rate-limited", retryAfterMs: 120_000 });
    expect(attemptsOf(error)).toBe(1);
    expect(chats(mock)).toBe(1);
  });

  it("times out a slow attempt and retries it", async () => {
    const mock = await mockLLM([{ text: "slow", latencyMs: 2000 }, { text: "fast" }]);
    const out = await resilient(model(mock), { ...fast, timeoutMs: 100 }).generate(ask);
    expect(out).toMatchObject({ text: "fast", attempts: 2 });
  });

  it("reports a timeout as kind 'timeout' when every attempt is too slow", async () => {
    const mock = await mockLLM([{ text: "slow", latencyMs: 2000 }]);
    const error = await failure(
      resilient(model(mock), { retry: { maxAttempts: 1 }, timeoutMs: 50, breaker: false }).generate(ask),
    );
    expect(error).toMatchObject({ kind: "timeout", code: "PROVIDER_TIMEOUT", retryable: true });
  });
});

describe("resilient(): cancellation", () => {
  it("stops during the backoff when the caller aborts: no further request, no timer left", async () => {
    const mock = await mockLLM([{ fault: "rate-limit", retryAfter: 30 }, { text: "unused" }]);
    const controller = new AbortController();
    const base = model(mock);
    // Abort just after the first attempt has failed, i.e. while resilient() waits out the Retry-After.
    const spy: Provider = {
      ...base,
      generate: (request, options) =>
        base.generate(request, options).catch((error) => {
          setTimeout(() => controller.abort(new Error("user left")), 10);
          throw error;
        }),
    };
    const timersBefore = activeTimers();
    const error = await failure(resilient(spy, fast).generate(ask, { signal: controller.signal }));
    expect(error).toMatchObject({ kind: "cancelled", code: "PROVIDER_CANCELLED" });
    expect(attemptsOf(error)).toBe(1);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chats(mock)).toBe(1);
  });

  it("sends nothing when the signal is already aborted", async () => {
    const mock = await mockLLM([{ text: "unused" }]);
    const error = await failure(resilient(model(mock), fast).generate(ask, { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ kind: "cancelled" });
    expect(mock.requests).toHaveLength(0);
  });

  it("does not retry a call aborted mid-request", async () => {
    const mock = await mockLLM([{ text: "slow", latencyMs: 2000 }, { text: "unused" }]);
    const controller = new AbortController();
    const call = resilient(model(mock), fast).generate(ask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await failure(call)).toMatchObject({ kind: "cancelled" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chats(mock)).toBe(1);
  });
});

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
}

describe("resilient(): circuit breaker", () => {
  it("opens after consecutive failures, fails fast without a request, and half-opens later", async () => {
    const mock = await mockLLM([
      { fault: "server-error", status: 503 },
      { fault: "server-error", status: 502 },
      { text: "recovered" },
      { text: "closed again" },
    ]);
    // Only Date is faked: cockatiel compares Date.now() with the time the circuit opened.
    vi.useFakeTimers({ toFake: ["Date"] });
    const guarded = resilient(model(mock), {
      retry: { maxAttempts: 1 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 30_000 },
    });
    await failure(guarded.generate(ask));
    await failure(guarded.generate(ask));
    const open = await failure(guarded.generate(ask));
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect(open).toMatchObject({ code: "PROVIDER_CIRCUIT_OPEN", retryable: false, attempts: 0 });
    expect(chats(mock)).toBe(2);

    vi.setSystemTime(Date.now() + 30_001);
    expect(await guarded.generate(ask)).toMatchObject({ text: "recovered", attempts: 1 });
    expect(await guarded.generate(ask)).toMatchObject({ attempts: 1 });
    expect(chats(mock)).toBe(4);
  });

  it("stops retrying when the circuit opens mid-call and says how many requests were made", async () => {
    const mock = await mockLLM(always({ fault: "server-error", status: 503 }));
    const guarded = resilient(model(mock), {
      retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 5 },
      breaker: { consecutiveFailures: 2 },
    });
    const error = await failure(guarded.generate(ask));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(attemptsOf(error)).toBe(2);
    expect((error as CircuitOpenError).cause).toMatchObject({ kind: "unavailable" });
    expect(chats(mock)).toBe(2);
  });

  it("does not count bad requests against the provider", async () => {
    const mock = await mockLLM([]);
    const wrongPath = resilient(openaiCompatible({ baseURL: `${mock.url}/missing` }), {
      breaker: { consecutiveFailures: 1 },
    });
    await failure(wrongPath.generate(ask));
    expect(await failure(wrongPath.generate(ask))).toMatchObject({ kind: "bad-request" });
    expect(mock.requests).toHaveLength(2);
  });
});

describe("resilient(): streams", () => {
  it("retries a failure before the first part and puts attempts on the finish part", async () => {
    const mock = await mockLLM([{ fault: "server-error", status: 500 }, { text: "streamed answer" }]);
    const parts = await collect(resilient(model(mock), fast).stream(ask));
    const text = parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join("");
    expect(text).toBe("streamed answer");
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      response: { text: "streamed answer", attempts: 2 },
    });
  });

  it("retries a stream that stalls before its first part", async () => {
    const mock = await mockLLM([{ fault: "stall", afterChunks: 0 }, { text: "second" }]);
    const parts = await collect(resilient(model(mock), { ...fast, timeoutMs: 100 }).stream(ask));
    expect(parts.at(-1)).toMatchObject({ type: "finish", response: { text: "second", attempts: 2 } });
  });

  it("never replays a stream cut off after parts reached the caller", async () => {
    const mock = await mockLLM([
      { fault: "truncate", afterChunks: 3, text: "a long answer that gets cut", chunkSize: 2 },
      { text: "unused" },
    ]);
    const seen: AttemptedStreamPart[] = [];
    const run = async () => {
      for await (const part of resilient(model(mock), fast).stream(ask)) seen.push(part);
    };
    const error = await failure(run());
    expect(error).toMatchObject({ kind: "stream-interrupted" });
    expect(seen.some((p) => p.type === "text-delta")).toBe(true);
    expect(seen.some((p) => p.type === "finish")).toBe(false);
    expect(chats(mock)).toBe(1);
  });
});

describe("fallback()", () => {
  it("moves to the next provider once the first one's retries are spent", async () => {
    const down = await mockLLM(always({ fault: "server-error", status: 503 }));
    const up = await mockLLM([{ text: "from backup" }]);
    const chain = fallback([
      resilient(model(down, "primary"), { ...fast, retry: { ...fast.retry, maxAttempts: 2 } }),
      resilient(model(up, "backup"), fast),
    ]);
    expect(chain.id).toBe("fallback(primary,backup)");
    const out = await chain.generate(ask);
    expect(out).toMatchObject({ text: "from backup", provider: "backup", attempts: 3 });
  });

  it("moves on when the first provider's circuit is open", async () => {
    const down = await mockLLM(always({ fault: "server-error", status: 503 }));
    const up = await mockLLM([{ text: "from backup" }, { text: "again" }]);
    const primary = resilient(model(down, "primary"), {
      retry: { maxAttempts: 1 },
      breaker: { consecutiveFailures: 1 },
    });
    const chain = fallback([primary, resilient(model(up, "backup"), fast)]);
    await chain.generate(ask);
    const out = await chain.generate(ask);
    expect(out).toMatchObject({ text: "again", provider: "backup", attempts: 1 });
    expect(chats(down)).toBe(1);
  });

  it("does not fall back on a bad request: the caller has to fix it", async () => {
    const first = await mockLLM([]);
    const second = await mockLLM([{ text: "unused" }]);
    const chain = fallback([
      resilient(openaiCompatible({ baseURL: `${first.url}/missing`, id: "primary" }), fast),
      resilient(model(second, "backup"), fast),
    ]);
    expect(await failure(chain.generate(ask))).toMatchObject({ kind: "bad-request", provider: "primary" });
    expect(second.requests).toHaveLength(0);
  });

  it("throws AllProvidersFailedError with each provider's error, and no prompt in the message", async () => {
    const a = await mockLLM(always({ fault: "server-error", status: 502 }));
    const b = await mockLLM([{ fault: "rate-limit", retryAfter: 0 }]);
    const chain = fallback([
      resilient(model(a, "a"), { ...fast, retry: { ...fast.retry, maxAttempts: 2 } }),
      resilient(model(b, "b"), { ...fast, retry: { ...fast.retry, maxAttempts: 1 } }),
    ]);
    const error = await failure(chain.generate(ask));
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    const failures = (error as AllProvidersFailedError).failures;
    expect(failures.map((f) => [f.provider, f.attempts])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(failures[0]?.error).toMatchObject({ kind: "unavailable" });
    expect((error as Error).message).toBe(
      "All 2 providers failed: a: PROVIDER_UNAVAILABLE, HTTP 502, 2 attempts; b: PROVIDER_RATE_LIMITED, HTTP 429, 1 attempt.",
    );
    expect((error as Error).message).not.toContain("Hello?");
  });

  it("falls back in a stream when the first provider fails before its first part", async () => {
    const down = await mockLLM([{ fault: "server-error", status: 500 }]);
    const up = await mockLLM([{ text: "streamed backup" }]);
    const chain = fallback([
      resilient(model(down, "primary"), { ...fast, retry: { ...fast.retry, maxAttempts: 1 } }),
      resilient(model(up, "backup"), fast),
    ]);
    const parts = await collect(chain.stream(ask));
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      response: { text: "streamed backup", provider: "backup", attempts: 2 },
    });
  });
});

describe("bad configuration", () => {
  it("says which option is wrong", async () => {
    const mock = await mockLLM([]);
    expect(() => resilient(model(mock), { retry: { maxAttempts: 0 } })).toThrow(ModelConfigError);
    expect(() => resilient(model(mock), { timeoutMs: -1 })).toThrow(/timeoutMs must be a number > 0/);
    expect(() => fallback([])).toThrow(/at least one provider/);
  });
});

describe("resilient() and providers that ignore their signal", () => {
  it("a cancelled call leaves no per-attempt timer behind", async () => {
    const timers = () =>
      (process as unknown as { getActiveResourcesInfo(): string[] })
        .getActiveResourcesInfo()
        .filter((r) => r === "Timeout").length;
    const stuck: Provider = {
      id: "stuck",
      capabilities: { tools: false, jsonSchema: false, images: false, streaming: false },
      generate: () => new Promise(() => {}),
      stream: async function* () {},
    };
    const before = timers();
    const controller = new AbortController();
    const call = resilient(stuck, { timeoutMs: 600_000, breaker: false }).generate(
      { model: "m", messages: [{ role: "user", content: "hi" }] },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: "PROVIDER_CANCELLED" });
    expect(timers()).toBe(before);
  });
});
