#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { isKeelError, KeelError } from "../errors/index.js";
import { runMockLLMCommand } from "../testkit/mock-llm/index.js";
import { addAuditCommands, addReplayCommand, addReportCommand } from "./audit.js";
import { runDemo } from "./demo.js";
import { addGuardCommands } from "./guard.js";
import { addKeysCommands } from "./keys.js";
import { addRagCommands } from "./rag.js";
import { addRunCommand } from "./run.js";
import { addServeCommand } from "./serve.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command()
  .name("keel")
  .description("Keel: durable graphs, guarded model calls, retrieval and a tamper-evident audit trail.")
  .version(pkg.version);

program
  .command("demo")
  .description("run the support-desk demo graph in the terminal (checkpoints in a SQLite file)")
  .option("--db <file>", "SQLite file for the checkpoints (default: a temporary file)")
  .action(async (opts: { db?: string }) => {
    await runDemo({ db: opts.db });
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
    await runMockLLMCommand({ port, host: opts.host, script: opts.script });
  });

addServeCommand(program);
addKeysCommands(program);
addRunCommand(program);
addGuardCommands(program);
addAuditCommands(program);
addReportCommand(program);
addReplayCommand(program);
addRagCommands(program);

/** Exit 2 for what the user typed wrong (options, configuration), 1 for everything else. */
const USAGE = new Set(["INVALID_OPTION", "INVALID_REQUEST", "INVALID_CONFIG"]);

program.parseAsync().catch((error: unknown) => {
  if (isKeelError(error)) console.error(`keel: ${error.code}: ${error.message}`);
  else console.error(`keel: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = isKeelError(error) && USAGE.has(error.code) ? 2 : 1;
});
