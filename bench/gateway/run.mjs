#!/usr/bin/env node
// Keel's OpenAI-compatible gateway side by side with Portkey's (`@portkey-ai/gateway`), on loopback,
// against Keel's mock upstream: latency added at fixed request rates (non-streaming: the whole
// response; streaming: time to first byte and to the end of the stream), throughput at saturation,
// and memory after 100,000 requests. See bench/README.md ("Gateway").
//
// Run from the repository root after `npm ci && npm run build` and `npm ci --prefix bench`:
//   node bench/gateway/run.mjs [--quick] [--only=latency,saturation,memory] [--targets=keel,portkey[,floor]]
//                              [--rates=100,1000] [--rounds=N] [--pin] [--profile]
// stdout: one JSON line per measurement; progress on stderr.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { emit, log, median, round } from "../common.mjs";
import { pin, procCpuMs, procMemory, startPortkey, startScript } from "./children.mjs";
import { closedLoop, fireOnce, makeTarget, openLoop, PII_EMAIL, summarise } from "./load.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, "..");
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const list = (name, all) => option(name)?.split(",").filter(Boolean) ?? all;

const QUICK = flag("quick");
const ONLY = list("only", ["latency", "saturation", "memory"]);
const GATEWAYS = list("targets", ["keel", "portkey"]);
const TARGETS = ["direct", ...GATEWAYS];
const PIN = flag("pin");
const PROFILE = flag("profile");
const MODES = ["non-stream", "stream"];

const PLAN = QUICK
  ? {
      warmup: { direct: 1000, keel: 1000, portkey: 1000, floor: 1000 },
      warmupConnections: 16,
      memoryRequests: 3000,
      memorySampleEvery: 1000,
      rewarm: 500,
      rounds: 1,
      rates: [100, 1000],
      durationMs: { 100: 1500, 1000: 1000 },
      leadInMs: 200,
      satConnections: [32],
      satMs: 1000,
      satRounds: 1,
    }
  : {
      // Portkey's latency settles after about 20,000 requests (PEERS.md); Keel gets the same.
      warmup: { direct: 5000, keel: 20_000, portkey: 20_000, floor: 5000 },
      warmupConnections: 16,
      memoryRequests: 100_000,
      memorySampleEvery: 10_000,
      rewarm: 2000,
      rounds: 5,
      rates: [100, 1000],
      durationMs: { 100: 10_000, 1000: 5000 },
      leadInMs: 500,
      satConnections: [32, 64],
      satMs: 8000,
      satRounds: 2,
    };
if (option("rates")) PLAN.rates = list("rates").map(Number);
if (option("rounds")) PLAN.rounds = Number(option("rounds"));
for (const r of PLAN.rates) PLAN.durationMs[r] ??= Math.max(2000, Math.round((5000 * 1000) / r));

// The machine's load: os.loadavg() (1, 5, 15 min) and, where the kernel has it, the share of the
// last 10 s in which some runnable task waited for a CPU (/proc/pressure/cpu "some avg10", in %).
const cpuPressure = () => {
  try {
    return Number(/some avg10=([\d.]+)/.exec(fs.readFileSync("/proc/pressure/cpu", "utf8"))[1]);
  } catch {
    return null;
  }
};
const load = () => ({ loadavg: os.loadavg().map((x) => round(x, 2)), cpu_pressure_pct: cpuPressure() });
const loadText = () => {
  const l = load();
  return `load ${l.loadavg.join(" ")}, CPU pressure ${l.cpu_pressure_pct ?? "n/a"} %`;
};
const mib = (b) => round(b / 2 ** 20, 1);
const ms = (x) => round(x, 3);
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);

// ---- children ------------------------------------------------------------------------------
const children = [];
const stopAll = () => Promise.all(children.map((c) => c.stop().catch(() => {})));
process.on("SIGINT", () => stopAll().then(() => process.exit(130)));

const profileDir = PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), "keel-gateway-prof-")) : null;

// What this run measured: Keel's build (the commit, and when dist/ was built: others may rebuild it
// mid-run, which the last line flags), the peers' versions, node, the plan.
const distFile = path.resolve(benchDir, "../dist/server/index.js");
const distBuilt = () => (fs.existsSync(distFile) ? fs.statSync(distFile).mtime.toISOString() : null);
const versionOf = (pkg) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(benchDir, "node_modules", pkg, "package.json"), "utf8"))
      .version;
  } catch {
    return null;
  }
};
let commit = null;
let srcDirty = null;
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: benchDir, encoding: "utf8" }).trim();
  srcDirty =
    execFileSync("git", ["status", "--porcelain", "--", "../src"], {
      cwd: benchDir,
      encoding: "utf8",
    }).trim() !== "";
} catch {}
const runInfo = {
  bench: "gateway-run",
  quick: QUICK,
  keel_commit: commit,
  keel_src_uncommitted_changes: srcDirty,
  keel_dist_built: distBuilt(),
  portkey: versionOf("@portkey-ai/gateway"),
  hono_for_portkey: versionOf("hono"),
  undici: versionOf("undici"),
  node: process.version,
  cpus: os.cpus().length,
  plan: PLAN,
  load: null,
};
log(
  `gateway bench: ${QUICK ? "quick" : "full"}; targets ${TARGETS.join(", ")}; parts ${ONLY.join(", ")}; ${loadText()}`,
);
runInfo.load = load();
emit(runInfo);
const mock = await startScript("mock-server.mjs", [], { name: "mock" });
children.push(mock);
const gateways = {};
if (GATEWAYS.includes("keel")) {
  gateways.keel = await startScript("keel-server.mjs", ["--upstream", mock.info.url], {
    name: "keel",
    execArgv: PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=250"] : [],
  });
  children.push(gateways.keel);
}
if (GATEWAYS.includes("portkey")) {
  gateways.portkey = await startPortkey(benchDir);
  children.push(gateways.portkey);
}
if (GATEWAYS.includes("floor")) {
  gateways.floor = await startScript("floor-proxy.mjs", ["--upstream", mock.info.url], { name: "floor" });
  children.push(gateways.floor);
}
if (PIN) {
  // The gateway under test gets CPU 1; the load generator and the mock share CPU 0.
  pin(process.pid, 0);
  pin(mock.pid, 0);
  for (const g of Object.values(gateways)) pin(g.pid, 1);
}

const mockOrigin = new URL(mock.info.url).origin;
const targets = {
  direct: makeTarget({
    name: "direct",
    origin: mockOrigin,
    headers: { authorization: "Bearer x" },
    pid: mock.pid,
  }),
};
if (gateways.keel)
  targets.keel = makeTarget({
    name: "keel",
    origin: gateways.keel.info.url,
    headers: { authorization: `Bearer ${gateways.keel.info.key}` },
    pid: gateways.keel.pid,
  });
if (gateways.portkey)
  targets.portkey = makeTarget({
    name: "portkey",
    origin: gateways.portkey.info.url,
    headers: {
      authorization: "Bearer x",
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": mock.info.url,
    },
    pid: gateways.portkey.pid,
  });
if (gateways.floor)
  targets.floor = makeTarget({
    name: "floor",
    origin: gateways.floor.info.url,
    headers: { authorization: "Bearer x" },
    pid: gateways.floor.pid,
  });
const served = Object.fromEntries(TARGETS.map((t) => [t, 0]));
// When Keel ran each latency cell (monotonic clock, µs) and how many requests it got: `--profile`
// summarises the samples of those windows only, per cell.
const profileWindows = {};

try {
  await sanity();
  await warmup();
  if (ONLY.includes("memory")) await memoryPhase();
  if (ONLY.includes("latency")) await latencyPhase();
  if (ONLY.includes("saturation")) await saturationPhase();
  await finalMemory();
} finally {
  for (const t of Object.values(targets)) await t.close().catch(() => {});
  await stopAll();
}
if (PROFILE) await profileSummary();

// ---- phases --------------------------------------------------------------------------------

/** Every target answers both modes; Keel's guard really pseudonymizes what reaches the upstream. */
async function sanity() {
  for (const name of TARGETS) {
    for (const mode of MODES) {
      const rec = await fireOnce(targets[name], mode, { capture: true });
      served[name]++;
      if (!rec.ok) throw new Error(`${name} ${mode}: ${rec.error}`);
      const upstream = (await mock.ask({ type: "last" })).request;
      const sent = JSON.stringify(upstream?.body ?? "");
      if (name === "keel") {
        if (sent.includes(PII_EMAIL))
          throw new Error("keel: the email reached the upstream; is the guard off?");
        if (!rec.text.includes(PII_EMAIL.split("@")[0]))
          throw new Error(`keel: the reply was not de-anonymized: ${rec.text.slice(0, 300)}`);
      } else if (!sent.includes(PII_EMAIL))
        throw new Error(`${name}: the upstream did not get the prompt as sent`);
    }
  }
  if (gateways.keel) {
    const before = (await gateways.keel.ask({ type: "audit" })).events;
    for (let i = 0; i < 20; i++) await fireOnce(targets.keel, i % 2 ? "stream" : "non-stream");
    served.keel += 20;
    await sleep(100);
    const after = (await gateways.keel.ask({ type: "audit" })).events;
    log(
      `sanity: all targets answer; keel pseudonymizes the prompt and writes ${(after - before) / 20} audit events per request`,
    );
  }
}

async function warmup() {
  for (const name of TARGETS) {
    const n = PLAN.warmup[name];
    const t = performance.now();
    const r = await closedLoop(targets[name], "mix", PLAN.warmupConnections, { requests: n });
    served[name] += r.completed;
    log(
      `warm-up ${name}: ${n} requests in ${((performance.now() - t) / 1000).toFixed(1)} s, ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ""} (${loadText()})`,
    );
    if (r.errors) throw new Error(`${name}: errors during warm-up: ${r.firstError}`);
  }
}

/** RSS as it is, then the heap and the RSS again after a forced full GC (less noisy: no garbage). */
async function memorySample(g) {
  const proc = procMemory(g.pid);
  const ipc = await g.ask({ type: "mem", gc: true });
  const afterGc = procMemory(g.pid);
  return {
    rss: proc.rss,
    peak: afterGc.peak,
    rssAfterGc: afterGc.rss,
    heapUsed: ipc.heapUsed,
    heapUsedAfterGc: ipc.heapUsedAfterGc,
  };
}

/** RSS after warm-up, every 10,000 requests, and after 100,000 (streamed and not, alternately). */
async function memoryPhase() {
  const out = {
    bench: "gateway-memory",
    requests: PLAN.memoryRequests,
    connections: PLAN.warmupConnections,
    mix: "half streamed",
  };
  const fields = [
    "rss_mib_after_warmup",
    "rss_mib_after",
    "growth_mib",
    "growth_pct",
    "growth_second_half_mib",
    "rss_after_gc_mib_after_warmup",
    "rss_after_gc_mib_after",
    "peak_rss_mib",
    "heap_used_mib_after_warmup",
    "heap_used_mib_after",
    "heap_after_gc_mib_after_warmup",
    "heap_after_gc_mib_after",
    "rss_trace_mib",
    "requests_per_s",
    "errors",
  ];
  for (const f of fields) out[f] = {};
  out.load = { start: load() };
  for (const name of GATEWAYS) {
    const g = gateways[name];
    // The gateways warmed up one after another and the others may have sat idle since, which lets
    // V8 shrink their heaps: a short burst first puts each one back in the state warm-up left it in.
    const again = await closedLoop(targets[name], "mix", PLAN.warmupConnections, { requests: PLAN.rewarm });
    served[name] += again.completed;
    const before = await memorySample(g);
    const trace = [mib(before.rss)];
    const r = await closedLoop(targets[name], "mix", PLAN.warmupConnections, {
      requests: PLAN.memoryRequests,
      every: (n) => {
        if (n % PLAN.memorySampleEvery === 0) trace.push(mib(procMemory(g.pid).rss));
      },
    });
    served[name] += r.completed;
    const after = await memorySample(g);
    out.rss_mib_after_warmup[name] = mib(before.rss);
    out.rss_mib_after[name] = mib(after.rss);
    out.growth_mib[name] = mib(after.rss - before.rss);
    out.growth_pct[name] = round(((after.rss - before.rss) / before.rss) * 100, 1);
    // From the sample half-way through to the end: growth once the process has settled.
    out.growth_second_half_mib[name] = round(trace.at(-1) - trace[Math.floor((trace.length - 1) / 2)], 1);
    out.rss_after_gc_mib_after_warmup[name] = mib(before.rssAfterGc);
    out.rss_after_gc_mib_after[name] = mib(after.rssAfterGc);
    out.peak_rss_mib[name] = mib(after.peak);
    out.heap_used_mib_after_warmup[name] = mib(before.heapUsed);
    out.heap_used_mib_after[name] = mib(after.heapUsed);
    out.heap_after_gc_mib_after_warmup[name] = mib(before.heapUsedAfterGc);
    out.heap_after_gc_mib_after[name] = mib(after.heapUsedAfterGc);
    out.rss_trace_mib[name] = trace;
    out.requests_per_s[name] = round((r.completed / r.elapsedMs) * 1000, 0);
    out.errors[name] = r.errors;
    log(
      `memory ${name}: RSS ${mib(before.rss)} → ${mib(after.rss)} MiB over ${r.completed} requests (${r.errors} errors)`,
    );
  }
  out.load.end = load();
  // Flat: the RSS after 100,000 requests within 10 % of the RSS after warm-up.
  out.flat = Object.fromEntries(GATEWAYS.map((n) => [n, out.growth_pct[n] <= 10]));
  if (out.rss_mib_after.keel && out.rss_mib_after.portkey)
    out.ratio = { portkey_over_keel_rss: round(out.rss_mib_after.portkey / out.rss_mib_after.keel, 2) };
  out.valid = GATEWAYS.every((n) => out.errors[n] === 0);
  emit(out);
}

function cpuOf(name) {
  const ids = name === "direct" ? [targets.direct.pid] : [targets[name].pid, targets.direct.pid];
  return ids.map((pid) => procCpuMs(pid));
}

/** Open-loop cells: for each round, each mode and rate, every target in turn (order rotated). */
async function latencyPhase() {
  const cells = {};
  const loads = {};
  for (let r = 0; r < PLAN.rounds; r++) {
    for (const mode of MODES) {
      for (const rate of PLAN.rates) {
        const key = `${mode}@${rate}`;
        cells[key] ??= [];
        loads[key] ??= { start: load() };
        const round_ = {};
        for (const name of rotate(TARGETS, r)) {
          const cpu0 = cpuOf(name);
          const t0 = process.hrtime.bigint();
          const recs = await openLoop(targets[name], mode, rate, PLAN.durationMs[rate], PLAN.leadInMs);
          const t1 = process.hrtime.bigint();
          const cpu1 = cpuOf(name);
          const sent = Math.round(((PLAN.durationMs[rate] + PLAN.leadInMs) * rate) / 1000);
          if (name === "keel") {
            profileWindows[key] ??= { requests: 0, windows: [] };
            profileWindows[key].requests += sent;
            profileWindows[key].windows.push({ start: Number(t0 / 1000n), end: Number(t1 / 1000n) });
          }
          served[name] += sent;
          const s = summarise(recs);
          s.cpuUs = (cpu1[0] - cpu0[0]) * (1000 / sent);
          s.mockCpuUs = cpu1.length > 1 ? (cpu1[1] - cpu0[1]) * (1000 / sent) : s.cpuUs;
          round_[name] = s;
          await sleep(100);
        }
        cells[key].push(round_);
        loads[key].end = load();
        const d = round_.direct;
        log(
          `round ${r + 1}/${PLAN.rounds} ${key}: ` +
            TARGETS.map((n) => {
              const s = round_[n];
              const main =
                mode === "stream"
                  ? `ttfb p50 ${s.ttfb50?.toFixed(2)} p99 ${s.ttfb99?.toFixed(2)}`
                  : `p50 ${s.p50?.toFixed(2)} p99 ${s.p99?.toFixed(2)}`;
              return `${n} ${main}${s.errors ? ` ERRORS ${s.errors}` : ""}`;
            }).join(" | ") +
            ` ms (direct send lag p50 ${d.lag50?.toFixed(2)}; ${loadText()})`,
        );
      }
    }
  }
  const summary = {};
  for (const [key, rounds] of Object.entries(cells)) {
    const [mode, rateS] = key.split("@");
    const rate = Number(rateS);
    const med = (name, f) => ms(median(rounds.map((rd) => rd[name][f])));
    const added = (name, f) => rounds.map((rd) => rd[name][f] - rd.direct[f]);
    const out = {
      bench: "gateway-latency",
      mode,
      rate,
      rounds: PLAN.rounds,
      requests_per_round: Math.round((PLAN.durationMs[rate] * rate) / 1000),
    };
    const metrics =
      mode === "stream"
        ? [
            ["ttfb", "ttfb50", "ttfb99"],
            ["full", "p50", "p99"],
          ]
        : [["full", "p50", "p99"]];
    for (const [label, f50, f99] of metrics) {
      const pre = label === "ttfb" ? "ttfb_" : mode === "stream" ? "stream_end_" : "";
      out[`${pre}p50_ms`] = Object.fromEntries(TARGETS.map((n) => [n, med(n, f50)]));
      out[`${pre}p99_ms`] = Object.fromEntries(TARGETS.map((n) => [n, med(n, f99)]));
      out[`${pre}added_p50_ms`] = Object.fromEntries(GATEWAYS.map((n) => [n, ms(median(added(n, f50)))]));
      out[`${pre}added_p99_ms`] = Object.fromEntries(GATEWAYS.map((n) => [n, ms(median(added(n, f99)))]));
      out[`${pre}round_added_p50_ms`] = Object.fromEntries(GATEWAYS.map((n) => [n, added(n, f50).map(ms)]));
      out[`${pre}round_added_p99_ms`] = Object.fromEntries(GATEWAYS.map((n) => [n, added(n, f99).map(ms)]));
    }
    const main = mode === "stream" ? "ttfb_" : "";
    const k = out[`${main}added_p50_ms`];
    const k99 = out[`${main}added_p99_ms`];
    if (k.keel !== undefined && k.portkey !== undefined) {
      const ratio = (p, q) => (q > 0 ? round(p / q, 2) : null);
      out.ratio = {
        portkey_over_keel_p50: ratio(k.portkey, k.keel),
        portkey_over_keel_p99: ratio(k99.portkey, k99.keel),
      };
    }
    out.achieved_rps = Object.fromEntries(
      TARGETS.map((n) => [n, round(median(rounds.map((rd) => rd[n].achievedRps)), 0)]),
    );
    // A target that answered at under 95 % of the asked rate fell behind: its latencies are queueing.
    out.kept_up = Object.fromEntries(TARGETS.map((n) => [n, out.achieved_rps[n] >= 0.95 * rate]));
    out.send_lag_ms = { p50: med("direct", "lag50"), p99: med("direct", "lag99") };
    out.service_p50_ms = Object.fromEntries(TARGETS.map((n) => [n, med(n, "service50")]));
    if (GATEWAYS.includes("keel")) out.keel_reported_overhead_p50_ms = med("keel", "overhead50");
    out.cpu_us_per_request = Object.fromEntries(
      TARGETS.map((n) => [n, round(median(rounds.map((rd) => rd[n].cpuUs)), 0)]),
    );
    out.errors = Object.fromEntries(TARGETS.map((n) => [n, rounds.reduce((s, rd) => s + rd[n].errors, 0)]));
    const firstError = rounds.flatMap((rd) => TARGETS.map((n) => rd[n].firstError)).find(Boolean);
    if (firstError) out.first_error = firstError;
    out.valid = Object.values(out.errors).every((e) => e === 0);
    out.load = loads[key];
    emit(out);
    summary[key] = out;
  }
  if (GATEWAYS.includes("keel")) emitTargets(summary);
}

/** The issue's targets, checked on the figures just emitted. */
function emitTargets(summary) {
  const checks = [];
  for (const [key, out] of Object.entries(summary)) {
    const pre = out.mode === "stream" ? "ttfb_" : "";
    const p50 = out[`${pre}added_p50_ms`].keel;
    const p99 = out[`${pre}added_p99_ms`].keel;
    const c = {
      cell: `${key} ${out.mode === "stream" ? "ttfb" : "full response"}`,
      keel_added_p50_ms: p50,
      keel_added_p99_ms: p99,
      p50_at_most_0_5: p50 <= 0.5,
      p99_at_most_2: p99 <= 2,
    };
    if (out.ratio) {
      c.portkey_over_keel_p50 = out.ratio.portkey_over_keel_p50;
      c.portkey_over_keel_p99 = out.ratio.portkey_over_keel_p99;
      c.ratio_p50_at_least_4 = c.portkey_over_keel_p50 === null ? null : c.portkey_over_keel_p50 >= 4;
      c.ratio_p99_at_least_4 = c.portkey_over_keel_p99 === null ? null : c.portkey_over_keel_p99 >= 4;
    }
    c.valid = out.valid;
    checks.push(c);
  }
  emit({ bench: "gateway-targets", checks, load: load() });
}

/** Closed loop at N connections for a fixed time per target: requests per second and errors. */
async function saturationPhase() {
  const cells = {};
  for (let r = 0; r < PLAN.satRounds; r++) {
    for (const mode of MODES) {
      for (const conns of PLAN.satConnections) {
        const key = `${mode}@${conns}`;
        cells[key] ??= { rounds: [], load: { start: load() } };
        const rd = {};
        for (const name of rotate(TARGETS, r)) {
          const cpu0 = cpuOf(name);
          const res = await closedLoop(targets[name], mode, conns, { durationMs: PLAN.satMs });
          const cpu1 = cpuOf(name);
          served[name] += res.completed;
          const lat = Float64Array.from(res.latencies).sort();
          rd[name] = {
            rps: (res.completed / res.elapsedMs) * 1000,
            errors: res.errors,
            firstError: res.firstError,
            p50: lat[Math.floor(lat.length / 2)] ?? null,
            cpuUs: ((cpu1[0] - cpu0[0]) * 1000) / res.completed,
          };
          await sleep(200);
        }
        cells[key].rounds.push(rd);
        cells[key].load.end = load();
        log(
          `saturation ${r + 1}/${PLAN.satRounds} ${key}: ${TARGETS.map((n) => `${n} ${rd[n].rps.toFixed(0)}/s${rd[n].errors ? ` ERRORS ${rd[n].errors}` : ""}`).join(" | ")} (${loadText()})`,
        );
      }
    }
  }
  for (const [key, { rounds, load: l }] of Object.entries(cells)) {
    const [mode, c] = key.split("@");
    const med = (n, f) => median(rounds.map((rd) => rd[n][f]));
    const out = {
      bench: "gateway-saturation",
      mode,
      connections: Number(c),
      seconds: PLAN.satMs / 1000,
      rounds: PLAN.satRounds,
    };
    out.requests_per_s = Object.fromEntries(TARGETS.map((n) => [n, round(med(n, "rps"), 0)]));
    out.round_requests_per_s = Object.fromEntries(
      TARGETS.map((n) => [n, rounds.map((rd) => round(rd[n].rps, 0))]),
    );
    out.latency_p50_ms = Object.fromEntries(TARGETS.map((n) => [n, ms(med(n, "p50"))]));
    out.cpu_us_per_request = Object.fromEntries(TARGETS.map((n) => [n, round(med(n, "cpuUs"), 0)]));
    out.errors = Object.fromEntries(TARGETS.map((n) => [n, rounds.reduce((s, rd) => s + rd[n].errors, 0)]));
    const firstError = rounds.flatMap((rd) => TARGETS.map((n) => rd[n].firstError)).find(Boolean);
    if (firstError) out.first_error = firstError;
    if (out.requests_per_s.keel && out.requests_per_s.portkey)
      out.ratio = { keel_over_portkey_rps: round(out.requests_per_s.keel / out.requests_per_s.portkey, 2) };
    out.valid = Object.values(out.errors).every((e) => e === 0);
    out.load = l;
    emit(out);
  }
}

/** Each gateway's memory at the end of the whole run, with how many requests it served. */
async function finalMemory() {
  const out = {
    bench: "gateway-memory-end",
    requests_served: {},
    rss_mib: {},
    peak_rss_mib: {},
    heap_after_gc_mib: {},
  };
  for (const name of GATEWAYS) {
    const m = await memorySample(gateways[name]);
    out.requests_served[name] = served[name];
    out.rss_mib[name] = mib(m.rss);
    out.peak_rss_mib[name] = mib(m.peak);
    out.heap_after_gc_mib[name] = mib(m.heapUsedAfterGc);
  }
  out.load = load();
  out.keel_dist_rebuilt_during_run = distBuilt() !== runInfo.keel_dist_built;
  emit(out);
}

async function profileSummary() {
  const { summariseProfile } = await import("./profile-summary.mjs");
  const file = fs.readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return log(`no profile written in ${profileDir}`);
  const full = path.join(profileDir, file);
  const profile = JSON.parse(fs.readFileSync(full, "utf8"));
  log(`keel profile: ${full}`);
  // The whole process (start-up, warm-up and every phase), then each latency cell on its own.
  emit({
    bench: "gateway-keel-profile",
    cell: "whole run",
    file: full,
    ...summariseProfile(profile, served.keel),
  });
  for (const [cell, { requests, windows }] of Object.entries(profileWindows))
    emit({
      bench: "gateway-keel-profile",
      cell,
      file: full,
      ...summariseProfile(profile, requests, 30, windows),
    });
}
