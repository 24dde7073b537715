#!/usr/bin/env node
// Side-by-side benchmark of Keel's graph engine against LangGraph.js and Mastra workflows.
//
// Run from the repository root after `npm ci && npm run build` there and `npm ci --prefix bench`:
//   node bench/graph/run.mjs [--quick] [--only=line,fanout,cycle,append500] [--storage=memory,sqlite]
//
// stdout: exactly one JSON line per workload (and storage mode). Everything else goes to stderr.
// See bench/README.md for what each workload measures.

import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Peers may log through console.log/info; keep stdout for our JSON lines only.
const log = (...a) => console.error(...a);
console.log = log;
console.info = log;
console.debug = log;
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCH = path.resolve(HERE, "..");
const require = createRequire(path.join(BENCH, "package.json"));

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------
const ALL_WORKLOADS = ["line", "fanout", "cycle", "append500"];
const ALL_STORAGES = ["memory", "sqlite"];
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
function listArg(name, all) {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  if (!a) return all;
  const vals = a
    .slice(name.length + 3)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of vals) {
    if (!all.includes(v)) {
      log(`unknown ${name} "${v}"; expected one of ${all.join(", ")}`);
      process.exit(2);
    }
  }
  return vals;
}
for (const a of argv) {
  if (a !== "--quick" && !a.startsWith("--only=") && !a.startsWith("--storage=")) {
    log(
      `unknown argument ${a}\nusage: node bench/graph/run.mjs [--quick] [--only=${ALL_WORKLOADS.join(",")}] [--storage=memory,sqlite]`,
    );
    process.exit(2);
  }
}
const ONLY = listArg("only", ALL_WORKLOADS);
const STORAGES = listArg("storage", ALL_STORAGES);

const CFG = QUICK
  ? { warmMin: 20, warmBatch: 10, warmExtraMs: 0, rounds: 3, targetMs: 100, minN: 3, maxN: 2000 }
  : // warmMin runs always; more while the batch median still falls by >3% (for up to warmExtraMs).
    { warmMin: 300, warmBatch: 100, warmExtraMs: 6000, rounds: 7, targetMs: 600, minN: 10, maxN: 50000 };

// ---------------------------------------------------------------------------------------------
// Workloads (identical trivial nodes in every engine). `calls` counts node executions; every node
// of every engine increments it, so the check can verify the number of executions too.
// ---------------------------------------------------------------------------------------------
let calls = 0;
const WL = {
  line: { nodes: 5, expect: { n: 5 } },
  fanout: { nodes: 12, expect: { n: 10, hits: 10 } },
  cycle: { nodes: 100, expect: { n: 50, m: 50 } },
  append500: { nodes: 500, expect: { messages: 500 } },
};
const PAR = Array.from({ length: 10 }, (_, i) => `p${i}`);
const LINE = ["a1", "a2", "a3", "a4", "a5"];
const CYCLE_UNTIL = 50;
const APPEND_N = 500;
const MSG = "x".repeat(1024);
const STEP_LIMIT = 1000;

// ---------------------------------------------------------------------------------------------
// Keel
// ---------------------------------------------------------------------------------------------
async function loadKeel() {
  const distIndex = path.resolve(BENCH, "..", "dist", "index.js");
  if (!fs.existsSync(distIndex)) {
    log(`keel: ${distIndex} not found (run \`npm run build\` at the root); Keel is skipped`);
    return null;
  }
  try {
    const K = await import("../../dist/index.js");
    for (const name of ["graph", "START", "END", "sqliteCheckpointer"]) {
      if (K[name] === undefined) throw new Error(`dist/index.js does not export ${name}`);
    }
    // Keel must get a Zod 4 schema from the root's zod (peers may bring other copies).
    const { z } = await import("../../node_modules/zod/index.js");
    return { ...K, z };
  } catch (e) {
    log(`keel: cannot load dist/index.js (${e?.message ?? e}); Keel is skipped`);
    return null;
  }
}

function keelGraph(K, workload, checkpointer) {
  const { graph, START, END, z } = K;
  const opts = { maxSteps: STEP_LIMIT };
  if (checkpointer) opts.checkpointer = checkpointer;
  if (workload === "append500") {
    const state = z.object({ messages: z.array(z.string()).default([]) });
    return graph({ state, reducers: { messages: "append" } })
      .node("step", () => {
        calls++;
        return { messages: [MSG] };
      })
      .edge(START, "step")
      .branch("step", (s) => (s.messages.length < APPEND_N ? "step" : END))
      .compile(opts);
  }
  const state = z.object({
    n: z.number().default(0),
    m: z.number().default(0),
    hits: z.array(z.number()).default([]),
  });
  let g = graph({ state, reducers: { hits: "append" } });
  if (workload === "line") {
    for (const id of LINE) {
      g = g.node(id, (s) => {
        calls++;
        return { n: s.n + 1 };
      });
    }
    g = g.edge(START, LINE[0]);
    for (let i = 0; i + 1 < LINE.length; i++) g = g.edge(LINE[i], LINE[i + 1]);
    g = g.edge(LINE[LINE.length - 1], END);
  } else if (workload === "fanout") {
    g = g.node("src", () => {
      calls++;
      return { n: 1 };
    });
    PAR.forEach((id, i) => {
      g = g.node(id, () => {
        calls++;
        return { hits: [i] };
      });
    });
    g = g.node("join", (s) => {
      calls++;
      return { n: s.hits.length };
    });
    g = g.edge(START, "src");
    for (const id of PAR) g = g.edge("src", id);
    g = g.edge(PAR, "join").edge("join", END);
  } else if (workload === "cycle") {
    g = g
      .node("a", (s) => {
        calls++;
        return { n: s.n + 1 };
      })
      .node("b", (s) => {
        calls++;
        return { m: s.n };
      })
      .edge(START, "a")
      .edge("a", "b")
      .branch("b", (s) => (s.n < CYCLE_UNTIL ? "a" : END));
  }
  return g.compile(opts);
}

// commitEach: the variant with commitIntervalMs 0 (every checkpoint write is its own transaction,
// as in LangGraph's saver) next to Keel's default group commit (commits at most 10 ms apart and
// always before invoke() returns).
async function keelEngine(K, workload, storage, dir, commitEach = false) {
  const file = dir ? path.join(dir, "keel.db") : null;
  const cp =
    storage === "sqlite"
      ? K.sqliteCheckpointer(commitEach ? { path: file, commitIntervalMs: 0 } : { path: file })
      : undefined;
  const g = keelGraph(K, workload, cp);
  let seq = 0;
  const name = commitEach ? "keel_commit_each" : "keel";
  const prefix = `${name}-${workload}-${storage}-`;
  return {
    name,
    dbFile: cp ? path.join(dir, "keel.db") : null,
    lastThread: null,
    run() {
      this.lastThread = prefix + ++seq;
      return g.invoke({}, { thread: this.lastThread });
    },
    async close() {
      await cp?.close?.();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LangGraph.js
// ---------------------------------------------------------------------------------------------
async function loadLangGraph() {
  const LG = await import("@langchain/langgraph");
  const { SqliteSaver } = await import("@langchain/langgraph-checkpoint-sqlite");
  return { ...LG, SqliteSaver };
}

function lgGraph(LG, workload, checkpointer) {
  const { StateGraph, Annotation, START, END } = LG;
  const copts = checkpointer ? { checkpointer } : {};
  if (workload === "append500") {
    const St = Annotation.Root({
      messages: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    return new StateGraph(St)
      .addNode("step", () => {
        calls++;
        return { messages: [MSG] };
      })
      .addEdge(START, "step")
      .addConditionalEdges("step", (s) => (s.messages.length < APPEND_N ? "step" : END), ["step", END])
      .compile(copts);
  }
  const St = Annotation.Root({
    n: Annotation({ reducer: (_a, b) => b, default: () => 0 }),
    m: Annotation({ reducer: (_a, b) => b, default: () => 0 }),
    hits: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });
  let g = new StateGraph(St);
  if (workload === "line") {
    for (const id of LINE) {
      g = g.addNode(id, (s) => {
        calls++;
        return { n: s.n + 1 };
      });
    }
    g = g.addEdge(START, LINE[0]);
    for (let i = 0; i + 1 < LINE.length; i++) g = g.addEdge(LINE[i], LINE[i + 1]);
    g = g.addEdge(LINE[LINE.length - 1], END);
  } else if (workload === "fanout") {
    g = g.addNode("src", () => {
      calls++;
      return { n: 1 };
    });
    PAR.forEach((id, i) => {
      g = g.addNode(id, () => {
        calls++;
        return { hits: [i] };
      });
    });
    g = g.addNode("join", (s) => {
      calls++;
      return { n: s.hits.length };
    });
    g = g.addEdge(START, "src");
    for (const id of PAR) g = g.addEdge("src", id);
    g = g.addEdge(PAR, "join").addEdge("join", END);
  } else if (workload === "cycle") {
    g = g
      .addNode("a", (s) => {
        calls++;
        return { n: s.n + 1 };
      })
      .addNode("b", (s) => {
        calls++;
        return { m: s.n };
      })
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addConditionalEdges("b", (s) => (s.n < CYCLE_UNTIL ? "a" : END), ["a", END]);
  }
  return g.compile(copts);
}

async function lgEngine(LG, workload, storage, dir) {
  const saver =
    storage === "sqlite" ? LG.SqliteSaver.fromConnString(path.join(dir, "langgraph.db")) : undefined;
  const g = lgGraph(LG, workload, saver);
  let seq = 0;
  const prefix = `lg-${workload}-${storage}-`;
  return {
    name: "langgraph",
    dbFile: saver ? path.join(dir, "langgraph.db") : null,
    lastThread: null,
    run() {
      this.lastThread = prefix + ++seq;
      return g.invoke({}, { configurable: { thread_id: this.lastThread }, recursionLimit: STEP_LIMIT });
    },
    async close() {
      saver?.db?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Mastra. A Workflow has a .then() method (it is a thenable): never await it or return it from an
// async function. Workflows are always held in an object ({ wf }).
// ---------------------------------------------------------------------------------------------
async function loadMastra() {
  const W = await import("@mastra/core/workflows");
  const { Mastra } = await import("@mastra/core");
  const { LibSQLStore } = await import("@mastra/libsql");
  const { z } = await import("zod"); // bench's own zod for Mastra's schemas
  return { ...W, Mastra, LibSQLStore, z };
}

// Data flows from step to step in Mastra (a step's output is the next step's input); there is no
// shared state with reducers, so each step returns the whole (tiny) object the next one needs.
function mastraWorkflow(M, workload) {
  const { createWorkflow, createStep, z } = M;
  if (workload === "line") {
    const S = z.object({ n: z.number() });
    const step = (id) =>
      createStep({
        id,
        inputSchema: S,
        outputSchema: S,
        execute: async ({ inputData }) => {
          calls++;
          return { n: inputData.n + 1 };
        },
      });
    let wf = createWorkflow({ id: "line", inputSchema: S, outputSchema: S });
    for (const id of LINE) wf = wf.then(step(id));
    return { wf: wf.commit(), input: () => ({ n: 0 }) };
  }
  if (workload === "fanout") {
    const N = z.object({ n: z.number() });
    const H = z.object({ hits: z.array(z.number()) });
    const src = createStep({
      id: "src",
      inputSchema: z.object({}),
      outputSchema: N,
      execute: async () => {
        calls++;
        return { n: 1 };
      },
    });
    const ps = PAR.map((id, i) =>
      createStep({
        id,
        inputSchema: N,
        outputSchema: H,
        execute: async () => {
          calls++;
          return { hits: [i] };
        },
      }),
    );
    // .parallel() hands the next step { p0: output, ..., p9: output }; join concatenates the lists
    // (the equivalent of the append reducer) and counts them.
    const join = createStep({
      id: "join",
      inputSchema: z.object(Object.fromEntries(PAR.map((id) => [id, H]))),
      outputSchema: z.object({ n: z.number(), hits: z.array(z.number()) }),
      execute: async ({ inputData }) => {
        calls++;
        const hits = [];
        for (const id of PAR) hits.push(...inputData[id].hits);
        return { n: hits.length, hits };
      },
    });
    const wf = createWorkflow({ id: "fanout", inputSchema: z.object({}), outputSchema: join.outputSchema })
      .then(src)
      .parallel(ps)
      .then(join)
      .commit();
    return { wf, input: () => ({}) };
  }
  if (workload === "cycle") {
    const NM = z.object({ n: z.number(), m: z.number() });
    const a = createStep({
      id: "a",
      inputSchema: NM,
      outputSchema: NM,
      execute: async ({ inputData }) => {
        calls++;
        return { n: inputData.n + 1, m: inputData.m };
      },
    });
    const b = createStep({
      id: "b",
      inputSchema: NM,
      outputSchema: NM,
      execute: async ({ inputData }) => {
        calls++;
        return { n: inputData.n, m: inputData.n };
      },
    });
    // A loop body of two steps has to be a nested workflow (a .then(b)); .dowhile runs it, then
    // checks the condition on its output: do { a; b } while (n < 50).
    const body = createWorkflow({ id: "cycle-body", inputSchema: NM, outputSchema: NM })
      .then(a)
      .then(b)
      .commit();
    const wf = createWorkflow({ id: "cycle", inputSchema: NM, outputSchema: NM })
      .dowhile(body, async ({ inputData }) => inputData.n < CYCLE_UNTIL)
      .commit();
    return { wf, input: () => ({ n: 0, m: 0 }) };
  }
  if (workload === "append500") {
    const S = z.object({ messages: z.array(z.string()) });
    const step = createStep({
      id: "step",
      inputSchema: S,
      outputSchema: S,
      execute: async ({ inputData }) => {
        calls++;
        return { messages: inputData.messages.concat([MSG]) };
      },
    });
    const wf = createWorkflow({ id: "append500", inputSchema: S, outputSchema: S })
      .dowhile(step, async ({ inputData }) => inputData.messages.length < APPEND_N)
      .commit();
    return { wf, input: () => ({ messages: [] }) };
  }
  throw new Error(`no Mastra model for ${workload}`);
}

async function mastraEngine(M, workload, storage, dir) {
  const built = mastraWorkflow(M, workload);
  const h = { wf: built.wf };
  let store = null;
  const dbFile = dir ? path.join(dir, "mastra.db") : null;
  if (storage === "sqlite") {
    store = new M.LibSQLStore({ id: "bench", url: `file:${dbFile}` });
    const mastra = new M.Mastra({ storage: store, workflows: { bench: built.wf }, logger: false });
    h.wf = mastra.getWorkflow("bench");
    await store.init();
  }
  const input = built.input;
  return {
    name: "mastra",
    dbFile,
    lastThread: null,
    async run() {
      const run = await h.wf.createRun();
      this.lastThread = run.runId;
      const res = await run.start({ inputData: input() });
      if (res.status !== "success") {
        throw new Error(
          `mastra run ${res.status}: ${res.error?.message ?? JSON.stringify(res.error ?? res).slice(0, 300)}`,
        );
      }
      return res.result;
    },
    async close() {
      await store?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers
// ---------------------------------------------------------------------------------------------
function median(xs) {
  const s = Float64Array.from(xs).sort();
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}
const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const load = () => os.loadavg().map(r2);

async function timeRuns(eng, n) {
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await eng.run();
    ts[i] = Number(process.hrtime.bigint() - t0) / 1e3; // µs
  }
  return ts;
}

// At least warmMin runs (batches of warmBatch); then more batches, each sized to take about 1 s, while
// the batch median still falls by more than 3% against the best earlier batch, for at most
// warmExtraMs more.
async function warmUp(eng) {
  const meds = [];
  let runs = 0;
  while (runs < CFG.warmMin) {
    const ts = await timeRuns(eng, Math.min(CFG.warmBatch, CFG.warmMin - runs));
    runs += ts.length;
    meds.push(median(ts));
  }
  const t0 = Date.now();
  for (;;) {
    const last = meds[meds.length - 1];
    const bestBefore = meds.length > 1 ? Math.min(...meds.slice(0, -1)) : Number.POSITIVE_INFINITY;
    const n = Math.max(20, Math.min(CFG.warmBatch, Math.round(1e6 / last)));
    const stillFalling = last < bestBefore * 0.97;
    if (!stillFalling || Date.now() - t0 + (n * last) / 1e3 > CFG.warmExtraMs)
      return { runs, medianUs: last };
    const ts = await timeRuns(eng, n);
    runs += ts.length;
    meds.push(median(ts));
  }
}

function checkResult(engName, workload, out) {
  const exp = WL[workload].expect;
  const got = {};
  if ("n" in exp) got.n = out?.n;
  if ("m" in exp) got.m = out?.m;
  if ("hits" in exp) got.hits = Array.isArray(out?.hits) ? out.hits.length : out?.hits;
  if ("messages" in exp) got.messages = Array.isArray(out?.messages) ? out.messages.length : out?.messages;
  got.node_executions = calls;
  const want = { ...exp, node_executions: WL[workload].nodes };
  const bad = Object.keys(want).filter((k) => got[k] !== want[k]);
  if (bad.length) {
    log(
      `\nABORT: ${engName} computed a wrong result for ${workload}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
    );
    process.exit(1);
  }
}

async function checkOnce(eng, workload, storage) {
  calls = 0;
  let out;
  try {
    out = await eng.run();
  } catch (e) {
    log(`\nABORT: ${eng.name} failed on ${workload}/${storage}: ${e?.stack ?? e}`);
    process.exit(1);
  }
  checkResult(eng.name, workload, out);
  return out;
}

function tmpDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `keel-bench-${tag}-`));
}

// ---------------------------------------------------------------------------------------------
// Timed workloads: line, fanout, cycle
// ---------------------------------------------------------------------------------------------
async function timedWorkload(engines, workload, storage) {
  const loadStart = load();
  const dirs = [];
  const engs = [];
  for (const [name, make] of engines) {
    if (name === "keel_commit_each" && storage !== "sqlite") continue;
    const dir = storage === "sqlite" ? tmpDir(`${workload}-${name}`) : null;
    if (dir) dirs.push(dir);
    engs.push(await make(workload, storage, dir));
  }
  for (const eng of engs) await checkOnce(eng, workload, storage);

  const N = {};
  const warmRuns = {};
  for (const eng of engs) {
    const t0 = Date.now();
    const w = await warmUp(eng);
    warmRuns[eng.name] = w.runs;
    N[eng.name] = Math.max(CFG.minN, Math.min(CFG.maxN, Math.round((CFG.targetMs * 1000) / w.medianUs)));
    log(
      `  ${workload}/${storage} ${eng.name}: warm-up ${w.runs} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
        `last batch median ${(w.medianUs / WL[workload].nodes).toFixed(1)} µs/step -> ${N[eng.name]} runs/round`,
    );
  }

  const roundMeds = Object.fromEntries(engs.map((e) => [e.name, []]));
  for (let r = 0; r < CFG.rounds; r++) {
    for (const eng of engs) {
      const ts = await timeRuns(eng, N[eng.name]);
      roundMeds[eng.name].push(median(ts));
    }
    log(
      `  ${workload}/${storage} round ${r + 1}/${CFG.rounds}: ` +
        engs.map((e) => `${e.name} ${(roundMeds[e.name][r] / WL[workload].nodes).toFixed(1)}`).join(", ") +
        " µs/step",
    );
  }
  for (const eng of engs) await eng.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });

  const nodes = WL[workload].nodes;
  const names = engs.map((e) => e.name);
  const cols =
    storage === "sqlite" && names.includes("keel_commit_each")
      ? ["keel", "keel_commit_each", "langgraph", "mastra"]
      : ["keel", "langgraph", "mastra"];
  const us = {};
  const range = {};
  const runs = {};
  for (const name of cols) {
    const meds = roundMeds[name];
    us[name] = meds ? median(meds) / nodes : null;
    range[name] = meds ? [r1(Math.min(...meds) / nodes), r1(Math.max(...meds) / nodes)] : null;
    runs[name] = N[name] ?? null;
  }
  const ratio = (a, b) => (us[a] && us[b] ? r2(us[a] / us[b]) : null);
  const out = {
    workload,
    storage,
    nodes,
    us_per_step: Object.fromEntries(cols.map((c) => [c, r1(us[c])])),
    ratio: { langgraph_over_keel: ratio("langgraph", "keel"), mastra_over_keel: ratio("mastra", "keel") },
    runs,
    rounds: CFG.rounds,
  };
  if (cols.includes("keel_commit_each")) {
    out.ratio.langgraph_over_keel_commit_each = ratio("langgraph", "keel_commit_each");
    out.ratio.mastra_over_keel_commit_each = ratio("mastra", "keel_commit_each");
  }
  out.warmup_runs = warmRuns;
  out.round_range_us_per_step = range;
  out.loadavg = { start: loadStart, end: load() };
  emit(out);
}

// ---------------------------------------------------------------------------------------------
// append500: one run per engine, checkpoint bytes on SQLite
// ---------------------------------------------------------------------------------------------
function fileBytes(f) {
  let total = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      total += fs.statSync(f + suffix).size;
    } catch {}
  }
  return total;
}

// Keel's tables (src/graph/sqlite-checkpointer.ts): checkpoints and pending writes.
// LENGTH(CAST(x AS BLOB)) counts bytes whether the column holds TEXT (Keel, Mastra) or BLOB (LangGraph).
const bytesOf = (col) => `COALESCE(LENGTH(CAST(${col} AS BLOB)), 0)`;
const KEEL_BYTES_SQL = [
  `SELECT COALESCE(SUM(${bytesOf("data")} + ${bytesOf("meta")}), 0) AS b, COUNT(*) AS c FROM keel_checkpoints WHERE thread = ?`,
  `SELECT COALESCE(SUM(${bytesOf("data")}), 0) AS b, COUNT(*) AS c FROM keel_writes WHERE thread = ?`,
];
const LG_BYTES_SQL = [
  `SELECT COALESCE(SUM(${bytesOf("checkpoint")} + ${bytesOf("metadata")}), 0) AS b, COUNT(*) AS c FROM checkpoints WHERE thread_id = ?`,
  `SELECT COALESCE(SUM(${bytesOf("value")}), 0) AS b, COUNT(*) AS c FROM writes WHERE thread_id = ?`,
];
// Mastra keeps one snapshot row per run (and per nested workflow), upserted as the run goes on.
const MASTRA_BYTES_SQL = [
  `SELECT COALESCE(SUM(${bytesOf("snapshot")}), 0) AS b, COUNT(*) AS c FROM mastra_workflow_snapshot WHERE run_id = ?`,
];

function storedBytes(dbFile, sqls, thread) {
  const Database = require("better-sqlite3");
  const db = new Database(dbFile);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    let bytes = 0;
    let rows = 0;
    for (const sql of sqls) {
      const r = db.prepare(sql).get(thread);
      bytes += Number(r.b);
      rows += Number(r.c);
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
    return { bytes, rows };
  } finally {
    db.close();
  }
}

async function append500(engines) {
  const workload = "append500";
  const loadStart = load();
  const res = {
    checkpoint_bytes: {},
    checkpoint_rows: {},
    final_state_bytes: {},
    bytes_over_final: {},
    db_file_bytes: {},
    run_ms: {},
  };
  for (const k of Object.keys(res)) for (const n of ["keel", "langgraph", "mastra"]) res[k][n] = null;
  const sqlFor = { keel: KEEL_BYTES_SQL, langgraph: LG_BYTES_SQL, mastra: MASTRA_BYTES_SQL };
  for (const [name, make] of engines) {
    if (name === "keel_commit_each") continue; // same bytes as keel
    const dir = tmpDir(`${workload}-${name}`);
    const eng = await make(workload, "sqlite", dir);
    calls = 0;
    const t0 = process.hrtime.bigint();
    let out;
    try {
      out = await eng.run();
    } catch (e) {
      log(`\nABORT: ${name} failed on ${workload}: ${e?.stack ?? e}`);
      process.exit(1);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    checkResult(name, workload, out);
    const thread = eng.lastThread;
    await eng.close();
    const { bytes, rows } = storedBytes(eng.dbFile, sqlFor[name], thread);
    const finalBytes = Buffer.byteLength(JSON.stringify(out));
    res.checkpoint_bytes[name] = bytes;
    res.checkpoint_rows[name] = rows;
    res.final_state_bytes[name] = finalBytes;
    res.bytes_over_final[name] = r2(bytes / finalBytes);
    res.db_file_bytes[name] = fileBytes(eng.dbFile);
    res.run_ms[name] = r1(ms);
    log(
      `  append500 ${name}: ${r1(ms)} ms, ${bytes} checkpoint bytes in ${rows} rows, final state ${finalBytes} B, db file ${res.db_file_bytes[name]} B`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  emit({
    workload,
    storage: "sqlite",
    nodes: WL[workload].nodes,
    message_bytes: MSG.length,
    ...res,
    note:
      "one cold run per engine, fresh DB file each. checkpoint_bytes: keel = keel_checkpoints data+meta and keel_writes data; " +
      "langgraph = checkpoints checkpoint+metadata and writes value; mastra = mastra_workflow_snapshot.snapshot, which holds only " +
      "the latest snapshot of the run (upserted each step, no checkpoint history). db_file_bytes = main file + -wal after " +
      "PRAGMA wal_checkpoint(TRUNCATE) (Mastra's file also holds its ~45 other, empty tables).",
    loadavg: { start: loadStart, end: load() },
  });
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------
function version(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(BENCH, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "missing";
  }
}

const tStart = Date.now();
log(
  `graph bench${QUICK ? " (quick)" : ""}: node ${process.version}, ${os.cpus().length} cpus, loadavg ${load().join(" ")}; ` +
    [
      "@langchain/langgraph",
      "@langchain/core",
      "@langchain/langgraph-checkpoint-sqlite",
      "better-sqlite3",
      "@mastra/core",
      "@mastra/libsql",
    ]
      .map((p) => `${p}@${version(p)}`)
      .join(" "),
);
const K = await loadKeel();
const LG = await loadLangGraph();
const M = await loadMastra();
const engines = [];
if (K) {
  engines.push(["keel", (w, s, d) => keelEngine(K, w, s, d)]);
  engines.push(["keel_commit_each", (w, s, d) => keelEngine(K, w, s, d, true)]);
}
engines.push(["langgraph", (w, s, d) => lgEngine(LG, w, s, d)]);
engines.push(["mastra", (w, s, d) => mastraEngine(M, w, s, d)]);

for (const workload of ONLY) {
  if (workload === "append500") {
    if (!STORAGES.includes("sqlite")) continue;
    log(`append500/sqlite`);
    await append500(engines);
    continue;
  }
  for (const storage of STORAGES) {
    log(`${workload}/${storage}`);
    await timedWorkload(engines, workload, storage);
  }
}
log(`done in ${((Date.now() - tStart) / 1000).toFixed(0)} s, loadavg ${load().join(" ")}`);
process.exit(0);
