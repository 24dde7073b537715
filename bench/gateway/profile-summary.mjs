#!/usr/bin/env node
// Summarises a V8 CPU profile (`node --cpu-prof`) per request: the functions with the most self
// time, the most inclusive time, and self time per source file or package, each in microseconds
// per request (the profile's busy time divided by the requests the process served); and self time
// charged to the nearest frame of Keel's own code (dist/) on the stack, which says which Keel
// function a library's or node's time was spent for.
//
//   node bench/gateway/profile-summary.mjs FILE.cpuprofile REQUESTS [--top=30]
//
// run.mjs --profile calls it on Keel's profile with the number of requests it sent to Keel.

/** Where a function lives, shortened: a package name, a path under dist/, or node's internals. */
function whereOf(url) {
  if (!url) return "(native)";
  const u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = u.slice(nm + 13).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = u.indexOf("/dist/");
  if (dist >= 0) return u.slice(dist + 1);
  if (u.startsWith("node:")) return u;
  return u.split("/").slice(-2).join("/");
}

/**
 * `windows` (optional): [{ start, end }] in microseconds of the monotonic clock (what V8 stamps its
 * samples with, and `process.hrtime` reads in any process): only samples inside them are counted.
 */
export function summariseProfile(profile, requests, top = 30, windows = null) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const f = n.callFrame;
    return `${f.functionName || "(anonymous)"} ${whereOf(f.url)}:${f.lineNumber + 1}`;
  };
  const self = new Map();
  const inclusive = new Map();
  const files = new Map();
  const stackKeys = new Map(); // node id → distinct function keys on its stack
  const keysOf = (id) => {
    let ks = stackKeys.get(id);
    if (ks) return ks;
    const set = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) set.add(keyOf(byId.get(cur)));
    ks = [...set];
    stackKeys.set(id, ks);
    return ks;
  };
  // The nearest frame of Keel's own code (dist/) on a sample's stack: who to blame for time spent
  // in a library or in node itself.
  const keelFrameOf = new Map();
  const keelFrame = (id) => {
    if (keelFrameOf.has(id)) return keelFrameOf.get(id);
    let found = "(no Keel frame: node, GC, idle loop)";
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n.callFrame.url.includes("/dist/") && !n.callFrame.url.includes("node_modules")) {
        found = keyOf(n);
        break;
      }
    }
    keelFrameOf.set(id, found);
    return found;
  };
  const byKeelFrame = new Map();
  const callers = new Map(); // self key → Map(nearest Keel frame → us)
  let busy = 0;
  let idle = 0;
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; the time after it is the next delta.
    at += timeDeltas[i];
    if (windows && !windows.some((w) => at >= w.start && at < w.end)) continue;
    const dt = timeDeltas[i + 1] ?? 0;
    const node = byId.get(samples[i]);
    if (node.callFrame.functionName === "(idle)") {
      idle += dt;
      continue;
    }
    busy += dt;
    const k = keyOf(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const w = whereOf(node.callFrame.url) || node.callFrame.functionName;
    const file = node.callFrame.url ? w : node.callFrame.functionName;
    files.set(file, (files.get(file) ?? 0) + dt);
    for (const key of keysOf(node.id)) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    const kf = keelFrame(node.id);
    byKeelFrame.set(kf, (byKeelFrame.get(kf) ?? 0) + dt);
    let c = callers.get(k);
    if (!c) callers.set(k, (c = new Map()));
    c.set(kf, (c.get(kf) ?? 0) + dt);
  }
  const per = (us) => Number((us / requests).toFixed(2));
  const rank = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({
        name,
        us_per_request: per(us),
        pct_of_busy: Number(((us / busy) * 100).toFixed(1)),
      }));
  return {
    requests,
    ...(windows
      ? { window_s: Number((windows.reduce((t, w) => t + w.end - w.start, 0) / 1e6).toFixed(1)) }
      : {}),
    busy_us_per_request: per(busy),
    idle_s: Number((idle / 1e6).toFixed(1)),
    top_self: rank(self, top).map((r) => ({ ...r, from: rank(callers.get(r.name), 3) })),
    top_inclusive: rank(inclusive, top),
    by_file: rank(files, top),
    by_keel_frame: rank(byKeelFrame, top),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fs = await import("node:fs");
  const [file, requests] = process.argv.slice(2);
  if (!file || !requests) {
    console.error("usage: node bench/gateway/profile-summary.mjs FILE.cpuprofile REQUESTS [--top=30]");
    process.exit(2);
  }
  const top = Number(process.argv.find((a) => a.startsWith("--top="))?.slice(6) ?? 30);
  const s = summariseProfile(JSON.parse(fs.readFileSync(file, "utf8")), Number(requests), top);
  console.log(JSON.stringify(s, null, 1));
}
