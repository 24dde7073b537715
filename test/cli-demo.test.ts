import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");

describe("the keel command (built output)", () => {
  it("`keel demo --graph` runs the support-desk graph to the end and keeps its checkpoints when asked", () => {
    expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-cli-"));
    const db = path.join(dir, "demo.db");
    const result = spawnSync(process.execPath, [bin, "demo", "--graph", "--db", db], {
      encoding: "utf8",
      input: "",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/step 2: order-history \+ policy/);
    expect(result.stdout).toMatch(/paused: Send this reply\?/);
    expect(result.stdout).toMatch(/"sent": "email-/);
    expect(result.stdout).toMatch(/run done/);
    expect(fs.statSync(db).size).toBeGreaterThan(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("`keel --version` prints the package version; an unknown command fails with help", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const version = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(version.stdout.trim()).toBe(pkg.version);
    const unknown = spawnSync(process.execPath, [bin, "fly"], { encoding: "utf8" });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'fly'/);
  });
});

describe("keel mock-llm (built output)", () => {
  it("serves OpenAI-compatible chat completions to the official client until SIGINT", async () => {
    const { spawn } = await import("node:child_process");
    const { default: OpenAI } = await import("openai");
    const child = spawn(process.execPath, [bin, "mock-llm", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`mock-llm exited early (${code}): ${out}`)));
      });
      const client = new OpenAI({ baseURL: url, apiKey: "test", maxRetries: 0 });
      const reply = await client.chat.completions.create({
        model: "mock-small",
        messages: [{ role: "user", content: "ping" }],
      });
      expect(reply.choices[0]?.message.content).toContain("ping");
      expect(reply.usage?.total_tokens).toBeGreaterThan(0);
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("refuses a bad port with a message that says what to give", () => {
    const result = spawnSync(process.execPath, [bin, "mock-llm", "--port", "http"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--port must be a port number/);
  });
});
