import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");

describe("the keel command (built output)", () => {
  it("`keel demo` runs the support-desk graph to the end and keeps its checkpoints when asked", () => {
    expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-cli-"));
    const db = path.join(dir, "demo.db");
    const result = spawnSync(process.execPath, [bin, "demo", "--db", db], { encoding: "utf8", input: "" });
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
