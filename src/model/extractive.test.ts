import { describe, expect, it } from "vitest";
import { EXTRACTIVE_MODEL, extractive } from "./index.js";
import type { StreamPart } from "./types.js";

const policy =
  "Refunds are issued within 30 days of delivery. Shipping is free above 50 euros. " +
  "Our office is closed on Sundays. A refund goes back to the original card.";

describe("extractive()", () => {
  it("answers from the context with the most relevant sentences, best first, and says what it is", async () => {
    const model = extractive({ maxSentences: 2 });
    const out = await model.generate({
      model: "any",
      messages: [
        { role: "system", content: policy },
        { role: "user", content: "How do refunds work?" },
      ],
    });
    // Both refund sentences, the shorter (denser) one first; nothing about shipping or opening hours.
    expect(out.text).toBe(
      "A refund goes back to the original card. Refunds are issued within 30 days of delivery.",
    );
    expect(out.model).toBe(EXTRACTIVE_MODEL);
    expect(out.model).toMatch(/not an LLM/);
    expect(out.usage.source).toBe("estimated");
    expect(out.usage.inputTokens).toBeGreaterThan(0);
  });

  it("is deterministic and says so when the context has no answer", async () => {
    const model = extractive();
    const request = {
      model: "any",
      messages: [
        { role: "system" as const, content: policy },
        { role: "user" as const, content: "What is the capital of Peru?" },
      ],
    };
    const a = await model.generate(request);
    expect(a.text).toBe("The provided context does not answer this question.");
    expect(await model.generate(request)).toEqual(a);
  });

  it("streams the same answer as text deltas and ends with the whole response", async () => {
    const model = extractive();
    const request = {
      model: "any",
      messages: [
        { role: "system" as const, content: policy },
        { role: "user" as const, content: "Is shipping free?" },
      ],
    };
    const parts: StreamPart[] = [];
    for await (const p of model.stream(request)) parts.push(p);
    const text = parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");
    const finish = parts.at(-1);
    expect(finish?.type).toBe("finish");
    expect(text).toBe((await model.generate(request)).text);
    expect(text).toMatch(/^Shipping is free above 50 euros\./);
  });

  it("honours an aborted signal", async () => {
    const model = extractive();
    await expect(
      model.generate(
        { model: "x", messages: [{ role: "user", content: "hi" }] },
        { signal: AbortSignal.abort() },
      ),
    ).rejects.toBeDefined();
  });
});
