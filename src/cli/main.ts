#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { isKeelError } from "../errors/index.js";
import { runDemo } from "./demo.js";

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

program.parseAsync().catch((error: unknown) => {
  if (isKeelError(error)) console.error(`keel: ${error.code}: ${error.message}`);
  else console.error(`keel: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
