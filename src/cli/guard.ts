/**
 * `keel guard scan` and `keel guard eval`: the guard from the command line, and its accuracy on any
 * labelled file.
 */
import type { Command } from "commander";
import { KeelError } from "../errors/index.js";
import { readInjectionRows, readPiiRows } from "../guard/data.js";
import { type Finding, guard, type Scanner, type TextSource } from "../guard/index.js";
import { evaluateInjection } from "../guard/injection/eval.js";
import { injectionScanner } from "../guard/injection/index.js";
import { evaluatePii } from "../guard/pii/eval.js";
import { piiScanner } from "../guard/pii/index.js";
import type { RedactionMode } from "../guard/redact.js";
import { secretsScanner } from "../guard/secrets/index.js";

const SOURCES = ["input", "retrieved", "tool", "output"];
const MODES = ["mask", "placeholder", "hash"];
const ACTIONS = ["flag", "redact", "block"];

export function addGuardCommands(program: Command): void {
  const cmd = program
    .command("guard")
    .description("scan text for PII, secrets and prompt injection; measure accuracy");

  cmd
    .command("scan")
    .description("scan text given as arguments, or read from standard input")
    .argument("[text...]", "the text (default: standard input)")
    .option("--source <source>", `where the text comes from: ${SOURCES.join(", ")}`, "input")
    .option("--redaction <mode>", `how to redact: ${MODES.join(", ")}`, "placeholder")
    .option(
      "--fail-on <action>",
      `exit with status 3 when the verdict is at least this: ${ACTIONS.join(", ")}`,
    )
    .option("--json", "print the verdict as JSON")
    .action(
      async (
        words: string[],
        opts: { source: string; redaction: string; failOn?: string; json?: boolean },
      ) => {
        const source = oneOf(opts.source, SOURCES, "--source") as TextSource;
        const redaction = oneOf(opts.redaction, MODES, "--redaction") as RedactionMode;
        if (opts.failOn !== undefined) oneOf(opts.failOn, ACTIONS, "--fail-on");
        const text = words.length > 0 ? words.join(" ") : await readStdin();
        const verdict = guard({ redaction }).scan(text, { source });
        if (opts.json) {
          console.log(JSON.stringify(verdict));
        } else {
          console.log(`action: ${verdict.action}`);
          for (const f of verdict.findings) {
            console.log(
              `  ${f.type.padEnd(20)} ${`${f.start}-${f.end}`.padEnd(11)} score ${f.score.toFixed(2)}  ${f.action.padEnd(6)} ${f.scanner}${f.detail ? ` (${f.detail})` : ""}`,
            );
          }
          if (verdict.text !== null && verdict.text !== text) console.log(`\n${verdict.text}`);
        }
        const order = ["allow", ...ACTIONS];
        if (opts.failOn !== undefined && order.indexOf(verdict.action) >= order.indexOf(opts.failOn))
          process.exitCode = 3;
      },
    );

  cmd
    .command("eval")
    .description("measure accuracy on a labelled JSONL file")
    .requiredOption("--task <task>", "injection (lines {text, label}) or pii (lines {text, spans})")
    .requiredOption("--data <file>", "the JSONL file")
    .option("--source <source>", "source the texts are scanned as (injection task)", "input")
    .option("--json", "print the figures as JSON")
    .action((opts: { task: string; data: string; source: string; json?: boolean }) => {
      const task = oneOf(opts.task, ["injection", "pii"], "--task");
      const source = oneOf(opts.source, SOURCES, "--source") as TextSource;
      const result =
        task === "injection"
          ? evaluateInjection(readInjectionRows(opts.data), injectionScanner(), source)
          : evaluatePii(readPiiRows(opts.data), combine(piiScanner(), secretsScanner()));
      if (opts.json) console.log(JSON.stringify(result));
      else printTable(task, result);
    });
}

function combine(...scanners: Scanner[]): (text: string) => Finding[] {
  return (text) => scanners.flatMap((scan) => scan(text, { source: "input" }));
}

function oneOf(value: string, allowed: string[], flag: string): string {
  if (!allowed.includes(value)) {
    throw new KeelError("INVALID_OPTION", `${flag} must be one of ${allowed.join(", ")}; got "${value}".`);
  }
  return value;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new KeelError(
      "INVALID_OPTION",
      "Give the text to scan as arguments, or pipe it in: echo 'text' | keel guard scan",
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function printTable(task: string, result: unknown): void {
  if (task === "injection") {
    const r = result as Record<string, number>;
    console.log(
      `n ${r.n}  precision ${pct(r.precision)}  recall ${pct(r.recall)}  f1 ${pct(r.f1)}  fpr ${pct(r.fpr)}`,
    );
    return;
  }
  const r = result as {
    types: Record<string, { precision: number; recall: number; f1: number; support: number }>;
    micro: { precision: number; recall: number; f1: number };
  };
  console.log(`${"type".padEnd(22)}precision  recall     f1  support`);
  for (const [type, m] of Object.entries(r.types)) {
    console.log(
      `${type.padEnd(22)}${pct(m.precision).padStart(9)}${pct(m.recall).padStart(8)}${pct(m.f1).padStart(7)}${String(m.support).padStart(9)}`,
    );
  }
  console.log(
    `${"micro".padEnd(22)}${pct(r.micro.precision).padStart(9)}${pct(r.micro.recall).padStart(8)}${pct(r.micro.f1).padStart(7)}`,
  );
}

function pct(x: number | undefined): string {
  return x === undefined ? "-" : `${(x * 100).toFixed(1)}%`;
}
