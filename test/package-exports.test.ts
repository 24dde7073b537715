import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

// Resolves the package by its own name, as an application that installed it would (built output).
function importInNode(code: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
}

describe("package entry points", () => {
  it("`keel` re-exports the public API and each module has its subpath", () => {
    const result = importInNode(`
      const root = await import("keel");
      const graph = await import("keel/graph");
      const errors = await import("keel/errors");
      const db = await import("keel/db");
      const model = await import("keel/model");
      const testkit = await import("keel/testkit");
      const guard = await import("keel/guard");
      const rag = await import("keel/rag");
      const audit = await import("keel/audit");
      const server = await import("keel/server");
      console.log(JSON.stringify({
        sameGraph: root.graph === graph.graph && root.sqliteCheckpointer === graph.sqliteCheckpointer,
        sameError: root.KeelError === errors.KeelError,
        constants: [root.START, root.END],
        db: typeof db.openSqlite,
        dbNotAtRoot: !("openSqlite" in root),
        sameModel: root.openaiCompatible === model.openaiCompatible && root.extractive === model.extractive,
        testkit: typeof testkit.startMockLLM,
        testkitNotAtRoot: !("startMockLLM" in root),
        sameGuard: root.guard === guard.guard && root.piiScanner === guard.piiScanner,
        sameRag: root.openCollection === rag.openCollection && root.hashingEmbedder === rag.hashingEmbedder,
        sameAudit: root.openAuditLog === audit.openAuditLog && root.verifyAuditLog === audit.verifyAuditLog,
        server: typeof server.createKeelServer + "," + typeof server.defineConfig,
        serverNotAtRoot: !("createKeelServer" in root),
      }));
    `);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      sameGraph: true,
      sameError: true,
      constants: ["__start__", "__end__"],
      db: "function",
      dbNotAtRoot: true,
      sameModel: true,
      testkit: "function",
      testkitNotAtRoot: true,
      sameGuard: true,
      sameRag: true,
      sameAudit: true,
      server: "function,function",
      serverNotAtRoot: true,
    });
  });

  it("internal files are not importable", () => {
    const result = importInNode(`await import("keel/dist/graph/run.js")`);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
