#!/usr/bin/env node
// Keel's gateway as the benchmark runs it: `createKeelServer` from dist/server with one model alias
// (`mock-small`) routed to the mock upstream, the store in a fresh temporary folder, the default
// guards (PII pseudonymization and injection scanning of the input, output scanning) and the audit
// log (on by default). Creates an app key and prints {"url","key","pid"} as JSON on stdout.
//
//   node bench/gateway/keel-server.mjs --upstream http://127.0.0.1:PORT/v1 [--port N]
//
// Run from the repository root.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createKeelServer } from "../../dist/server/index.js";
import { answerIpc } from "./child-ipc.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const upstream = arg("upstream");
if (!upstream) {
  console.error("keel-server: give the mock's base URL: --upstream http://127.0.0.1:PORT/v1");
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-bench-gateway-"));
const server = createKeelServer({
  config: {
    store: { path: path.join(dir, "keel.db") },
    providers: { mock: { type: "openai", baseURL: upstream, apiKey: "x" } },
    models: { "mock-small": { provider: "mock", model: "mock-small" } },
  },
  cwd: dir,
  // Internal errors to stderr, as by default; the benchmark counts non-200 answers itself.
});
const { key } = server.runtime.keys.create({ tenant: "bench", role: "app" });
const { url } = await server.listen({ port: Number(arg("port", "0")), host: "127.0.0.1" });

let stopping;
const stop = () =>
  (stopping ??= server.close().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
answerIpc({
  stop,
  // How many events the audit log holds: a check that the requests were recorded.
  audit: () => ({
    events: server.runtime.db.prepare("SELECT count(*) AS n FROM audit_events").get().n,
  }),
});
process.on("SIGTERM", () => stop().then(() => process.exit(0)));
process.on("SIGINT", () => stop().then(() => process.exit(0)));
console.log(JSON.stringify({ url, key, pid: process.pid, store: dir }));
