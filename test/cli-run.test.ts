// `keel run` driven in-process on a fresh commander program (no build needed): the configuration is a
// keel.config.ts written to a temporary folder, loaded through jiti as `keel run --config` loads it.
import fs from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { addRunCommand } from "../src/cli/run.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const tempDir = useTempDirs("keel-cli-run-");

/** A folder with a keel.config.ts of three workflows and its store; `declined` makes `charge` fail. */
function project() {
  const dir = tempDir();
  const declined = path.join(dir, "declined");
  const src = (p: string) => JSON.stringify(path.join(root, p));
  fs.writeFileSync(
    path.join(dir, "keel.config.ts"),
    `import fs from "node:fs";
import { z } from ${src("node_modules/zod/index.js")};
import { END, START, graph } from ${src("src/graph/index.ts")};

const Order = z.object({ item: z.string(), qty: z.number().int().positive(), total: z.number().default(0), approved: z.boolean().default(false) });
export default {
  store: { path: ${JSON.stringify(path.join(dir, "keel.db"))} },
  workflows: {
    price: {
      description: "prices an order",
      input: z.object({ item: z.string().min(1), qty: z.number().int().positive() }),
      graph: (deps) => graph({ state: Order })
        .node("price", (o, ctx) => { ctx.emit({ pricing: o.item }); return { total: o.qty * 3 }; })
        .edge(START, "price").edge("price", END)
        .compile({ checkpointer: deps.checkpointer }),
    },
    approve: {
      graph: (deps) => graph({ state: Order })
        .node("ask", async (o, ctx) => ({ approved: await ctx.interrupt({ question: "Ship " + o.qty + " " + o.item + "?" }) }))
        .node("total", (o) => ({ total: o.approved ? o.qty * 3 : 0 }))
        .edge(START, "ask").edge("ask", "total").edge("total", END)
        .compile({ checkpointer: deps.checkpointer }),
    },
    charge: {
      graph: (deps) => graph({ state: Order })
        .node("price", (o) => ({ total: o.qty * 3 }))
        .node("charge", () => { if (fs.existsSync(${JSON.stringify(declined)})) throw new Error("card declined"); return { approved: true }; })
        .edge(START, "price").edge("price", "charge").edge("charge", END)
        .compile({ checkpointer: deps.checkpointer }),
    },
  },
};
`,
  );
  return { config: path.join(dir, "keel.config.ts"), declined };
}

async function keel(args: string[]) {
  let stdout = "";
  let stderr = "";
  let code: number | undefined;
  const program = new Command()
    .name("keel")
    .exitOverride()
    .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  addRunCommand(program, {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    exit: (c) => {
      code = c;
    },
  });
  try {
    await program.parseAsync(["run", ...args], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  }
  return { stdout, stderr, code };
}

describe("keel run", () => {
  it("runs a workflow to completion, as text or as one JSON event per line", async () => {
    const { config } = project();
    const text = await keel(["price", "--config", config, "--input", '{"item":"mug","qty":2}']);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^price · run run_\S+ · thread run_\S+\n/);
    expect(text.stdout).toContain("step 1: price");
    expect(text.stdout).toContain('· price: {"pricing":"mug"}');
    expect(text.stdout).toContain("✓ completed at step 1");
    expect(text.stdout).toContain('"total": 6');

    const json = await keel(["price", "--config", config, "--input", '{"item":"cup","qty":5}', "--json"]);
    expect(json.code).toBe(0);
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual([
      "run-start",
      "step-start",
      "node-start",
      "custom",
      "node-end",
      "run-end",
    ]);
    expect(lines.at(-1)).toMatchObject({ status: "completed", state: { item: "cup", qty: 5, total: 15 } });
  });

  it("exits 4 at an interrupt, prints how to resume, and completes when resumed with the answer", async () => {
    const { config } = project();
    const paused = await keel([
      "approve",
      "--config",
      config,
      "--thread",
      "order-9",
      "--input",
      '{"item":"lamp","qty":1}',
    ]);
    expect(paused.code).toBe(4);
    expect(paused.stdout).toContain('ask asks: {"question":"Ship 1 lamp?"}');
    const hint = paused.stdout.match(/to resume: (keel run .*)$/m)?.[1];
    expect(hint).toBe(`keel run approve --thread order-9 --config ${config} --resume '<JSON>'`);

    const again = await keel([
      "approve",
      "--config",
      config,
      "--thread",
      "order-9",
      "--input",
      '{"item":"lamp","qty":1}',
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("paused at an interrupt");

    const resumed = await keel([
      "approve",
      "--thread",
      "order-9",
      "--config",
      config,
      "--resume",
      "true",
      "--json",
    ]);
    expect(resumed.code).toBe(0);
    const end = JSON.parse(resumed.stdout.trim().split("\n").at(-1)!);
    expect(end).toMatchObject({ status: "completed", state: { approved: true, total: 3 } });
  });

  it("exits 3 when the run fails, and continues the thread from its last checkpoint once fixed", async () => {
    const { config, declined } = project();
    fs.writeFileSync(declined, "");
    const failed = await keel([
      "charge",
      "--config",
      config,
      "--thread",
      "t1",
      "--input",
      '{"item":"desk","qty":1}',
    ]);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain("NODE_FAILED");
    expect(failed.stderr).toContain("card declined");
    expect(failed.stderr).toContain(`keel run charge --thread t1 --config ${config} --continue`);

    fs.rmSync(declined);
    const continued = await keel(["charge", "--config", config, "--thread", "t1", "--continue"]);
    expect(continued.code).toBe(0);
    expect(continued.stdout).toContain("from step 1");
    expect(continued.stdout).not.toContain("step 1: price");
    expect(continued.stdout).toContain('"approved": true');
  });

  it("exits 2 for an unknown workflow, JSON that does not parse and input the workflow refuses", async () => {
    const { config } = project();
    const unknown = await keel(["nope", "--config", config, "--input", "{}"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'UNKNOWN_WORKFLOW: No workflow "nope"; this server has: price, approve, charge',
    );

    const badJson = await keel(["price", "--config", config, "--input", "{item: mug}"]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain("--input must be JSON");

    const badInput = await keel(["price", "--config", config, "--input", '{"item":"mug","qty":0}']);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toContain("input.qty");

    const nothing = await keel(["price", "--config", config]);
    expect(nothing.code).toBe(2);
    const noThread = await keel(["approve", "--config", config, "--resume", "true"]);
    expect(noThread.code).toBe(2);
    expect(noThread.stderr).toContain("--thread");
  });

  it("has help with examples", async () => {
    const help = await keel(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--resume <json>");
    expect(help.stdout).toContain("4 interrupted");
  });
});
