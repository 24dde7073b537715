import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { openSqlite } from "../db/index.js";
import { type MockLLM, startMockLLM } from "../testkit/mock-llm/index.js";
import { openCollection } from "./collection.js";
import { hashEmbed, hashingEmbedder, openAIEmbedder } from "./embedder.js";

let mock: MockLLM | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe("hashingEmbedder", () => {
  it("is deterministic, unit-length, and closer for texts sharing words and word forms", async () => {
    const e = hashingEmbedder({ dimensions: 256 });
    const [a, b, c, again] = await e.embed([
      "refunds for damaged parcels",
      "refunded a damaged parcel",
      "quarterly tax filing",
      "refunds for damaged parcels",
    ]);
    const dot = (x?: Float32Array, y?: Float32Array) =>
      (x as Float32Array).reduce((s, v, i) => s + v * ((y as Float32Array)[i] as number), 0);
    expect(Array.from(a as Float32Array)).toEqual(Array.from(again as Float32Array));
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeGreaterThan(dot(a, c) + 0.2);
    expect(e.id).toBe("keel-hashing-v1:256");
    expect(() => hashingEmbedder({ dimensions: 3 })).toThrow(/dimensions/);
  });
});

describe("openAIEmbedder against an OpenAI-compatible server", () => {
  it("embeds in batches through the official client and feeds a collection's vector search", async () => {
    mock = await startMockLLM();
    const embedder = openAIEmbedder({
      model: "mock-embed",
      dimensions: 64,
      requestDimensions: true,
      baseURL: mock.url,
      apiKey: "test-key",
      batchSize: 2,
    });
    const vectors = await embedder.embed(["one", "two", "three"]);
    expect(vectors.map((v) => v.length)).toEqual([64, 64, 64]);
    expect(Array.from(vectors[2] as Float32Array)).toEqual(
      Array.from(hashEmbed("three", 64)).map((x) => Math.fround(x)),
    );
    const calls = mock.requests.filter((r) => r.path === "/v1/embeddings");
    expect(calls.map((r) => (r.body as { input: string[] }).input)).toEqual([["one", "two"], ["three"]]);
    expect(calls[0]?.headers.authorization).toBe("Bearer test-key");

    const docs = openCollection({ db: openSqlite(":memory:"), name: "remote", embedder });
    await docs.ingest([
      { id: "a", text: "lighthouse keepers log the weather" },
      { id: "b", text: "bakers proof dough overnight" },
    ]);
    expect((await docs.query("lighthouse weather log", { mode: "vector", k: 1 })).hits[0]?.documentId).toBe(
      "a",
    );
  });

  it("fails clearly when the server returns vectors of another length, writing nothing", async () => {
    mock = await startMockLLM();
    const embedder = openAIEmbedder({ model: "mock-embed", dimensions: 32, baseURL: mock.url, apiKey: "k" });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({
      code: "EMBEDDING_INVALID",
      message: expect.stringContaining("length 256"),
    });
    const docs = openCollection({ db: openSqlite(":memory:"), name: "remote", embedder });
    await expect(docs.ingest([{ id: "a", text: "x" }])).rejects.toMatchObject({ code: "EMBEDDING_INVALID" });
    expect((await docs.stats()).documents).toBe(0);
  });

  it("reports an unreachable endpoint as a retryable EMBEDDING_FAILED", async () => {
    const client = new OpenAI({
      baseURL: "http://127.0.0.1:9/v1",
      apiKey: "k",
      maxRetries: 0,
      timeout: 2000,
    });
    const embedder = openAIEmbedder({ model: "m", dimensions: 8, client });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "EMBEDDING_FAILED", retryable: true });
  });
});
