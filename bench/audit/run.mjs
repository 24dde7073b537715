#!/usr/bin/env node
// Audit log: append throughput with hashing, signing and durable group commit on the embedded store
// (SQLite file, WAL), verification throughput, and proof generation time on a log of 1,000,000 events.
//
// Run from the repository root after `npm ci && npm run build`:
//   node bench/audit/run.mjs [--events N] [--quick]
// stdout: one JSON line per measurement; progress on stderr. Uses a temporary folder.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  generateSigningKey,
  noteSigner,
  openAuditLog,
  verifyAuditLog,
  verifyInclusion,
} from "../../dist/audit/index.js";
import { openSqlite } from "../../dist/db/index.js";
import { emit, log, median, round } from "../common.mjs";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const eventsArg = args.indexOf("--events");
const TOTAL = eventsArg === -1 ? (QUICK ? 100_000 : 1_000_000) : Number(args[eventsArg + 1]);

const dir = mkdtempSync(join(tmpdir(), "keel-audit-bench-"));
const file = join(dir, "audit.db");
const key = generateSigningKey("bench");
const auditLog = openAuditLog({
  db: file,
  signer: noteSigner("bench", key.privateKeyPem),
  checkpointEvery: 10_000,
});

// A realistic mix: model calls with usage and cost, tool calls, guard verdicts; one in ten carries
// personal content (encrypted under its subject's key).
function event(i) {
  const tenant = `tenant-${i % 4}`;
  const runId = `run-${Math.floor(i / 20)}`;
  switch (i % 3) {
    case 0:
      return {
        type: "model.call",
        tenant,
        actor: "key_7f3a",
        runId,
        data: {
          provider: "openai",
          requestedModel: "gpt-4o-mini",
          resolvedModel: "gpt-4o-mini-2024-07-18",
          parameters: { temperature: 0.2, maxTokens: 512 },
          usage: { inputTokens: 812, outputTokens: 143 },
          cost: { usd: 0.000207, priceTable: "2026-11-01" },
          latencyMs: 812,
          attempts: 1,
        },
        ...(i % 10 === 0
          ? {
              content: { prompt: `Where is order ${i}?`, output: "It ships tomorrow." },
              subject: `user-${i % 1000}`,
            }
          : {}),
      };
    case 1:
      return {
        type: "tool.call",
        tenant,
        actor: "key_7f3a",
        runId,
        data: { name: "lookup_order", callId: `c${i}`, status: "ok", latencyMs: 12 },
      };
    default:
      return {
        type: "guard.verdict",
        tenant,
        actor: "key_7f3a",
        runId,
        data: {
          source: "input",
          scanners: ["pii", "injection"],
          policy: { id: "default", version: 1 },
          findingTypes: ["EMAIL"],
          action: "redact",
        },
      };
  }
}

// ---------------------------------------------------------------- append
const BURST = 5_000;
const rates = [];
log(`appending ${TOTAL} events in bursts of ${BURST}`);
let t0 = performance.now();
for (let i = 0; i < TOTAL; i += BURST) {
  const t = performance.now();
  const burst = [];
  for (let j = i; j < Math.min(TOTAL, i + BURST); j++) burst.push(auditLog.append(event(j)));
  await Promise.all(burst);
  rates.push(burst.length / ((performance.now() - t) / 1000));
}
const appendSeconds = (performance.now() - t0) / 1000;
emit({
  bench: "audit-append",
  events: TOTAL,
  eventsPerSecond: Math.round(TOTAL / appendSeconds),
  burstMedianPerSecond: Math.round(median(rates)),
  checkpointEvery: 10_000,
});
for (let t = 0; t < 4; t++) await auditLog.checkpoint(`tenant-${t}`);

// ---------------------------------------------------------------- verify
const db = openSqlite(file, { readonly: true });
const verifyRuns = [];
for (let r = 0; r < (QUICK ? 1 : 3); r++) {
  const report = await verifyAuditLog(db, { vkey: key.vkey });
  if (!report.ok)
    throw new Error(`verification failed: ${JSON.stringify(report.tenants.map((t) => t.problems))}`);
  verifyRuns.push(report.events / (report.ms / 1000));
}
emit({
  bench: "audit-verify",
  events: TOTAL,
  eventsPerSecond: Math.round(median(verifyRuns)),
  runs: verifyRuns.map(Math.round),
});

// ---------------------------------------------------------------- proofs on the largest tenant's tree
// One tenant holding every event: the proofs below are for a tree of TOTAL leaves.
const single = openAuditLog({ db: join(dir, "single.db") });
log(`building a single-tenant log of ${TOTAL} events for proofs`);
for (let i = 0; i < TOTAL; i += BURST) {
  const burst = [];
  for (let j = i; j < Math.min(TOTAL, i + BURST); j++)
    burst.push(single.append({ ...event(j), tenant: "one" }));
  await Promise.all(burst);
}
const size = single.size("one");
const incl = [];
const cons = [];
let verified = 0;
for (let q = 0; q < 200; q++) {
  const seq = Math.floor((((q * 7919) % 1000) / 1000) * size);
  t0 = performance.now();
  const p = single.inclusionProof("one", seq);
  incl.push(performance.now() - t0);
  const b = (h) => Buffer.from(h, "hex");
  if (verifyInclusion(b(p.leaf), p.seq, p.size, p.proof.map(b), b(p.root))) verified++;
  t0 = performance.now();
  single.consistencyProof("one", Math.max(1, seq), size);
  cons.push(performance.now() - t0);
}
emit({
  bench: "audit-proofs",
  treeSize: size,
  inclusionMsMedian: round(median(incl), 3),
  inclusionMsMax: round(Math.max(...incl), 3),
  consistencyMsMedian: round(median(cons), 3),
  verified: `${verified}/200`,
});
await auditLog.close();
await single.close();
rmSync(dir, { recursive: true, force: true });
