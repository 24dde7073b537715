#!/usr/bin/env node
// The upstream of the gateway benchmark: Keel's OpenAI-compatible mock (`startMockLLM` from
// dist/testkit), no script (the deterministic default reply: "mock reply to: <user message>"), no
// latency, no chunk delay, default chunking (4 characters per stream chunk).
// Prints {"url": "...", "pid": N} on stdout. Run from the repository root.
import { startMockLLM } from "../../dist/testkit/index.js";
import { answerIpc } from "./child-ipc.mjs";

const mock = await startMockLLM({ port: 0 });
// The mock records every request in a live array; a benchmark sends millions, so keep only the
// last one (what run.mjs inspects to check that Keel's guard pseudonymized the prompt).
const trim = setInterval(() => {
  if (mock.requests.length > 1) mock.requests.splice(0, mock.requests.length - 1);
}, 500);
trim.unref();
answerIpc({
  stop: () => mock.close(),
  last: () => ({ request: mock.requests.at(-1) ?? null }),
});
process.on("SIGTERM", () => mock.close().then(() => process.exit(0)));
console.log(JSON.stringify({ url: mock.url, pid: process.pid }));
