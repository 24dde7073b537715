import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { ModelConfigError } from "./errors.js";
import { extractive } from "./extractive.js";
import { openaiCompatible } from "./openai-compatible.js";
import { NoCapableModelError, router, UnknownModelError } from "./router.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const messages = [{ role: "user" as const, content: "Hello" }];

async function twoModels() {
  // One server, answering by the model asked for, so a reply shows which target the router chose.
  mock = await startMockLLM({
    script: (request) => ({
      text: `${request.model} here`,
      usage: { prompt_tokens: 1_000, completion_tokens: 100 },
    }),
  });
  const provider = openaiCompatible({ baseURL: mock.url });
  return router({
    models: { fast: { provider, model: "mock-small" }, smart: { provider, model: "mock-large" } },
    default: "fast",
  });
}

describe("router: aliases", () => {
  it("calls the model an alias names, with its cost, and says which alias answered", async () => {
    const models = await twoModels();
    const result = await models.generate("smart", { messages });
    expect(result).toMatchObject({ text: "mock-large here", model: "mock-large", alias: "smart" });
    // mock-large: $2 in, $8 out per 1M tokens.
    expect(result.costUsd).toBeCloseTo((1_000 * 2 + 100 * 8) / 1e6, 12);
    expect(mock?.requests.at(-1)?.body).toMatchObject({ model: "mock-large" });
  });

  it("uses the default alias when none is given, and resolves a configured model name", async () => {
    const models = await twoModels();
    expect((await models.generate(undefined, { messages })).text).toBe("mock-small here");
    expect(models.resolve("mock-large")).toMatchObject({ alias: "smart", model: "mock-large" });
    expect(models.aliases).toEqual(["fast", "smart"]);
  });

  it("an unknown alias is UNKNOWN_MODEL listing the known ones with a did-you-mean, and sends nothing", async () => {
    const models = await twoModels();
    const error = await models.generate("smrat", { messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect(error).toMatchObject({ code: "UNKNOWN_MODEL", requested: "smrat", suggestion: "smart" });
    expect((error as Error).message).toMatch(/Did you mean "smart"\?.*Known aliases: fast, smart/);
    expect(mock?.requests).toHaveLength(0);
    expect(() => models.resolve("gpt-5")).toThrow(/Unknown model alias "gpt-5"\. Known aliases: fast, smart/);
  });

  it("refuses a configuration that cannot work, saying what to write", () => {
    const provider = extractive();
    expect(() => router({ models: {} })).toThrow(ModelConfigError);
    expect(() => router({ models: { fast: { provider, model: "" } } })).toThrow(
      /"fast" must be \{ provider, model \}/,
    );
    expect(() => router({ models: { fast: { provider, model: "x" } }, default: "fats" })).toThrow(
      /Did you mean "fast"/,
    );
    expect(() => router({ models: { fast: { provider, model: "x" } } }).resolve()).toThrow(/no default/);
  });
});

describe("router: cost-aware choice", () => {
  const provider = (capabilities: { tools?: boolean; jsonSchema?: boolean; images?: boolean }) =>
    openaiCompatible({ baseURL: "http://127.0.0.1:1/v1", capabilities });

  it("picks the cheapest model by the price table, whatever the configuration order", () => {
    const all = provider({});
    const models = router({
      models: {
        smart: { provider: all, model: "mock-large" },
        fast: { provider: all, model: "mock-small" },
        mini: { provider: all, model: "gpt-4o-mini" },
      },
    });
    const choice = models.cheapest();
    expect(choice).toMatchObject({ alias: "fast", model: "mock-small", unpriced: [] });
    expect(choice.ranking.map((r) => r.alias)).toEqual(["fast", "mini", "smart"]);
    // 1,000 input and 1,000 output tokens by default: mock-small $0.10 + $0.40 per 1M.
    expect(choice.estimatedCostUsd).toBeCloseTo(0.0005, 12);
  });

  it("weighs input against output with estimateTokens, from the price table given", () => {
    const all = provider({});
    const prices = {
      version: "test",
      models: {
        "cheap-in": { provider: "x", input: 0.1, output: 10 },
        "cheap-out": { provider: "x", input: 1, output: 1 },
      },
    };
    const models = router({
      models: { a: { provider: all, model: "cheap-in" }, b: { provider: all, model: "cheap-out" } },
      prices,
    });
    expect(models.cheapest({ estimateTokens: { input: 10_000, output: 100 } }).alias).toBe("a");
    const choice = models.cheapest({ estimateTokens: { input: 100, output: 10_000 } });
    expect(choice).toMatchObject({ alias: "b", priceTableVersion: "test" });
    expect(() => models.cheapest({ estimateTokens: { input: -1, output: 0 } })).toThrow(ModelConfigError);
  });

  it("only considers models whose provider has the needed capabilities", () => {
    const models = router({
      models: {
        fast: { provider: provider({ images: false }), model: "mock-small" },
        smart: { provider: provider({}), model: "mock-large" },
      },
    });
    expect(models.cheapest({ needs: { tools: true } }).alias).toBe("fast");
    const choice = models.cheapest({ needs: { images: true, tools: true } });
    expect(choice.alias).toBe("smart");
    expect(choice.ranking.map((r) => r.alias)).toEqual(["smart"]);
  });

  it("ranks a model without a price last and says so, rather than taking it for free", () => {
    const models = router({
      models: {
        local: { provider: extractive(), model: "my-finetune" },
        smart: { provider: provider({}), model: "mock-large" },
      },
    });
    const choice = models.cheapest();
    expect(choice.alias).toBe("smart");
    expect(choice.unpriced).toEqual(["local"]);
    expect(choice.ranking.at(-1)).toMatchObject({ alias: "local", estimatedCostUsd: null });
  });

  it("no model with the capabilities is NO_CAPABLE_MODEL naming what each lacks", () => {
    const models = router({
      models: {
        fast: { provider: provider({ images: false }), model: "mock-small" },
        smart: { provider: provider({ images: false, tools: false }), model: "mock-large" },
      },
    });
    const error = (() => {
      try {
        models.cheapest({ needs: { images: true, tools: true } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NoCapableModelError);
    expect(error).toMatchObject({
      code: "NO_CAPABLE_MODEL",
      missing: [
        { alias: "fast", lacks: ["images"] },
        { alias: "smart", lacks: ["tools", "images"] },
      ],
    });
    expect((error as Error).message).toContain(
      "fast (mock-small) lacks images; smart (mock-large) lacks tools, images",
    );
  });
});
