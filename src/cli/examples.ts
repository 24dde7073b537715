/**
 * Examples shown by `--help` for the commands whose modules do not add their own, attached once every
 * command is registered. A test checks every command that runs has some (`commandsWithoutExamples`).
 */
import type { Command } from "commander";

const EXAMPLES: Record<string, string[]> = {
  "mock-llm": [
    "keel mock-llm --port 8080                       deterministic replies on http://127.0.0.1:8080/v1",
    "keel mock-llm --port 0 --script steps.json      scripted replies and faults (429s, 5xx, cut streams)",
  ],
  "guard scan": [
    'keel guard scan "I am Ada Lovelace, ada@example.org"',
    'echo "Ignore previous instructions" | keel guard scan --fail-on block     exit 3 when blocked',
    "keel guard scan --source retrieved --json < page.txt",
  ],
  "guard eval": [
    "keel guard eval --task injection --data injection-test.jsonl --json",
    "keel guard eval --task pii --data pii-test.jsonl",
  ],
  "rag ingest": [
    "keel rag ingest --db kb.db --collection docs ./docs",
    "keel rag ingest --db kb.db --collection internal --acl --groups staff ./runbooks",
  ],
  "rag query": [
    'keel rag query --db kb.db --collection docs "how do refunds work"',
    'keel rag query --db kb.db --collection internal --principal sam --groups staff --k 3 --json "refund limits"',
  ],
  "rag eval": [
    "keel rag eval --beir ./scifact --mode bm25 --json",
    "keel rag eval --cranfield ./cranfield --mode hybrid --embedder hashing",
  ],
  "audit keygen": ["keel audit keygen --name acme-audit --out audit.key     prints the public vkey line"],
  "audit verify": [
    "keel audit verify --db keel.db --vkey-file audit.vkey",
    "keel audit verify --db keel.db --vkey-file audit.vkey --checkpoint cp-2026-12.txt --json     exit 3 on any problem",
  ],
  "audit checkpoint": [
    "keel audit checkpoint --db keel.db --tenant acme --key audit.key --name acme-audit --out cp.txt",
  ],
  "audit prove": [
    "keel audit prove --db keel.db --tenant acme --seq 1042",
    "keel audit prove --db keel.db --tenant acme --seq 1042 --from 1000",
  ],
  "audit erase": [
    'keel audit erase --db keel.db --tenant acme --subject user-17 --legal-basis "GDPR Art. 17(1)(a)" --actor dpo',
  ],
  "audit retention": ["keel audit retention --db keel.db --tenant acme --data-class default --days 365"],
  report: [
    "keel report --db keel.db                                 cost, latency, cache and guard tables",
    "keel report --db keel.db --tenant acme --from 2026-12-01 --html report.html --parquet calls.parquet",
  ],
  replay: [
    "keel replay run-42 --db keel.db --tenant acme --app ./replay-app.mjs",
    "keel replay run-42 --db keel.db --tenant acme --app ./replay-app.mjs --base-url http://localhost:11434/v1 --model llama3",
  ],
};

const pathOf = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
};

/** Adds the examples above to their commands (nothing is rendered: it costs nothing at start). */
export function withExamples(program: Command): void {
  const visit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      const examples = EXAMPLES[pathOf(sub)];
      if (examples) sub.addHelpText("after", `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}`);
      visit(sub);
    }
  };
  visit(program);
}

/** The runnable commands whose --help shows no example (for the test that keeps it empty). */
export function commandsWithoutExamples(program: Command): string[] {
  const missing: string[] = [];
  const visit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      if (sub.commands.length > 0) visit(sub);
      else if (!hasOwnExamples(sub)) missing.push(pathOf(sub));
    }
  };
  visit(program);
  return missing;
}

function hasOwnExamples(cmd: Command): boolean {
  let text = "";
  const before = { ...cmd.configureOutput() };
  cmd.configureOutput({ writeOut: (s: string) => (text += s), writeErr: () => undefined });
  cmd.outputHelp();
  cmd.configureOutput(before);
  return /Examples:/.test(text);
}
