/**
 * Several `keel serve` processes sharing one store, a SQLite file or a PostgreSQL database
 * (`KEEL_DB=postgres://...`): rate limits and budgets hold across all of them (a per-process count
 * would admit N times the limit), and a key revoked by `keel keys revoke` is refused by every process
 * at once. Spawns the built CLI.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { startMockLLM } from "../src/testkit/index.js";
import { usePostgresSchemas } from "../src/testkit/postgres.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");
const tempDir = useTempDirs("keel-processes-");
const schema = usePostgresSchemas();
const children: ChildProcess[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const close of closers.splice(0)) await close();
});

type Env = Record<string, string>;

function keel(args: string[], cwd: string, env: Env = {}) {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, ...env },
  });
}

/** Starts `keel serve --port 0` in `cwd` and resolves with its URL once it listens. */
function serve(cwd: string, env: Env = {}): Promise<string> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0"], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    let err = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.once("exit", (code) => reject(new Error(`keel serve exited with ${code}: ${err}`)));
  });
}

async function twoServers(store: "sqlite" | "postgres") {
  expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
  const mock = await startMockLLM({
    script: () => ({ text: "ok", usage: { prompt_tokens: 10, completion_tokens: 5 } }),
  });
  closers.push(() => mock.close());
  const dir = tempDir();
  const env: Env = store === "postgres" ? { KEEL_DB: await schema() } : {};
  fs.writeFileSync(
    path.join(dir, "keel.config.mjs"),
    `export default {
      ${store === "sqlite" ? 'store: { path: "shared.db" },' : ""}
      providers: { mock: { type: "openai", baseURL: ${JSON.stringify(mock.url)}, apiKey: "x" } },
      models: { large: { provider: "mock", model: "mock-large" } },
    };`,
  );
  const created = (args: string[]) =>
    JSON.parse(keel(["keys", "create", "--tenant", "acme", "--json", ...args], dir, env).stdout);
  return { dir, env, mock, created, urls: await Promise.all([serve(dir, env), serve(dir, env)]) };
}

const ask = (url: string, key: string) =>
  new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({
    model: "large",
    max_tokens: 100,
    messages: [{ role: "user", content: "hi" }],
  });

describe.each(["sqlite", "postgres"] as const)("several server processes on one %s store", (store) => {
  it("admit exactly a key's requests per minute between them", async () => {
    const { created, urls } = await twoServers(store);
    const { key } = created(["--rpm", "20"]);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => ask(urls[i % 2] as string, key)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 429, code: "RATE_LIMITED" });
  }, 60_000);

  it("never overshoot a budget together, and a revoked key is refused by both", async () => {
    const { dir, env, created, urls, mock } = await twoServers(store);
    // Each request reserves about 0.000854 USD (see the gateway tests) and costs 0.00006.
    const { key, id } = created(["--daily-usd", "0.004"]);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => ask(urls[i % 2] as string, key)),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    expect(ok).toBeGreaterThan(0);
    expect(ok * 0.00006).toBeLessThanOrEqual(0.004);
    expect(mock.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(ok);
    expect(keel(["keys", "revoke", id], dir, env).status).toBe(0);
    for (const url of urls) await expect(ask(url, key)).rejects.toMatchObject({ status: 401 });
  }, 60_000);
});
