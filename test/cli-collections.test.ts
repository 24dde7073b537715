/**
 * `keel ingest` and `keel query` as a user runs them: a built CLI in a child process, a
 * configuration file in a folder, the store it names. Needs `npm run build` (dist/).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../src/server/runtime.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const built = path.join(root, "dist/cli/collections.js");
const tempDir = useTempDirs("keel-cli-collections-");

/**
 * `keel` with the collection commands, the way src/cli/main.ts runs its commands (a thrown error
 * prints `keel: CODE: message` and exits 1).
 */
function driver(dir: string): string {
  const commander = pathToFileURL(createRequire(import.meta.url).resolve("commander")).href;
  const file = path.join(dir, "keel.mjs");
  fs.writeFileSync(
    file,
    `import { Command } from ${JSON.stringify(commander)};
import { addCollectionCommands } from ${JSON.stringify(pathToFileURL(built).href)};
const program = new Command().name("keel");
addCollectionCommands(program);
program.parseAsync().catch((error) => {
  console.error(\`keel: \${error.code}: \${error.message}\`);
  process.exitCode = 1;
});
`,
  );
  return file;
}

const documents = (hits: Array<{ documentId: string }>) => [...new Set(hits.map((h) => h.documentId))].sort();

function setup() {
  expect(fs.existsSync(built), "run `npm run build` first: dist/cli/collections.js is missing").toBe(true);
  const dir = tempDir();
  const write = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
  };
  write({
    "keel.config.mjs": `export default { store: { path: "keel.db" }, collections: { handbook: { acl: true }, notes: {} } };\n`,
    "docs/leave.md":
      "---\nteam: people\n---\n# Leave\n\n## Parental leave\n\nSixteen weeks of paid parental leave.\n",
    "docs/pay/salaries.md":
      "---\naccess: [staff]\n---\n# Salaries\n\nSalary bands and parental pay are reviewed in March.\n",
  });
  const bin = driver(dir);
  // Run from elsewhere: the store and the files are found through the configuration and the arguments.
  const cwd = tempDir();
  const env = { ...process.env };
  delete env.KEEL_DB;
  const keel = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env });
  return { dir, write, keel, config: path.join(dir, "keel.config.mjs") };
}

// Each run starts a node process that loads the runtime: give the file room on a busy machine.
describe("keel ingest and keel query", { timeout: 90_000 }, () => {
  it("ingests a folder into a tenant's copy, and queries it with citations and access control", () => {
    const { dir, keel, config } = setup();
    const docs = path.join(dir, "docs");
    const first = keel("ingest", "handbook", docs, "--config", config, "--tenant", "acme", "--json");
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      collection: "handbook",
      tenant: "acme",
      files: 2,
      added: 2,
      updated: 0,
      unchanged: 0,
      chunks: 3, // the two sections of leave.md, one of salaries.md
    });
    const again = keel("ingest", "handbook", docs, "--config", config, "--tenant", "acme");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("2 unchanged; 0 chunks written");

    const query = (...extra: string[]) =>
      keel("query", "handbook", "parental", "leave", "--config", config, "--tenant", "acme", ...extra);
    const outsider = query("--principal", "bob", "--json");
    expect(outsider.status).toBe(0);
    const result = JSON.parse(outsider.stdout);
    expect(documents(result.hits)).toEqual(["leave.md"]);
    const hit = result.hits[0];
    expect(hit).toMatchObject({
      headingPath: ["Leave", "Parental leave"],
      metadata: { team: "people", source: "leave.md" },
    });
    const source = fs.readFileSync(path.join(docs, "leave.md"), "utf8");
    expect(source.slice(hit.span.start, hit.span.end)).toBe(hit.text);

    const staff = query("--principal", "ana", "--group", "staff", "--json");
    expect(documents(JSON.parse(staff.stdout).hits)).toEqual(["leave.md", "pay/salaries.md"]);

    const human = query("--principal", "bob", "--k", "1");
    expect(human.stdout).toMatch(/^1\. leave\.md {2}§ Leave › Parental leave {2}\[\d+-\d+\]/);
    expect(human.stdout).toContain("Sixteen weeks of paid parental leave.");

    // Another tenant's copy is empty.
    const other = keel(
      "query",
      "handbook",
      "parental",
      "--config",
      config,
      "--tenant",
      "globex",
      "--principal",
      "x",
    );
    expect(other.stdout.trim()).toBe(
      "Tenant globex's copy of handbook holds no documents yet: keel ingest handbook PATH --tenant globex",
    );
    const unreadable = query("--principal", "bob", "--filter", '{"team":"nobody"}');
    expect(unreadable.stdout.trim()).toBe("No hits readable by bob.");
  });

  it("uses the only tenant with keys when none is named, and asks for one otherwise", async () => {
    const { dir, keel, config } = setup();
    const docs = path.join(dir, "docs", "leave.md");
    const none = keel("ingest", "notes", docs, "--config", config);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("--tenant");

    const rt = createRuntime({ config: { store: { path: path.join(dir, "keel.db") } } });
    rt.keys.create({ tenant: "acme" });
    const one = keel("ingest", "notes", docs, "--config", config);
    expect(one.status).toBe(0);
    expect(one.stdout).toContain("notes (tenant acme): 1 file, 1 added");

    rt.keys.create({ tenant: "globex" });
    await rt.close();
    const two = keel("query", "notes", "leave", "--config", config);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain("acme, globex");
  });

  it("exits 2 on bad usage and 1 when the work fails", () => {
    const { dir, write, keel, config } = setup();
    const at = ["--config", config, "--tenant", "acme"];
    const cases: Array<[string[], number, string]> = [
      [["query", "handbook", "leave", ...at], 2, "PRINCIPAL_REQUIRED"],
      [["query", "nope", "leave", ...at], 2, "UNKNOWN_COLLECTION"],
      [["query", "notes", "leave", ...at, "--k", "0"], 2, "--k"],
      [["query", "notes", "leave", ...at, "--filter", "{team"], 2, "--filter"],
      [["query", "notes", "leave", ...at, "--mode", "fuzzy"], 2, "--mode"],
      [["query", "notes", "leave", ...at, "--group", "staff"], 2, "--principal"],
      [["ingest", "notes", ...at], 2, "missing required argument"],
      [["ingest", "notes", path.join(dir, "nothing-here"), ...at], 1, "FILE_NOT_FOUND"],
    ];
    for (const [args, status, message] of cases) {
      const run = keel(...args);
      expect(run.status, args.join(" ")).toBe(status);
      expect(run.stderr, args.join(" ")).toContain(message);
    }
    // Access in front matter on a collection without access control would not be enforced.
    const refused = keel("ingest", "notes", path.join(dir, "docs"), ...at);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("acl: true");
    write({ "bad.config.mjs": "export default { collections: { Bad: {} } };\n" });
    const badConfig = keel(
      "query",
      "notes",
      "x",
      "--config",
      path.join(dir, "bad.config.mjs"),
      "--tenant",
      "acme",
    );
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain("INVALID_CONFIG");

    const help = keel("query", "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("Exit status");
  });
});
