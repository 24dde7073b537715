import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openaiCompatible } from "../model/index.js";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { audited, requestHash } from "./audited-provider.js";
import { AuditLog } from "./log.js";

const tempDir = useTempDirs("keel-audited-");
let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const request = {
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Where is the order of Jane Roe?" }],
  temperature: 0,
  seed: 3,
};

describe("audited provider", () => {
  it("commits a model.call event with usage, cost and request hash before the answer returns", async () => {
    mock = await startMockLLM({ script: [{ text: "It ships today." }] });
    const log = new AuditLog({
      db: path.join(tempDir(), "a.db"),
      redact: (t) => t.replace("Jane Roe", "<PERSON_1>"),
    });
    const model = audited(openaiCompatible({ baseURL: mock.url, id: "openai" }), {
      log,
      tenant: "acme",
      actor: "key_1",
      runId: "run-9",
      subject: "user-7",
    });
    const answer = await model.generate(request);
    expect(answer.text).toBe("It ships today.");
    expect(log.size("acme")).toBe(1);
    const event = await log.read("acme", 0, { actor: "auditor" });
    expect(event.envelope).toMatchObject({
      type: "model.call",
      runId: "run-9",
      data: {
        provider: "openai",
        requestedModel: "gpt-4o-mini",
        resolvedModel: "gpt-4o-mini",
        parameters: { temperature: 0 },
        seed: 3,
        usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
        cost: { usd: expect.any(Number), priceTable: expect.any(String) },
        attempts: 1,
        status: "ok",
        requestHash: requestHash(request),
      },
    });
    expect(JSON.parse(event.content?.messages ?? "")).toEqual([
      { role: "user", content: "Where is the order of <PERSON_1>?" },
    ]);
    expect(JSON.parse(event.content?.output ?? "")).toEqual({ text: "It ships today.", toolCalls: [] });
    expect(requestHash({ ...request })).toBe(requestHash(request));
    expect(requestHash({ ...request, seed: 4 })).not.toBe(requestHash(request));
  });

  it("records failed calls and streamed calls too", async () => {
    mock = await startMockLLM({
      script: [{ fault: "server-error", status: 500 }, { text: "streamed answer" }],
    });
    const log = new AuditLog({ db: path.join(tempDir(), "a.db") });
    const model = audited(openaiCompatible({ baseURL: mock.url, id: "openai" }), {
      log,
      tenant: "acme",
      actor: "key_1",
    });
    await expect(model.generate(request)).rejects.toThrow();
    let text = "";
    for await (const part of model.stream(request)) if (part.type === "text-delta") text += part.text;
    expect(text).toBe("streamed answer");
    const failed = await log.read("acme", 0, { actor: "a" });
    expect(failed.envelope.data).toMatchObject({
      status: "error",
      error: expect.any(String),
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    const streamed = await log.read("acme", 1, { actor: "a" });
    expect(streamed.envelope.data).toMatchObject({ status: "ok", finishReason: "stop" });
  });
});
