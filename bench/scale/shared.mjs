// What the scale benchmark's parent and its worker processes share: the work itself (K trivial
// durable steps per workflow), per-step timing, and an optional count of every statement sent.
import pg from "pg";

/** What step j of a workflow returns: a small number, the same in Keel and DBOS. */
export const stepValue = (j) => j;

/** The sum a workflow of k steps must end with (checked after every run). */
export const expectedSum = (k) => (k * (k - 1)) / 2;

/** Times every step a workflow takes in this process (ms), for the in-workflow step latency. */
export function stepTimer() {
  const ms = [];
  return {
    ms,
    async time(fn) {
      const t = performance.now();
      const value = await fn();
      ms.push(performance.now() - t);
      return value;
    },
  };
}

/**
 * Counts the statements this process sends, through any `pg` client (Keel's pools, its LISTEN
 * client, and DBOS's pool all go through `pg.Client.prototype.query`). Keyed by the statement's
 * first 80 characters, whitespace collapsed.
 */
export function countQueries() {
  const counts = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === "string" ? config : config?.text;
    if (typeof text === "string") {
      const key = text.replace(/\s+/g, " ").trim().slice(0, 80);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
  return counts;
}

/** The IPC conversation every worker has with run.mjs: "ready", then "stats" when told to stop. */
export function serveParent({ stop }) {
  const cpuAtReady = process.cpuUsage();
  process.send({ type: "ready" });
  process.on("message", async (m) => {
    if (m?.type !== "stop") return;
    const extra = await stop();
    const cpu = process.cpuUsage(cpuAtReady);
    process.send({ type: "stats", cpuMs: (cpu.user + cpu.system) / 1000, ...extra }, () => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
}

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function latencySummary(ms) {
  const s = Float64Array.from(ms).sort();
  const r = (x) => (x === null ? null : Number(x.toFixed(3)));
  return { count: s.length, p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? null) };
}
