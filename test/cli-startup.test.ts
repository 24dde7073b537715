/**
 * What `keel` loads before it does anything. Every invocation builds the whole commander program, so
 * registering the commands must not load the server, the store, the document loaders or the model
 * SDKs: a command imports those in its action, when it runs. A built CLI in a child process records
 * every module it loads (ESM resolutions through a `node:module` hook, CommonJS through the require
 * cache). Needs `npm run build` (dist/).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");
const program = path.join(root, "dist/cli/program.js");
const tempDir = useTempDirs("keel-cli-startup-");

/** Packages that cost a command's start hundreds of milliseconds, and that only some commands use. */
const HEAVY = [
  "pdfjs-dist",
  "linkedom",
  "@duckdb/node-api",
  "openai",
  "@anthropic-ai/sdk",
  "hono",
  "prom-client",
  "better-sqlite3",
];

/** Runs node with `args` in a fresh folder; returns its result and the packages it loaded. */
function traced(args: string[]) {
  expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
  const dir = tempDir();
  const log = path.join(dir, "loaded.txt");
  const hooks = path.join(dir, "hooks.mjs");
  fs.writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}
`,
  );
  const recorder = path.join(dir, "record.mjs");
  fs.writeFileSync(
    recorder,
    `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";
register(${JSON.stringify(pathToFileURL(hooks).href)});
const { cache } = createRequire(import.meta.url);
process.on("exit", () => {
  appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((f) => pathToFileURL(f).href + "\\n").join(""));
});
`,
  );
  const result = spawnSync(process.execPath, ["--import", pathToFileURL(recorder).href, ...args], {
    encoding: "utf8",
    cwd: dir,
    env: { ...process.env, KEEL_DB: "" },
  });
  const urls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n") : [];
  const packages = new Set<string>();
  for (const url of urls) {
    const name = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (name) packages.add(name);
  }
  return { ...result, packages: [...packages].sort() };
}

const heavyIn = (packages: string[]) => packages.filter((p) => HEAVY.includes(p));

describe("keel's start", () => {
  it("builds the whole program without loading any heavy package", () => {
    const run = traced([
      "--input-type=module",
      "-e",
      `const { buildProgram } = await import(${JSON.stringify(pathToFileURL(program).href)});
console.log(buildProgram().commands.map((c) => c.name()).join(" "));`,
    ]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/\bserve\b.*\bkeys\b.*\baudit\b.*\brag\b/);
    // Proof the recording works: commander itself is seen.
    expect(run.packages).toContain("commander");
    expect(heavyIn(run.packages)).toEqual([]);
  });

  it.each(["--version", "--help", "keys list --help", "audit verify --help"])(
    "keel %s loads no heavy package",
    (command) => {
      const run = traced([bin, ...command.split(" ")]);
      expect(run.status).toBe(0);
      expect(run.stdout).not.toBe("");
      expect(heavyIn(run.packages)).toEqual([]);
    },
  );

  it("keel keys list opens the store (better-sqlite3) but loads nothing of the server", () => {
    const run = traced([bin, "keys", "list"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("No keys.");
    expect(heavyIn(run.packages)).toEqual(["better-sqlite3"]);
  });

  it("keel guard scan loads the guard, not the server, the store or a model SDK", () => {
    const run = traced([bin, "guard", "scan", "hello"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("action: allow\n");
    expect(heavyIn(run.packages)).toEqual([]);
  });
});
