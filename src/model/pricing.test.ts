import { describe, expect, it } from "vitest";
import { costOf, defaultPrices } from "./pricing.js";
import { countPromptTokens, countTextTokens, estimateUsage } from "./tokens.js";
import type { Usage } from "./types.js";

const usage = (u: Partial<Usage>): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  source: "provider",
  ...u,
});

describe("costs", () => {
  it("prices plain, cached and output tokens each at their own rate, exactly once", () => {
    // gpt-4o: $2.50 in, $1.25 cached in, $10 out per 1M tokens.
    const cost = costOf(
      "gpt-4o",
      usage({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 }),
    );
    expect(cost.costUsd).toBeCloseTo(0.6 * 2.5 + 0.4 * 1.25 + 0.1 * 10, 10);
    expect(cost.priceTableVersion).toBe(defaultPrices.version);
  });

  it("prices Anthropic cache writes and reads, which the adapters fold into input tokens", () => {
    // claude-sonnet-4: $3 in, $0.30 cache read, $3.75 cache write, $15 out.
    const cost = costOf(
      "claude-sonnet-4",
      usage({ inputTokens: 3_000, cachedInputTokens: 1_000, cacheWriteTokens: 1_000, outputTokens: 1_000 }),
    );
    expect(cost.costUsd).toBeCloseTo((1_000 * 3 + 1_000 * 0.3 + 1_000 * 3.75 + 1_000 * 15) / 1e6, 12);
  });

  it("resolves dated and prefixed model names to their table entry", () => {
    expect(costOf("gpt-4o-2024-08-06", usage({ inputTokens: 10 })).pricedAs).toBe("gpt-4o");
    expect(costOf("openai/gpt-4o-mini", usage({ inputTokens: 10 })).pricedAs).toBe("gpt-4o-mini");
    expect(costOf("claude-3-5-haiku-20241022", usage({ inputTokens: 10 })).pricedAs).toBe("claude-3-5-haiku");
  });

  it("an unknown model is an error that says how to add its price, never a silent zero", () => {
    expect(() => costOf("my-finetune", usage({ inputTokens: 10 }))).toThrow(
      expect.objectContaining({
        code: "UNKNOWN_PRICE",
        message: expect.stringMatching(/prices\.models\["my-finetune"\]/),
      }),
    );
  });

  it("the mock server's large model costs 20x its small one", () => {
    const u = usage({ inputTokens: 1_000, outputTokens: 200 });
    expect(costOf("mock-large", u).costUsd / costOf("mock-small", u).costUsd).toBeCloseTo(20, 10);
  });
});

describe("token counts", () => {
  it("counts text with the o200k encoding", () => {
    expect(countTextTokens("")).toBe(0);
    expect(countTextTokens("Hello world")).toBe(2);
  });

  it("counts a chat prompt with its per-message overhead, tool definitions and images", () => {
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hello" },
    ];
    const plain = countPromptTokens(messages);
    expect(plain).toBeGreaterThan(countTextTokens("Be brief.") + countTextTokens("Hello"));
    const tools = [{ name: "lookup", description: "Look up an order", parameters: { type: "object" } }];
    expect(countPromptTokens(messages, tools)).toBeGreaterThan(plain);
    const withImage = [
      { role: "user" as const, content: [{ type: "image" as const, url: "data:image/png;base64,AAAA" }] },
    ];
    expect(countPromptTokens(withImage)).toBeGreaterThanOrEqual(85);
  });

  it("estimated usage says it is estimated", () => {
    const u = estimateUsage([{ role: "user", content: "How are you?" }], "Fine, thanks.");
    expect(u).toMatchObject({ source: "estimated", outputTokens: countTextTokens("Fine, thanks.") });
    expect(u.inputTokens).toBeGreaterThan(0);
  });
});
