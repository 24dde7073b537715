import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../temp-dirs.js";
import { loadScript, MockScriptError, runMockLLMCommand, startMockLLM } from "./index.js";

const tempDir = useTempDirs("keel-mock-llm-");

function writeScript(content: string): string {
  const file = path.join(tempDir(), "script.json");
  fs.writeFileSync(file, content);
  return file;
}

describe("loadScript", () => {
  it("reads an array of steps from a JSON file", () => {
    const file = writeScript(JSON.stringify([{ text: "hi" }, { fault: "rate-limit", retryAfter: 2 }]));
    expect(loadScript(file)).toEqual([{ text: "hi" }, { fault: "rate-limit", retryAfter: 2 }]);
  });

  it("throws MockScriptError naming the file and every bad step", () => {
    const file = writeScript(
      JSON.stringify([{ text: 1 }, { fault: "explode" }, { json: {} }, { fault: "stall", afterChunks: -1 }]),
    );
    const error = (() => {
      try {
        loadScript(file);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MockScriptError);
    expect((error as MockScriptError).source).toBe(file);
    expect((error as MockScriptError).issues).toEqual([
      "step 1: text must be a string (got 1)",
      'step 2: unknown fault "explode"; use one of rate-limit, server-error, malformed-json, truncate, stall',
      'step 4: "stall" needs afterChunks, a whole number >= 0 (got -1)',
    ]);
  });

  it("throws MockScriptError for a missing file, bad JSON or a non-array", () => {
    expect(() => loadScript(path.join(tempDir(), "missing.json"))).toThrow(/cannot be read/);
    expect(() => loadScript(writeScript("[{"))).toThrow(/is not valid JSON/);
    expect(() => loadScript(writeScript('{"text":"hi"}'))).toThrow(
      /must be an array of steps, got an object/,
    );
  });
});

describe("runMockLLMCommand", () => {
  it("serves a script file, logs its URL once, and closes when stopped", async () => {
    const file = writeScript(JSON.stringify([{ text: "from the file" }]));
    const lines: string[] = [];
    const sigintListeners = process.listenerCount("SIGINT");
    const stop = new AbortController();
    let logged: (url: string) => void = () => {};
    const url = new Promise<string>((resolve) => (logged = resolve));
    const done = runMockLLMCommand({ port: 0, script: file, signal: stop.signal }, (line) => {
      lines.push(line);
      logged(line.match(/http:\/\/\S+\/v1/)?.[0] ?? "");
    });

    const client = new OpenAI({ baseURL: await url, apiKey: "test", maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "?" }],
    });
    expect(completion.choices[0]?.message.content).toBe("from the file");
    expect(lines).toEqual([
      expect.stringMatching(/^mock LLM listening on http:\/\/127\.0\.0\.1:\d+\/v1 \(1 scripted/),
    ]);

    stop.abort();
    await done;
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(process.listenerCount("SIGINT")).toBe(sigintListeners);
  });

  it("rejects before listening when the script file is invalid", async () => {
    const file = writeScript("[]\n[]");
    await expect(runMockLLMCommand({ script: file }, () => {})).rejects.toBeInstanceOf(MockScriptError);
  });
});

describe("startMockLLM options", () => {
  it("refuses a port out of range and one already in use", async () => {
    await expect(startMockLLM({ port: 70_000 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    const first = await startMockLLM();
    try {
      await expect(startMockLLM({ port: first.port })).rejects.toMatchObject({ code: "MOCK_LLM_LISTEN" });
    } finally {
      await first.close();
    }
  });
});
