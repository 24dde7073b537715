import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../testkit/temp-dirs.js";
import type { AuditEventInput } from "./events.js";
import { AuditLog } from "./log.js";
import { auditReport } from "./report.js";
import { reportHtml } from "./report-html.js";

const tempDir = useTempDirs("keel-report-");
const DAY1 = Date.UTC(2026, 10, 1, 9);
const DAY2 = Date.UTC(2026, 10, 2, 9);

function call(
  tenant: string,
  actor: string,
  model: string,
  usd: number | null,
  latencyMs: number,
  status = "ok",
): AuditEventInput<"model.call"> {
  return {
    type: "model.call",
    tenant,
    actor,
    data: {
      provider: "openai",
      requestedModel: model,
      resolvedModel: model,
      parameters: {},
      usage: { inputTokens: 100, outputTokens: 10 },
      cost: { usd: usd as number, priceTable: "2026-11-01" },
      latencyMs,
      attempts: 1,
      status,
    },
  };
}

async function sampleLog() {
  const file = path.join(tempDir(), "audit.db");
  let now = DAY1;
  const log = new AuditLog({ db: file, now: () => now });
  await log.append(call("acme", "key_a", "gpt-4o-mini", 0.001, 100));
  await log.append(call("acme", "key_a", "gpt-4o-mini", 0.002, 200));
  await log.append(call("acme", "key_b", "gpt-4o-mini", null, 300, "error"));
  now = DAY2;
  await log.append(call("globex", "key_c", "gpt-4o", 0.01, 1000));
  await log.append(call("acme", "key_b", "my-finetune", null, 400));
  for (let i = 0; i < 2; i++) {
    await log.append({
      type: "cache.hit",
      tenant: "acme",
      actor: "key_a",
      data: { key: `k${i}`, provider: "openai", model: "gpt-4o-mini" },
    });
  }
  const verdict = (findingTypes: string[], action: string): AuditEventInput<"guard.verdict"> => ({
    type: "guard.verdict",
    tenant: "acme",
    actor: "key_a",
    data: {
      source: "input",
      scanners: ["pii", "injection"],
      policy: { id: "default", version: 1 },
      findingTypes,
      action,
    },
  });
  await log.append(verdict(["EMAIL", "PHONE"], "redact"));
  await log.append(verdict(["EMAIL"], "redact"));
  await log.append(verdict(["PROMPT_INJECTION"], "block"));
  await log.close();
  return file;
}

describe("audit report", () => {
  it("computes cost by tenant, key, model and day, latency percentiles, cache hit rate and guard verdicts", async () => {
    const file = await sampleLog();
    const report = await auditReport(new Database(file, { readonly: true }));
    expect(report.totals).toEqual({
      calls: 5,
      failed: 1,
      unpriced: 1,
      usd: expect.closeTo(0.013, 10),
      cacheHits: 2,
      verdicts: 3,
    });
    expect(report.costByTenant).toEqual([
      { key: "globex", calls: 1, usd: 0.01, inputTokens: 100, outputTokens: 10 },
      { key: "acme", calls: 4, usd: expect.closeTo(0.003, 10), inputTokens: 400, outputTokens: 40 },
    ]);
    expect(report.costByKey.map((r) => r.key)).toEqual(["key_c", "key_a", "key_b"]);
    expect(report.costByDay.map((r) => [r.key, r.calls])).toEqual([
      ["2026-11-02", 2],
      ["2026-11-01", 3],
    ]);
    // quantile_cont over 100, 200, 300, 400, 1000.
    expect(report.latencyMs).toEqual({ p50: 300, p95: expect.closeTo(880, 6), p99: expect.closeTo(976, 6) });
    expect(report.cacheHitRate).toBeCloseTo(2 / 7, 10);
    expect(report.cacheByModel.find((m) => m.model === "gpt-4o-mini")).toEqual({
      model: "gpt-4o-mini",
      hits: 2,
      calls: 3,
      rate: 0.4,
    });
    expect(report.guardVerdicts).toEqual([
      { findingType: "EMAIL", action: "redact", count: 2 },
      { findingType: "PHONE", action: "redact", count: 1 },
      { findingType: "PROMPT_INJECTION", action: "block", count: 1 },
    ]);
  });

  it("filters by tenant and period, and exports the calls to Parquet that DuckDB reads back", async () => {
    const file = await sampleLog();
    const parquet = path.join(tempDir(), "calls.parquet");
    const report = await auditReport(new Database(file, { readonly: true }), {
      tenant: "acme",
      from: DAY2 - 3_600_000,
      parquet,
    });
    expect(report.totals.calls).toBe(1);
    expect(report.costByModel.map((r) => r.key)).toEqual(["my-finetune"]);
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const rows = (await duck.runAndReadAll(`SELECT model, tenant FROM '${parquet}'`)).getRowObjectsJson();
    expect(rows).toEqual([{ model: "my-finetune", tenant: "acme" }]);
    duck.closeSync();
  });

  it("writes one self-contained HTML file: the chart library inlined, nothing fetched", async () => {
    const file = await sampleLog();
    const html = reportHtml(await auditReport(new Database(file, { readonly: true })));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=|<img[^>]*\ssrc=|@import/);
    expect(html).toContain("Chart.js");
    expect(html).toContain('id="total-calls">5<');
    expect(html).toContain("PROMPT_INJECTION");
    expect(html.length).toBeGreaterThan(150_000);
  });

  it("refuses a file without an audit log", async () => {
    const empty = new Database(path.join(tempDir(), "other.db"));
    await expect(auditReport(empty)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(fs.existsSync(path.join(tempDir(), "x"))).toBe(false);
  });
});
