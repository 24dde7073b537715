import { afterEach, describe, expect, it } from "vitest";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { defaultModel } from "./default-model.js";
import { EXTRACTIVE_MODEL } from "./extractive.js";
import { generateText } from "./generate-text.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe("defaultModel", () => {
  it("with nothing configured, is the offline extractive model and says so", async () => {
    const d = defaultModel({});
    expect(d.provider.id).toBe("extractive");
    expect(d.model).toBe(EXTRACTIVE_MODEL);
    expect(d.source).toMatch(/no model configured/);
    const out = await generateText({
      model: d.provider,
      request: {
        model: d.model,
        messages: [
          { role: "system", content: "The office opens at nine." },
          { role: "user", content: "When does the office open?" },
        ],
      },
    });
    expect(out.text).toBe("The office opens at nine.");
  });

  it("uses an OpenAI-compatible server from OPENAI_BASE_URL, with KEEL_MODEL, and never exposes the key", async () => {
    mock = await startMockLLM();
    const d = defaultModel({
      OPENAI_BASE_URL: mock.url,
      OPENAI_API_KEY: "sk-secret-1",
      KEEL_MODEL: "mock-large",
    });
    expect(d).toMatchObject({ model: "mock-large", source: "OPENAI_BASE_URL" });
    expect(JSON.stringify(d)).not.toContain("sk-secret-1");
    const out = await d.provider.generate({ model: d.model, messages: [{ role: "user", content: "hi" }] });
    expect(out.text).toBe("mock reply to: hi");
  });

  it("uses Anthropic when only ANTHROPIC_API_KEY is set", () => {
    const d = defaultModel({ ANTHROPIC_API_KEY: "test" });
    expect(d.provider.id).toBe("anthropic");
    expect(d.source).toBe("ANTHROPIC_API_KEY");
  });
});
