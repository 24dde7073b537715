/**
 * What `keel run` (run.ts) does once its command line is parsed: the workflow run in this process on
 * the configuration's store, its events printed as text or JSON lines. Imported by the command's
 * action only, since it loads the whole runtime.
 */
import path from "node:path";
import { KeelError } from "../errors/index.js";
import { loadConfig } from "../server/config.js";
import type { ApiKey } from "../server/keys.js";
import { answeredIds, type Invocation, invoke, newRunId } from "../server/runs/execute.js";
import { endEvent, eventText, type Outcome, type WireEvent } from "../server/runs/wire.js";
import {
  graphThread,
  loadWorkflow,
  openRunCheckpointer,
  parseWorkflowInput,
  workflowDeps,
} from "../server/runs/workflows.js";
import { createRuntime } from "../server/runtime.js";
import type { RunCommandIO, RunOptions } from "./run.js";

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const THREAD = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

const usage = (message: string) => new KeelError("INVALID_OPTION", message);

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usage(
      `${flag} must be JSON (${(error as Error).message}); quote it for the shell: ${flag} '{"key":"value"}'.`,
    );
  }
}

/** The tenant's key for a run started from the terminal: its guard is the default one. */
function terminalKey(tenant: string): ApiKey {
  return {
    id: "keel run",
    tenant,
    role: "admin",
    name: "keel run",
    guard: null,
    limits: {},
    createdAt: 0,
    revokedAt: null,
  };
}

/** Runs the workflow as `keel run` was asked to, printing its events; returns how the run ended. */
export async function runWorkflow(
  name: string,
  opts: RunOptions,
  io: RunCommandIO,
): Promise<Outcome["status"]> {
  const modes = [opts.input !== undefined, opts.resume !== undefined, opts.continue === true].filter(Boolean);
  if (modes.length !== 1) {
    throw usage(
      "Give exactly one of --input JSON (start a run), --resume JSON or --continue (with --thread).",
    );
  }
  if ((opts.resume !== undefined || opts.continue) && opts.thread === undefined) {
    throw usage("--resume and --continue need --thread ID: the thread the run was started on.");
  }
  if (opts.thread !== undefined && !THREAD.test(opts.thread)) {
    throw usage(`--thread must be 1 to 200 letters, digits, '.', '_', ':' or '-', got "${opts.thread}".`);
  }
  if (!TENANT.test(opts.tenant)) {
    throw usage(`--tenant must be 1 to 64 letters, digits, '.', '_' or '-', got "${opts.tenant}".`);
  }
  const input = opts.input === undefined ? undefined : parseJson(opts.input, "--input");
  const answer = opts.resume === undefined ? undefined : parseJson(opts.resume, "--resume");

  const { config, file } = await loadConfig(opts.config);
  const rt = createRuntime({ config, configDir: file ? path.dirname(file) : process.cwd() });
  const checkpointer = openRunCheckpointer(rt);
  try {
    const workflow = loadWorkflow(rt, name, workflowDeps(rt, checkpointer));
    const runId = newRunId();
    const thread = opts.thread ?? runId;
    const key = terminalKey(opts.tenant);
    const state = await workflow.graph.getState(graphThread(key.tenant, thread));
    const again = (flag: string) => commandLine(name, thread, opts, flag);
    let invocation: Invocation;
    if (input !== undefined) {
      if (state?.interrupts.length) {
        throw usage(
          `Thread "${thread}" is paused at an interrupt; answer it with: ${again("--resume '<JSON>'")}`,
        );
      }
      invocation = { kind: "start", input: parseWorkflowInput(workflow, input) };
    } else if (answer !== undefined) {
      if (!state?.interrupts.length) {
        throw usage(`Thread "${thread}" is not waiting at an interrupt, so there is nothing to resume.`);
      }
      const ids = answeredIds(
        state.interrupts.map((i) => i.id),
        answer,
        `Thread "${thread}"`,
      );
      invocation = { kind: "resume", value: answer, answers: ids };
    } else {
      if (!state) throw usage(`No thread "${thread}" in tenant ${key.tenant}; start one with --input JSON.`);
      if (state.interrupts.length) {
        throw usage(
          `Thread "${thread}" is paused at an interrupt; answer it with: ${again("--resume '<JSON>'")}`,
        );
      }
      invocation = { kind: "continue" };
    }

    const controller = new AbortController();
    const onSigint = () => controller.abort(new KeelError("RUN_CANCELLED", "Ctrl-C"));
    process.once("SIGINT", onSigint);
    const print = opts.json ? jsonPrinter(io) : textPrinter(io);
    try {
      const outcome = await invoke(
        { rt, workflow, runId, key, thread, signal: controller.signal },
        invocation,
        print.event,
      );
      print.end(outcome, again);
      return outcome.status;
    } finally {
      process.removeListener("SIGINT", onSigint);
    }
  } finally {
    await checkpointer.close();
    await rt.close();
  }
}

/** The command that acts on the same thread again, with `flag` instead of the input. */
function commandLine(name: string, thread: string, opts: RunOptions, flag: string): string {
  const parts = ["keel run", quote(name), "--thread", quote(thread)];
  if (opts.tenant !== "local") parts.push("--tenant", quote(opts.tenant));
  if (opts.config) parts.push("--config", quote(opts.config));
  return [...parts, flag].join(" ");
}

const quote = (s: string) => (/^[\w./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

interface Printer {
  event(event: WireEvent): void;
  end(outcome: Outcome, again: (flag: string) => string): void;
}

function jsonPrinter(io: RunCommandIO): Printer {
  return {
    event: (e) => io.stdout.write(`${eventText(e)}\n`),
    end(outcome, again) {
      io.stdout.write(`${eventText(endEvent(outcome))}\n`);
      if (outcome.status === "interrupted")
        io.stderr.write(`keel: to resume: ${again("--resume '<JSON>'")}\n`);
    },
  };
}

function textPrinter(io: RunCommandIO): Printer {
  const color = io.stdout.isTTY === true && !process.env.NO_COLOR;
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const green = (t: string) => paint(32, t);
  const red = (t: string) => paint(31, t);
  const yellow = (t: string) => paint(33, t);
  const dim = (t: string) => paint(2, t);
  const out = (line: string) => io.stdout.write(`${line}\n`);
  return {
    event(e) {
      const inner = e.ns ? `${dim(String(e.ns))} ` : "";
      switch (e.type) {
        case "run-start":
          if (!e.ns)
            out(
              `${e.workflow} · run ${e.run} · thread ${e.thread}${Number(e.step) > 0 ? ` · from step ${e.step}` : ""}`,
            );
          return;
        case "step-start":
          return out(`${inner}step ${e.step}: ${(e.nodes as string[]).join(", ")}`);
        case "node-end":
          return out(
            `  ${inner}${green("✓")} ${e.node} ${dim(`${Math.round(Number(e.durationMs))} ms`)}${e.update === undefined ? "" : ` ${short(e.update)}`}`,
          );
        case "custom":
          return out(`  ${inner}· ${e.node}: ${short(e.data)}`);
        case "interrupt":
          for (const i of e.interrupts as Array<{ node: string; payload: unknown }>)
            out(`  ${inner}${yellow("⏸")} ${i.node} asks: ${short(i.payload)}`);
          return;
        case "error": {
          const error = e.error as { code: string; message: string };
          return out(`  ${inner}${red("✗")} ${error.code}`);
        }
        default:
          return;
      }
    },
    end(outcome, again) {
      const at = outcome.step === null ? "" : ` at step ${outcome.step}`;
      if (outcome.status === "completed") {
        out(`${green("✓ completed")}${at}`);
        out(JSON.stringify(outcome.state, jsonReplacer, 2));
      } else if (outcome.status === "interrupted") {
        out(`${yellow("⏸ interrupted")}: the run waits for an answer`);
        for (const i of outcome.interrupts) out(`  ${i.node} (${i.id}): ${short(i.value)}`);
        out(`to resume: ${again("--resume '<JSON>'")}`);
      } else if (outcome.status === "cancelled") {
        out(`${yellow("cancelled")}; to continue: ${again("--continue")}`);
      } else {
        io.stderr.write(`${red("✗ failed")}: ${outcome.error?.code}: ${outcome.error?.message}\n`);
        if (outcome.state !== null)
          io.stderr.write(`after fixing the cause, continue with: ${again("--continue")}\n`);
      }
    },
  };
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** A value on one line, cut to a readable length. */
function short(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value, jsonReplacer) ?? String(value));
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, " ");
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
