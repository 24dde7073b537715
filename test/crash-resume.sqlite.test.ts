// Crash recovery on a real SQLite file: a child process runs a graph and is SIGKILLed mid-run, then a
// second child opens the same file and continues the thread with invoke(null, { thread }). Needs only
// the local filesystem, and the built package: the worker (fixtures/crash-worker.mjs) imports dist/.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, "fixtures", "crash-worker.mjs");
const DIST = path.join(here, "..", "dist", "index.js");
/** How long any single wait on a child may take before the test fails with the child's output. */
const WAIT_MS = 15_000;

type Scenario = "line-block-later" | "line-block-in-step" | "fan-out" | "loop";

interface Snapshot {
  step: number;
  next: string[];
  values: Record<string, any>;
  checkpointId: string;
  parentId: string | null;
  source: string;
}

interface Report {
  event: string;
  [field: string]: any;
}

interface Finished extends Report {
  before: Snapshot | null;
  after: Snapshot;
  state: Record<string, any>;
  /** Newest first. */
  history: Snapshot[];
  /** Nodes the resuming process ran, in start order. */
  ran: string[];
}

interface Worker {
  child: ChildProcess;
  /** The first report with this event; fails if the worker exits first or after WAIT_MS. */
  waitFor(event: string): Promise<Report>;
  /** How the worker ended; fails after WAIT_MS. */
  ended(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const workers: Worker[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-crash-"));
  dirs.push(dir);
  return dir;
}

function startWorker(scenario: Scenario, phase: "crash" | "resume", dir: string): Worker {
  const child = spawn(process.execPath, [WORKER, scenario, phase, dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const reports: Report[] = [];
  let stdout = "";
  let stderr = "";
  let end: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    stdout += `${line}\n`;
    try {
      reports.push(JSON.parse(line) as Report);
    } catch {
      // Not a report (a stray console.log); kept in `stdout` for failure messages.
    }
    notify();
  });
  // "close", not "exit": by then stdout has been read to the end, so no report is missed.
  child.on("close", (code, signal) => {
    end = { code, signal };
    notify();
  });

  const describeChild = () =>
    `worker ${scenario}/${phase}` +
    (end ? ` (ended: code ${end.code}, signal ${end.signal})` : "") +
    `\n--- stderr ---\n${stderr || "(empty)"}\n--- stdout ---\n${stdout || "(empty)"}`;

  function until<T>(what: string, check: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(poll);
        reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what} from ${describeChild()}`));
      }, WAIT_MS);
      function poll() {
        let value: T | undefined;
        let error: unknown;
        try {
          value = check();
        } catch (e) {
          error = e;
        }
        if (value === undefined && error === undefined && !end) return;
        clearTimeout(timer);
        listeners.delete(poll);
        if (value !== undefined) resolve(value);
        else reject(error ?? new Error(`the child ended before ${what}: ${describeChild()}`));
      }
      listeners.add(poll);
      poll();
    });
  }

  const worker: Worker = {
    child,
    waitFor: (event) =>
      until(`a "${event}" report`, () => {
        const found = reports.find((r) => r.event === event);
        if (found) return found;
        const unexpected = reports.find((r) => r.event === "finished-without-crash");
        if (unexpected) throw new Error(`the run completed instead of crashing: ${describeChild()}`);
        return undefined;
      }),
    ended: () => until("the child to end", () => end),
  };
  workers.push(worker);
  return worker;
}

/** Runs the crash phase up to its "ready-to-die" report, SIGKILLs it, and returns that report. */
async function killWhenReady(scenario: Scenario, dir: string): Promise<Report> {
  const first = startWorker(scenario, "crash", dir);
  const ready = await first.waitFor("ready-to-die");
  first.child.kill("SIGKILL");
  expect(await first.ended()).toEqual({ code: null, signal: "SIGKILL" });
  return ready;
}

/** Continues the thread in a new process and returns what it saw. */
async function resume(scenario: Scenario, dir: string): Promise<Finished> {
  const second = startWorker(scenario, "resume", dir);
  const finished = (await second.waitFor("finished")) as Finished;
  expect(await second.ended()).toEqual({ code: 0, signal: null });
  return finished;
}

function ledgerLines(dir: string): string[] {
  const file = path.join(dir, "ledger.txt");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/** The history is one chain: steps newest first, each checkpoint the child of the one after it. */
function expectOneChain(history: Snapshot[], lastStep: number): void {
  expect(history.map((h) => h.step)).toEqual(Array.from({ length: lastStep + 1 }, (_, i) => lastStep - i));
  for (let i = 0; i < history.length - 1; i++)
    expect(history[i]!.parentId).toBe(history[i + 1]!.checkpointId);
}

const LINE = ["load", "price", "charge", "ship", "notify", "close"];

beforeAll(() => {
  if (!fs.existsSync(DIST)) {
    throw new Error(
      `${DIST} is missing: the crash workers run the built package. Run \`npm run build\` first.`,
    );
  }
});

afterEach(() => {
  for (const w of workers.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("crash and resume on a SQLite file", { timeout: 60_000 }, () => {
  it("SIGKILL after a side-effecting node: the resumed run finishes and the side effect happened once", async () => {
    const dir = tempDir();
    const ready = await killWhenReady("line-block-later", dir);
    expect(ready.node).toBe("notify");
    expect(ledgerLines(dir)).toHaveLength(1);

    const { before, state, after, history, ran } = await resume("line-block-later", dir);
    // The ctx.step in "charge" (step 3) committed the checkpoint it ran from (step 2); the checkpoints
    // of steps 3 and 4 are committed by the group-commit timer, which may or may not have fired.
    expect(before).not.toBeNull();
    expect(before!.step).toBeGreaterThanOrEqual(2);
    expect(before!.step).toBeLessThanOrEqual(4);
    expect(before!.next).toEqual([LINE[before!.step]]);
    expect(before!.values.log).toEqual(LINE.slice(0, before!.step));
    // Only what came after the committed checkpoint ran again.
    expect(ran).toEqual(LINE.slice(before!.step));

    const ledger = ledgerLines(dir);
    expect(ledger).toHaveLength(1);
    expect(state).toEqual({ n: 6, log: LINE, receipt: ledger[0] });
    expect(after).toMatchObject({ step: 6, next: [], values: state });
    expectOneChain(history, 6);
    expect(history.map((h) => h.values.log.at(-1) ?? "(input)")).toEqual(
      [...LINE].reverse().concat("(input)"),
    );
  });

  it("SIGKILL inside the node after ctx.step returned: the rerun gets the recorded receipt", async () => {
    const dir = tempDir();
    const ready = await killWhenReady("line-block-in-step", dir);
    expect(ready.node).toBe("charge");
    expect(ledgerLines(dir)).toEqual([ready.receipt]);

    const { before, state, history, ran } = await resume("line-block-in-step", dir);
    // The step's flush committed the checkpoint "charge" started from; nothing after it exists.
    expect(before).toMatchObject({ step: 2, next: ["charge"], values: { n: 2, log: ["load", "price"] } });
    expect(ran).toEqual(["charge", "ship", "notify", "close"]);
    // The receipt the first process generated (random, so it cannot have been made again).
    expect(state).toEqual({ n: 6, log: LINE, receipt: ready.receipt });
    expect(ledgerLines(dir)).toEqual([ready.receipt]);
    expectOneChain(history, 6);
  });

  it("SIGKILL while one of three parallel nodes runs: each side effect once, the join once with all three", async () => {
    const dir = tempDir();
    const ready = await killWhenReady("fan-out", dir);
    expect(ready.node).toBe("p2");
    expect([...ready.ran].sort()).toEqual(["fan", "p0", "p1", "p2"]);
    const sideEffects = ledgerLines(dir);
    expect(sideEffects.map((l) => l.split(":")[0]).sort()).toEqual(["p0", "p1", "p2"]);

    const { before, state, history, ran } = await resume("fan-out", dir);
    expect(before).toMatchObject({ step: 1, next: ["p0", "p1", "p2"] });
    // p0 and p1 finished before the kill, but their writes are only saved when a step fails or
    // pauses, so they run again; their ctx.step results come from the file.
    expect([...ran].sort()).toEqual(["join", "p0", "p1", "p2"]);
    expect(ledgerLines(dir)).toEqual(sideEffects);

    const receipt = (node: string) => sideEffects.find((l) => l.startsWith(`${node}:`));
    const results = ["p0", "p1", "p2"].map(receipt);
    expect(results).toContain(ready.receipt);
    expect(state).toEqual({ results, joined: results, log: ["fan", "p0", "p1", "p2", "join"] });
    expectOneChain(history, 3);
    expect(history[0]!.values.log.filter((n: string) => n === "join")).toHaveLength(1);
  });

  it("SIGKILL at step 120 of a 200-step loop: the resumed run continues from a committed checkpoint", async () => {
    const dir = tempDir();
    const first = startWorker("loop", "crash", dir);
    const killing = await first.waitFor("killing-self");
    expect(killing).toMatchObject({ step: 120, n: 119 });
    expect(await first.ended()).toEqual({ code: null, signal: "SIGKILL" });

    const { before, state, history, ran } = await resume("loop", dir);
    // Group commit loses at most the last few steps (~10 ms of them), never the whole run.
    expect(before).not.toBeNull();
    expect(before!.step).toBeGreaterThan(0);
    expect(before!.step).toBeLessThanOrEqual(119);
    expect(before!.values.n).toBe(before!.step);
    expect(ran).toHaveLength(200 - before!.step);
    expect(state).toEqual({ n: 200 });
    expectOneChain(history, 200);
  });
});
