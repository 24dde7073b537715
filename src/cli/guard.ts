/**
 * `keel guard scan` and `keel guard eval`: the guard from the command line, and its accuracy on any
 * labelled file.
 */
import type { Command } from "commander";
import { KeelError } from "../errors/index.js";
import type { Finding, Scanner, TextSource } from "../guard/index.js";
import type { RedactionMode } from "../guard/redact.js";

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
        const { guard } = await import("../guard/index.js");
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
    .action(async (opts: { task: string; data: string; source: string; json?: boolean }) => {
      const task = oneOf(opts.task, ["injection", "pii"], "--task");
      const source = oneOf(opts.source, SOURCES, "--source") as TextSource;
      const result =
        task === "injection" ? await injectionAccuracy(opts.data, source) : await piiAccuracy(opts.data);
      if (opts.json) console.log(JSON.stringify(result));
      else printTable(task, result);
    });
}

async function injectionAccuracy(file: string, source: TextSource) {
  const [{ readInjectionRows }, { evaluateInjection }, { injectionScanner }] = await Promise.all([
    import("../guard/data.js"),
    import("../guard/injection/eval.js"),
    import("../guard/injection/index.js"),
  ]);
  return evaluateInjection(readInjectionRows(file), injectionScanner(), source);
}

async function piiAccuracy(file: string) {
  const [{ readPiiRows }, { evaluatePii }, { piiScanner }, { secretsScanner }] = await Promise.all([
    import("../guard/data.js"),
    import("../guard/pii/eval.js"),
    import("../guard/pii/index.js"),
    import("../guard/secrets/index.js"),
  ]);
  return evaluatePii(readPiiRows(file), combine(piiScanner(), secretsScanner()));
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
