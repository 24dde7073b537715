/**
 * `keel run WORKFLOW`: runs a configured workflow in this process (no server), on the store of the
 * configuration, streaming its events: lines for people, or one JSON object per line with `--json`
 * (the same events the runs API streams). The run acts as a tenant (`--tenant`, default `local`):
 * its threads, collections and audit events are that tenant's, as if a key of it had started the
 * run. Exit codes: 0 completed, 2 bad input, 3 failed, 4 interrupted (waiting for `--resume`),
 * 130 cancelled with Ctrl-C. The run itself is in run-workflow.ts, imported when the command runs.
 */
import type { Command } from "commander";

export interface RunCommandIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  /** Sets the exit code (the process's by default; the process is left to end by itself). */
  exit(code: number): void;
}

const processIO: RunCommandIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => {
    process.exitCode = code;
  },
};

export const EXIT = { completed: 0, usage: 2, failed: 3, interrupted: 4, cancelled: 130 } as const;

export interface RunOptions {
  input?: string;
  resume?: string;
  continue?: boolean;
  thread?: string;
  tenant: string;
  config?: string;
  json?: boolean;
}

export function addRunCommand(program: Command, io: RunCommandIO = processIO): Command {
  return program
    .command("run")
    .description("run a workflow of keel.config.ts in this process, streaming its events")
    .argument("<workflow>", "the workflow's name in the configuration's workflows")
    .option("--input <json>", "the run's input, as JSON")
    .option("--resume <json>", "answer the thread's pending interrupt with this JSON value (needs --thread)")
    .option("--continue", "continue an unfinished thread from its last checkpoint (needs --thread)")
    .option("--thread <id>", "the thread: runs on one thread share its state (default: a new one)")
    .option("--tenant <name>", "the tenant the run acts for (threads, collections, audit log)", "local")
    .option("--config <file>", "keel.config.ts (default: ./keel.config.* if present)")
    .option("--json", "one JSON object per line (the runs API's events) instead of text")
    .addHelpText(
      "after",
      `
Examples:
  keel run triage --input '{"message":"Where is my refund?"}'
  keel run triage --input '{"message":"Refund me"}' --thread ticket-42 --json | jq .type
  keel run triage --thread ticket-42 --resume true         answer the interrupt it paused at
  keel run triage --thread ticket-42 --continue            after a crash or Ctrl-C, from the last checkpoint
  keel run triage --config ./examples/keel.config.ts --tenant acme --input '{}'

Exit codes: 0 completed, 2 bad input (unknown workflow, invalid JSON or input), 3 failed,
4 interrupted (the run waits for --resume), 130 cancelled (Ctrl-C).`,
    )
    .action(async (workflow: string, opts: RunOptions) => {
      let code: number;
      try {
        const { runWorkflow } = await import("./run-workflow.js");
        code = EXIT[await runWorkflow(workflow, opts, io)];
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown };
        const known = typeof e?.code === "string";
        io.stderr.write(
          `keel: ${known ? `${e.code}: ` : ""}${typeof e?.message === "string" ? e.message : String(error)}\n`,
        );
        code =
          known && /^(INVALID_|UNKNOWN_WORKFLOW$|UNKNOWN_MODEL$)/.test(e.code as string) ? EXIT.usage : 1;
      }
      io.exit(code);
    });
}
