#!/usr/bin/env node
// Overhead of Keel's model call path over calling the official `openai` SDK directly, both against
// Keel's mock OpenAI-compatible server on loopback, interleaved in one process.
//
// Run from the repository root after `npm ci && npm run build`:
//   node bench/model/run.mjs [--quick]
// stdout: one JSON line; progress on stderr.

import OpenAI from "openai";
import { generateText, openaiCompatible, resilient } from "../../dist/index.js";
import { startMockLLM } from "../../dist/testkit/index.js";

const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 3 : 9;
const PER_ROUND = QUICK ? 100 : 600;
const WARMUP = QUICK ? 200 : 2000;
const log = (...a) => console.error(...a);

const mock = await startMockLLM();
const messages = [
  { role: "system", content: "You are a terse assistant." },
  { role: "user", content: "Summarise the return policy in one sentence." },
];
const sdk = new OpenAI({ baseURL: mock.url, apiKey: "bench", maxRetries: 0 });
const keelModel = resilient(openaiCompatible({ baseURL: mock.url, apiKey: "bench" }));

const engines = {
  // The baseline: what a user of the SDK writes.
  sdk: () => sdk.chat.completions.create({ model: "mock-small", messages }),
  // Keel's call path: message translation, the resilient wrapper (retry policy, breaker, timeout
  // bookkeeping), usage normalisation, cost from the price table, latency and attempts.
  keel: () => generateText({ model: keelModel, request: { model: "mock-small", messages } }),
};

async function time(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p99 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
};

const check = await engines.keel();
if (!check.text.startsWith("mock reply to:") || !(check.costUsd > 0))
  throw new Error("keel: unexpected result");

log(`warm-up: ${WARMUP} calls each`);
for (let i = 0; i < WARMUP; i++) {
  await engines.sdk();
  await engines.keel();
}
const rounds = { sdk: [], keel: [] };
const all = { sdk: [], keel: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 ? ["keel", "sdk"] : ["sdk", "keel"]) {
    const samples = [];
    for (let i = 0; i < PER_ROUND; i++) samples.push(await time(engines[name]));
    rounds[name].push(median(samples));
    all[name].push(...samples);
  }
  log(
    `round ${r + 1}/${ROUNDS}: sdk ${rounds.sdk.at(-1).toFixed(3)} ms, keel ${rounds.keel.at(-1).toFixed(3)} ms`,
  );
}
await mock.close();

const med = { sdk: median(rounds.sdk), keel: median(rounds.keel) };
process.stdout.write(
  `${JSON.stringify({
    workload: "model-call-overhead",
    calls_per_round: PER_ROUND,
    rounds: ROUNDS,
    median_ms: { sdk: +med.sdk.toFixed(4), keel: +med.keel.toFixed(4) },
    added_median_ms: +(med.keel - med.sdk).toFixed(4),
    // Rounds are interleaved; the difference within each round cancels most of the machine's drift.
    added_median_ms_paired: +median(rounds.keel.map((k, i) => k - rounds.sdk[i])).toFixed(4),
    p99_ms: { sdk: +p99(all.sdk).toFixed(3), keel: +p99(all.keel).toFixed(3) },
    round_medians_ms: {
      sdk: rounds.sdk.map((x) => +x.toFixed(4)),
      keel: rounds.keel.map((x) => +x.toFixed(4)),
    },
  })}\n`,
);
