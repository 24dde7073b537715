/**
 * The `keel` command: every subcommand registered on one commander program (main.ts parses argv
 * with it; tests inspect it).
 *
 * Registering a command must stay cheap: every `keel` invocation, `--version` included, builds the
 * whole program. So registration modules import only commander, `node:*` and small helpers; what a
 * command runs (the server, the store, the guard, the model SDKs) is imported by its action, when it
 * runs. test/cli-startup.test.ts fails if building the program loads a heavy dependency again.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { KeelError } from "../errors/index.js";
import { addAuditCommands, addReplayCommand, addReportCommand } from "./audit.js";
import { addCollectionCommands } from "./collections.js";
import { withExamples } from "./examples.js";
import { addGuardCommands } from "./guard.js";
import { addKeysCommands } from "./keys.js";
import { addRagCommands } from "./rag.js";
import { addRunCommand } from "./run.js";
import { addServeCommand, addWorkerCommand, parsePort } from "./serve.js";

export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };

  const program = new Command()
    .name("keel")
    .description("Keel: durable graphs, guarded model calls, retrieval and a tamper-evident audit trail.")
    .version(pkg.version);

  program
    .command("demo")
    .description("serve the support-desk demo on http://localhost:8787 (what `npm start` runs)")
    .option("--port <n>", "port to listen on", "8787")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--graph", "instead, run the terminal demo of a durable graph (fan-out, join, human approval)")
    .option("--db <file>", "with --graph: SQLite file for the checkpoints (default: a temporary file)")
    .addHelpText(
      "after",
      `
  Examples:
    keel demo                      serve the support desk (embedded store in .keel/, offline model)
    OPENAI_API_KEY=sk-... keel demo    the same demo with a real model
    keel demo --graph              a support ticket through a durable graph, in the terminal`,
    )
    .action(async (opts: { db?: string; graph?: boolean; port: string; host: string }) => {
      if (opts.graph) {
        const { runDemo } = await import("./demo.js");
        await runDemo({ db: opts.db });
      } else {
        const port = parsePort(opts.port);
        const { serveDemo } = await import("./demo-server.js");
        await serveDemo({ port, host: opts.host });
      }
    });

  program
    .command("mock-llm")
    .description("serve an OpenAI-compatible mock LLM on loopback, for tests and demos without a model")
    .option("--port <n>", "port to listen on (0 picks a free one)", "0")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--script <file>", "JSON file with an array of scripted steps (default: deterministic replies)")
    .action(async (opts: { port: string; host: string; script?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new KeelError("INVALID_OPTION", `--port must be a port number (0-65535), got "${opts.port}".`);
      }
      const { runMockLLMCommand } = await import("../testkit/mock-llm/index.js");
      await runMockLLMCommand({ port, host: opts.host, script: opts.script });
    });

  addServeCommand(program);
  addWorkerCommand(program);
  addKeysCommands(program);
  addRunCommand(program);
  addGuardCommands(program);
  addAuditCommands(program);
  addReportCommand(program);
  addReplayCommand(program);
  addRagCommands(program);
  addCollectionCommands(program);
  withExamples(program);
  return program;
}
