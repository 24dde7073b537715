// The benchmark's child processes (mock upstream, Keel, Portkey): started with `fork` so each has
// its own event loop and heap, an IPC channel for memory figures and a clean stop, and their
// memory and CPU time read from /proc.
import { execFileSync, fork } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (...a) => console.error(...a);

/** Lines of a child's stream, each prefixed, to our stderr (at most `max`, then a count). */
function forward(stream, prefix, max = 50) {
  let shown = 0;
  let dropped = 0;
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (d) => {
    const lines = (rest + d).split("\n");
    rest = lines.pop();
    for (const line of lines) {
      if (!line.trim()) continue;
      if (shown++ < max) log(`${prefix} ${line}`);
      else if (dropped++ === 0) log(`${prefix} (more output dropped)`);
    }
  });
}

function withIpc(child, name) {
  let seq = 0;
  const waiting = new Map();
  child.on("message", (m) => {
    const w = waiting.get(m?.id);
    if (w) {
      waiting.delete(m.id);
      w(m);
    }
  });
  let exited = false;
  const exitedP = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  return {
    name,
    child,
    pid: child.pid,
    exited: () => exited,
    ask(message, timeoutMs = 15_000) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${name} did not answer ${message.type} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        child.send({ ...message, id });
      });
    },
    /** Asks the child to exit cleanly (a `--cpu-prof` profile is written then); kills it after 10 s. */
    async stop() {
      if (exited) return;
      try {
        child.send({ type: "stop" });
      } catch {}
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exitedP;
      clearTimeout(t);
    },
  };
}

/** Forks one of our child scripts and waits for the JSON line it prints when it is ready. */
export async function startScript(file, args, { name, execArgv = [] }) {
  const child = fork(path.join(here, file), args, {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    execArgv: ["--expose-gc", ...execArgv],
  });
  forward(child.stderr, `[${name}]`);
  const info = await new Promise((resolve, reject) => {
    let out = "";
    const onData = (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.trim().startsWith("{"));
      if (line && out.includes("\n")) {
        child.stdout.off("data", onData);
        child.stdout.resume();
        resolve(JSON.parse(line));
      }
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${name} exited (code ${code}) before it was ready`)));
    setTimeout(() => reject(new Error(`${name} was not ready within 30 s`)), 30_000).unref();
  });
  return { ...withIpc(child, name), info };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port, timeoutMs) {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until)
          reject(new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Portkey's gateway from its npm package, on loopback: `portkey-preload.mjs` binds its server to
 * 127.0.0.1 and answers the memory requests.
 */
export async function startPortkey(benchDir) {
  const port = await freePort();
  const entry = path.join(benchDir, "node_modules/@portkey-ai/gateway/build/start-server.js");
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm ci --prefix bench`);
  const child = fork(entry, [`--port=${port}`, "--headless"], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    execArgv: ["--expose-gc", "--import", path.join(here, "portkey-preload.mjs")],
  });
  child.stdout.resume(); // its banner; nothing per request
  forward(child.stderr, "[portkey]");
  const exit = new Promise((_, reject) =>
    child.once("exit", (code) => reject(new Error(`portkey exited (code ${code}) before it listened`))),
  );
  await Promise.race([waitForPort(port, 30_000), exit]);
  return { ...withIpc(child, "portkey"), info: { url: `http://127.0.0.1:${port}`, pid: child.pid } };
}

/** Resident memory (current and peak) of a process, in bytes, from /proc/<pid>/status. */
export function procMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

const TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process (all threads), in ms, from /proc/<pid>/stat. */
export function procCpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** Pins every thread of a process to one CPU (the `--pin` option). */
export function pin(pid, cpu) {
  execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
}
