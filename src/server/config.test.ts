import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { loadConfig } from "./config.js";
import { createKeelServer } from "./index.js";
import type { KeyStore } from "./keys.js";
import { createRuntime } from "./runtime.js";

const tempDir = useTempDirs("keel-config-");
const store = () => ({ store: { path: path.join(tempDir(), "keel.db") } });

describe("configuration", () => {
  it("starts with nothing at all: the embedded store and the offline model", async () => {
    const dir = tempDir();
    const server = createKeelServer({ env: {}, cwd: dir });
    try {
      expect(server.runtime.storePath).toBe(path.join(dir, "keel.db"));
      expect(server.runtime.models.list().map((r) => r.alias)).toEqual(["keel-extractive"]);
      const key = (server.runtime.keys as KeyStore).create({ tenant: "t" }).key;
      const res = await server.app.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "keel-extractive",
          messages: [
            { role: "system", content: "Refunds take five business days. Shipping is free over 50 USD." },
            { role: "user", content: "How long do refunds take?" },
          ],
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      expect(body.choices[0]?.message.content).toMatch(/five business days/);
      expect(res.headers.get("x-keel-cost-usd")).toBe("0");
    } finally {
      await server.close();
    }
  });

  it("uses the environment's OpenAI-compatible server when OPENAI_BASE_URL is set", () => {
    const rt = createRuntime({
      config: store(),
      env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", KEEL_MODEL: "gpt-4o" },
    });
    try {
      expect(rt.models.list().map((r) => [r.alias, r.targets[0]?.providerName])).toEqual([
        ["gpt-4o", "openai"],
      ]);
    } finally {
      void rt.close();
    }
  });

  it("names the bad field of a configuration that cannot run", () => {
    const bad = (config: object, message: RegExp) =>
      expect(() => createRuntime({ config: { ...store(), ...config }, env: {} })).toThrow(message);
    bad(
      { models: { fast: { provider: "opena", model: "gpt-4o-mini" } } },
      /models\.fast\.provider: no provider "opena"/,
    );
    bad(
      { providers: { openai: { type: "openai", baseURL: "not a url" } } },
      /INVALID_CONFIG|providers\.openai/,
    );
    bad({ modles: {} }, /unknown field "modles"/);
    bad({ limits: { maxTokens: -1 } }, /limits\.maxTokens/);
    bad(
      {
        providers: { p: { type: "extractive" } },
        models: { a: { provider: "p", model: "m" } },
        routes: { r: { fallback: ["a", "zz"] } },
      },
      /routes\.r\.fallback\.1: no model alias "zz"/,
    );
    bad({ providers: { openai: { type: "openai" } } }, /providers\.openai\.apiKey: OpenAI needs an API key/);
    // A PostgreSQL store opens asynchronously, and a URL that cannot work names where it came from.
    expect(() => createRuntime({ config: {}, env: { KEEL_DB: "postgres://localhost/keel" } })).toThrow(
      /KEEL_DB: a PostgreSQL store opens asynchronously: use openRuntime\(\) or openKeelServer\(\)/,
    );
    expect(() => createRuntime({ config: {}, env: { KEEL_DB: "postgres://u:secret@localhost/" } })).toThrow(
      /^KEEL_DB: the URL names no database/,
    );
    expect(() => createRuntime({ config: { store: { url: "postgresql://h:99999/db" } } })).toThrow(
      /^store\.url: not a URL\. Give postgres:\/\/USER/,
    );
    const ping = { graph: () => ({}) as never };
    bad(
      { workflows: { ping }, schedules: { s: { cron: "* * * * *", workflow: "pong" } } },
      /^schedules\.s\.workflow: no workflow "pong"/,
    );
    bad(
      { workflows: { ping }, schedules: { s: { cron: "every day", workflow: "ping" } } },
      /^schedules\.s\.cron: Schedule pattern "every day"/,
    );
    expect(() =>
      createRuntime({
        config: { workflows: { ping }, schedules: { s: { cron: "0 2 * * *", workflow: "ping" } } },
        env: {},
      }),
    ).toThrow(/^schedules: scheduled runs need the PostgreSQL store/);
    expect(() => createRuntime({ config: { store: { path: "postgres://h/db" } } })).toThrow(
      /^store\.path: is a PostgreSQL URL: give it as store\.url/,
    );
  });

  it("loads keel.config.ts from the working folder (TypeScript, no build step) and resolves its store beside it", async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "keel.config.ts"),
      `const limit: number = 7;\nexport default { store: { path: "data/keel.db" }, limits: { maxMessages: limit } };\n`,
    );
    const { config, file } = await loadConfig(undefined, dir);
    expect(file).toBe(path.join(dir, "keel.config.ts"));
    expect(config.limits?.maxMessages).toBe(7);
    const rt = createRuntime({ config, configDir: dir, env: {} });
    try {
      expect(rt.storePath).toBe(path.join(dir, "data/keel.db"));
    } finally {
      await rt.close();
    }
    await expect(loadConfig("missing.ts", dir)).rejects.toThrow(/does not exist/);
    fs.writeFileSync(path.join(dir, "broken.mjs"), "export const nothing = 1;\n");
    await expect(loadConfig("broken.mjs", dir)).rejects.toThrow(/must export its configuration/);
  });
});
