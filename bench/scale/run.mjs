#!/usr/bin/env node
// Scale-out on PostgreSQL (issue 8): workflow steps per second with 1, 2 and 4 worker processes
// against one PostgreSQL, Keel's queue and checkpointer side by side with DBOS in the same run, and
// the latency of one checkpoint write.
//
// Run from the repository root after `npm ci && npm run build`:
//   node bench/scale/run.mjs [--n 500] [--k 10] [--workers 1,2,4] [--rounds 3] [--only keel|dbos]
//        [--concurrency 8] [--dbos-poll-ms 1] [--keel-poll-ms 1000] [--latency 5000] [--profile]
//        [--url postgres://postgres@127.0.0.1:5432/test]
// stdout: one JSON line per measurement, then a summary line; progress on stderr.
//
// Every point gets a fresh database, dropped afterwards. Workers start on an empty queue and are
// given 1.5 s to settle (DBOS recovers and polls after launch); the clock starts at the first
// enqueue and stops at the last completion the database records (Keel's ended_at, DBOS's
// completed_at). Enqueueing (8 at a time, through each system's own client) is inside the window.

import { fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DBOS, DBOSClient } from "@dbos-inc/dbos-sdk";
import pg from "pg";
import { postgresCheckpointer } from "../../dist/graph/index.js";
import { openRunQueue } from "../../dist/queue/index.js";
import { emit, log, median, round } from "../common.mjs";
import { expectedSum, latencySummary } from "./shared.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return fallback;
  const a = args[i];
  if (a.includes("=")) return a.slice(a.indexOf("=") + 1);
  const next = args[i + 1];
  return next === undefined || next.startsWith("--") ? true : next;
}

const N = Number(option("n", 500));
const K = Number(option("k", 10));
const WORKERS = String(option("workers", "1,2,4")).split(",").map(Number);
const ROUNDS = Number(option("rounds", 3));
const ONLY = option("only", null);
const CONCURRENCY = Number(option("concurrency", 8));
const DBOS_POLL_MS = Number(option("dbos-poll-ms", 1));
const KEEL_POLL_MS = Number(option("keel-poll-ms", 1000));
const LATENCY = Number(option("latency", 5000));
const PROFILE = option("profile", false) === true;
const ADMIN_URL = option("url", "postgres://postgres@127.0.0.1:5432/test");
const ENQUEUERS = 8;
const SETTLE_MS = 1500;
const TIMEOUT_MS = 10 * 60_000;

const SYSTEMS = [
  { name: "keel-one-node", kind: "keel", shape: "one-node" },
  { name: "keel-k-nodes", kind: "keel", shape: "k-nodes" },
  { name: "dbos", kind: "dbos" },
].filter((s) => !ONLY || s.kind === ONLY);

// ------------------------------------------------------------------ databases and cleanup

const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
const PREFIX = "keel_scale_bench_";
const created = new Set();
const children = new Set();

function dbUrl(name) {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** DBOS's migration (it creates the database), its progress lines sent to stderr, not stdout. */
async function dbosMigrate(name) {
  const print = console.log;
  console.log = (...a) => log(...a);
  try {
    await DBOS.migrate(dbUrl(name));
  } finally {
    console.log = print;
  }
  created.add(name);
}

async function dropDatabase(name) {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  created.delete(name);
}

async function cleanup() {
  for (const c of children) c.kill("SIGKILL");
  for (const name of [...created]) await dropDatabase(name).catch((e) => log(`drop ${name}: ${e.message}`));
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    log(`${signal}: cleaning up`);
    await cleanup();
    process.exit(130);
  });
}

// Leftovers of an earlier run of this script that was killed before it could clean up.
{
  const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${PREFIX}%`]);
  for (const r of rows) {
    created.add(r.datname);
    await dropDatabase(r.datname);
  }
}

// ------------------------------------------------------------------ processes

function spawnWorker(kind, config) {
  const child = fork(path.join(here, `${kind}-worker.mjs`), [JSON.stringify(config)], {
    // Whatever a worker prints goes to stderr: stdout carries only our JSON lines.
    stdio: ["ignore", 2, "pipe", "ipc"],
  });
  children.add(child);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    // pg's deprecation warning about concurrent client.query() comes from DBOS; the rest is shown.
    for (const line of d.split("\n")) {
      if (!line.trim() || /DeprecationWarning|trace-deprecation/.test(line)) continue;
      stderr += `${line}\n`;
      log(`[${kind}-worker ${child.pid}] ${line}`);
    }
  });
  const messages = [];
  const waiters = [];
  child.on("message", (m) => {
    const w = waiters.findIndex((x) => x.type === m.type);
    if (w === -1) messages.push(m);
    else waiters.splice(w, 1)[0].resolve(m);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve)).then(() => children.delete(child));
  return {
    child,
    exited,
    next(type, timeoutMs = 60_000) {
      const i = messages.findIndex((m) => m.type === type);
      if (i !== -1) return Promise.resolve(messages.splice(i, 1)[0]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${kind} worker sent no "${type}" in ${timeoutMs} ms. ${stderr}`)),
          timeoutMs,
        );
        child.once("exit", (code) =>
          reject(new Error(`${kind} worker exited (${code}) before "${type}". ${stderr}`)),
        );
        waiters.push({
          type,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}

/** CPU time (ms) of the whole machine, and of every PostgreSQL process, from /proc. */
function cpuNow() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.reduce((a, b) => a + b, 0);
  const tick = 10; // USER_HZ = 100 on Linux
  let postgres = 0;
  for (const pid of readdirNumeric("/proc")) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (comm !== "postgres") continue;
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      postgres += (Number(rest[11]) + Number(rest[12])) * tick;
    } catch {}
  }
  return { busy: (total - idle) * tick, total: total * tick, postgres };
}

function readdirNumeric(dir) {
  return readdirSync(dir).filter((d) => /^\d+$/.test(d));
}

// ------------------------------------------------------------------ one point: a system, W workers

async function enqueueAll(enqueue) {
  let next = 0;
  await Promise.all(
    Array.from({ length: ENQUEUERS }, async () => {
      while (next < N) await enqueue(next++);
    }),
  );
}

async function waitUntilDone(progress) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const p = await progress();
    if (p.done + p.failed >= N) return p;
    if (Date.now() > deadline) throw new Error(`timed out with ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function keelPoint(system, W, db, countQueries) {
  const url = dbUrl(db);
  // Tables created here, once, before any worker starts (workers would otherwise queue on the
  // migration lock at start).
  const queue = await openRunQueue({ url });
  await (await postgresCheckpointer({ db: queue.db })).close();
  const workers = Array.from({ length: W }, () =>
    spawnWorker("keel", {
      mode: "serve",
      url,
      shape: system.shape,
      k: K,
      concurrency: CONCURRENCY,
      pollMs: KEEL_POLL_MS,
      countQueries,
    }),
  );
  try {
    return await measure(workers, {
      enqueue: (i) => queue.enqueue({ workflow: "scale", input: { i } }),
      async progress() {
        const { rows } = await queue.db.query(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS done,
                  count(*) FILTER (WHERE status IN ('failed', 'cancelled'))::int AS failed,
                  (extract(epoch FROM max(ended_at)) * 1000)::float8 AS last
           FROM keel_queue`,
        );
        return rows[0];
      },
      async check() {
        const { rows } = await queue.db.query(
          `SELECT (SELECT count(*)::int FROM keel_queue WHERE status = 'completed' AND (output::jsonb->>'sum')::int = $1) AS right_outputs,
                  (SELECT count(*)::int FROM keel_writes WHERE kind = 'step') AS step_records,
                  (SELECT count(*)::int FROM keel_checkpoints) AS checkpoints,
                  (SELECT count(*)::int FROM keel_queue_events) AS events`,
          [expectedSum(K)],
        );
        return rows[0];
      },
    });
  } finally {
    await queue.close();
  }
}

async function dbosPoint(_system, W, db, countQueries) {
  const url = dbUrl(db);
  // The system database is created and migrated here, once, before any worker launches.
  await dbosMigrate(db);
  // The client's pool is ours, so that it is closed (not merely released) before the drop.
  const status = new pg.Pool({ connectionString: url, max: 10 });
  status.on("error", () => undefined);
  const client = await DBOSClient.create({
    systemDatabaseUrl: url,
    systemDatabasePool: status,
    applicationName: "scale",
  });
  const workers = Array.from({ length: W }, (_, w) =>
    spawnWorker("dbos", {
      mode: "serve",
      url,
      executorId: `scale-${w}`,
      k: K,
      concurrency: CONCURRENCY,
      pollMs: DBOS_POLL_MS,
      countQueries,
    }),
  );
  try {
    return await measure(workers, {
      enqueue: (i) =>
        client.enqueue({ queueName: "scale", workflowName: "scale", appVersion: "bench" }, { i }),
      async progress() {
        const { rows } = await status.query(
          `SELECT count(*) FILTER (WHERE status = 'SUCCESS')::int AS done,
                  count(*) FILTER (WHERE status NOT IN ('SUCCESS', 'ENQUEUED', 'PENDING'))::int AS failed,
                  max(completed_at)::float8 AS last
           FROM dbos.workflow_status WHERE queue_name = 'scale'`,
        );
        return rows[0];
      },
      async check() {
        // Outputs are serialized by DBOS (JSON text): a completed workflow's has the right sum.
        const { rows } = await status.query(
          `SELECT (SELECT count(*)::int FROM dbos.workflow_status s JOIN dbos.workflow_output o USING (workflow_uuid)
                     WHERE s.status = 'SUCCESS' AND o.output LIKE $1) AS right_outputs,
                  (SELECT count(*)::int FROM dbos.operation_outputs) AS step_records`,
          [`%"sum":${expectedSum(K)}%`],
        );
        return rows[0];
      },
    });
  } finally {
    await client.destroy();
    await status.end();
  }
}

async function measure(workers, { enqueue, progress, check }) {
  try {
    await Promise.all(workers.map((w) => w.next("ready")));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const cpu0 = cpuNow();
    const t0 = Date.now();
    await enqueueAll(enqueue);
    const enqueuedMs = Date.now() - t0;
    const p = await waitUntilDone(progress);
    const cpu1 = cpuNow();
    const elapsedMs = p.last - t0;
    const stats = await Promise.all(
      workers.map(async (w) => {
        w.child.send({ type: "stop" });
        const s = await w.next("stats");
        await w.exited;
        return s;
      }),
    );
    const checks = await check();
    const steps = N * K;
    const windowMs = cpu1.total - cpu0.total;
    const queries = {};
    for (const s of stats)
      for (const [q, c] of Object.entries(s.queries ?? {})) queries[q] = (queries[q] ?? 0) + c;
    return {
      elapsedMs,
      enqueuedMs,
      stepsPerSecond: (steps / elapsedMs) * 1000,
      failed: p.failed,
      checks,
      cpu: {
        machineBusy: round((cpu1.busy - cpu0.busy) / windowMs, 3),
        workersMsPerStep: round(stats.reduce((a, s) => a + s.cpuMs, 0) / steps, 4),
        postgresMsPerStep: round((cpu1.postgres - cpu0.postgres) / steps, 4),
      },
      step: latencySummary(stats.flatMap((s) => s.stepMs)),
      queries,
    };
  } finally {
    for (const w of workers) w.child.kill("SIGKILL");
  }
}

async function point(system, W, r, { countQueries = false } = {}) {
  const db = `${PREFIX}${system.name.replace(/-/g, "_")}_w${W}_r${r}`;
  if (system.kind === "keel") {
    await admin.query(`CREATE DATABASE ${db}`);
    created.add(db);
  }
  try {
    return await (system.kind === "keel" ? keelPoint : dbosPoint)(system, W, db, countQueries);
  } catch (error) {
    log(`${system.name} W=${W}: ${error?.stack ?? error}`);
    throw error;
  } finally {
    await dropDatabase(db);
  }
}

// ------------------------------------------------------------------ the run

const results = new Map(); // `${system}|${W}` → [stepsPerSecond per round]
try {
  log(`scale: N=${N} K=${K} workers=${WORKERS} rounds=${ROUNDS} concurrency=${CONCURRENCY}`);
  for (let r = 1; r <= ROUNDS; r++) {
    for (const W of WORKERS) {
      // The systems take turns within a round, so a noisy minute hurts them alike.
      const order = r % 2 ? SYSTEMS : [...SYSTEMS].reverse();
      for (const system of order) {
        const m = await point(system, W, r);
        const key = `${system.name}|${W}`;
        results.set(key, [...(results.get(key) ?? []), m.stepsPerSecond]);
        const { queries: _q, ...rest } = m;
        emit({
          bench: "scale-throughput",
          system: system.name,
          workers: W,
          round: r,
          n: N,
          k: K,
          ...rest,
          stepsPerSecond: round(m.stepsPerSecond, 1),
        });
        log(`round ${r} W=${W} ${system.name}: ${m.stepsPerSecond.toFixed(0)} steps/s`);
        if (m.failed > 0 || m.checks.right_outputs !== N)
          throw new Error(`${system.name} W=${W}: wrong outcome ${JSON.stringify(m.checks)}`);
      }
    }
  }

  if (PROFILE) {
    // One more point per system with every statement counted (the counting itself costs time).
    for (const system of SYSTEMS) {
      const m = await point(system, 1, 0, { countQueries: true });
      const total = Object.values(m.queries).reduce((a, b) => a + b, 0);
      const top = Object.entries(m.queries)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([q, c]) => ({ perStep: round(c / (N * K), 3), statement: q }));
      emit({
        bench: "scale-statements",
        system: system.name,
        workers: 1,
        statementsPerStep: round(total / (N * K), 3),
        statementsPerWorkflow: round(total / N, 2),
        top,
      });
    }
  }

  // Checkpoint write latency: one process, one write at a time, fresh databases.
  const latency = {};
  if (LATENCY > 0) {
    for (const kind of ["keel", "dbos"].filter((k) => !ONLY || k === ONLY)) {
      const db = `${PREFIX}${kind}_latency`;
      if (kind === "keel") {
        await admin.query(`CREATE DATABASE ${db}`);
        created.add(db);
      } else {
        await dbosMigrate(db);
      }
      try {
        const w = spawnWorker(kind, {
          mode: "latency",
          url: dbUrl(db),
          executorId: "latency",
          count: LATENCY,
        });
        const m = await w.next("latency", 10 * 60_000);
        await w.exited;
        const { type: _t, ...figures } = m;
        latency[kind] = figures;
        emit({ bench: "scale-write-latency", system: kind, writes: LATENCY, ...figures });
      } finally {
        await dropDatabase(db);
      }
    }
  }

  const table = WORKERS.filter(() => ROUNDS > 0).map((W) => {
    const row = { workers: W };
    for (const s of SYSTEMS) row[s.name] = round(median(results.get(`${s.name}|${W}`)), 1);
    if (row.dbos) {
      if (row["keel-one-node"]) row.oneNodeOverDbos = round(row["keel-one-node"] / row.dbos, 2);
      if (row["keel-k-nodes"]) row.kNodesOverDbos = round(row["keel-k-nodes"] / row.dbos, 2);
    }
    return row;
  });
  emit({
    bench: "scale-summary",
    n: N,
    k: K,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    dbosPollMs: DBOS_POLL_MS,
    stepsPerSecondMedian: table,
    latencyMs: latency,
  });
} finally {
  await cleanup();
  await admin.end();
}
