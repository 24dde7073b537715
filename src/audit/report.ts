/**
 * Analytics over the audit log with DuckDB: the log's model calls, cache hits and guard verdicts are
 * loaded into an in-memory DuckDB (through its appender, no extension to download), queried in SQL,
 * and optionally exported to Parquet for other tools. Only `data` fields are read: content stays
 * encrypted and is never decoded for a report.
 */
import { DuckDBInstance, DuckDBTimestampValue } from "@duckdb/node-api";
import type { SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";

export interface ReportOptions {
  tenant?: string;
  /** Only events at or after this time (ms since the epoch). */
  from?: number;
  /** Only events before this time. */
  to?: number;
  /** Also write every model call as a Parquet file here. */
  parquet?: string;
}

export interface CostRow {
  key: string;
  calls: number;
  usd: number;
  inputTokens: number;
  outputTokens: number;
}

export interface AuditReport {
  period: { from: string | null; to: string | null };
  totals: {
    calls: number;
    failed: number;
    unpriced: number;
    usd: number;
    cacheHits: number;
    verdicts: number;
  };
  costByTenant: CostRow[];
  costByKey: CostRow[];
  costByModel: CostRow[];
  costByDay: CostRow[];
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  latencyByModel: Array<{ model: string; p50: number; p95: number; p99: number }>;
  cacheHitRate: number | null;
  cacheByModel: Array<{ model: string; hits: number; calls: number; rate: number }>;
  guardVerdicts: Array<{ findingType: string; action: string; count: number }>;
}

interface EventRow {
  tenant: string;
  type: string;
  time: number;
  envelope: Buffer;
}

function readEvents(db: SqliteDatabase, options: ReportOptions): EventRow[] {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_events'").get();
  if (!hasTable)
    throw new KeelError(
      "NOT_FOUND",
      "This file holds no audit log (no audit_events table); check the --db path.",
    );
  const where = ["type IN ('model.call', 'cache.hit', 'guard.verdict')"];
  const params: Array<string | number> = [];
  if (options.tenant !== undefined) {
    where.push("tenant = ?");
    params.push(options.tenant);
  }
  if (options.from !== undefined) {
    where.push("time >= ?");
    params.push(options.from);
  }
  if (options.to !== undefined) {
    where.push("time < ?");
    params.push(options.to);
  }
  return db
    .prepare(`SELECT tenant, type, time, envelope FROM audit_events WHERE ${where.join(" AND ")}`)
    .all(...params) as EventRow[];
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown, fallback = "(unknown)"): string =>
  typeof v === "string" && v !== "" ? v : fallback;
const timestamp = (ms: number) => new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);

export async function auditReport(db: SqliteDatabase, options: ReportOptions = {}): Promise<AuditReport> {
  const rows = readEvents(db, options);
  const instance = await DuckDBInstance.create(":memory:");
  const duck = await instance.connect();
  try {
    await duck.run(`
      CREATE TABLE calls (tenant VARCHAR, actor VARCHAR, provider VARCHAR, model VARCHAR, ts TIMESTAMP,
        usd DOUBLE, priced BOOLEAN, latency_ms DOUBLE, input_tokens BIGINT, output_tokens BIGINT, ok BOOLEAN);
      CREATE TABLE hits (tenant VARCHAR, actor VARCHAR, model VARCHAR, ts TIMESTAMP);
      CREATE TABLE verdicts (tenant VARCHAR, source VARCHAR, action VARCHAR, finding_type VARCHAR, ts TIMESTAMP);
    `);
    const calls = await duck.createAppender("calls");
    const hits = await duck.createAppender("hits");
    const verdicts = await duck.createAppender("verdicts");
    let verdictEvents = 0;
    for (const row of rows) {
      const e = JSON.parse(row.envelope.toString("utf8")) as { actor: string; data: Record<string, unknown> };
      const d = e.data;
      if (row.type === "model.call") {
        const usage = (d.usage ?? {}) as Record<string, unknown>;
        const cost = (d.cost ?? {}) as Record<string, unknown>;
        calls.appendVarchar(row.tenant);
        calls.appendVarchar(str(e.actor));
        calls.appendVarchar(str(d.provider));
        calls.appendVarchar(str(d.resolvedModel, str(d.requestedModel)));
        calls.appendTimestamp(timestamp(row.time));
        calls.appendDouble(num(cost.usd));
        calls.appendBoolean(typeof cost.usd === "number");
        calls.appendDouble(num(d.latencyMs));
        calls.appendBigInt(BigInt(Math.round(num(usage.inputTokens))));
        calls.appendBigInt(BigInt(Math.round(num(usage.outputTokens))));
        calls.appendBoolean(d.status !== "error");
        calls.endRow();
      } else if (row.type === "cache.hit") {
        hits.appendVarchar(row.tenant);
        hits.appendVarchar(str(e.actor));
        hits.appendVarchar(str(d.model));
        hits.appendTimestamp(timestamp(row.time));
        hits.endRow();
      } else {
        verdictEvents++;
        const types =
          Array.isArray(d.findingTypes) && d.findingTypes.length > 0 ? d.findingTypes : ["(none)"];
        for (const t of types) {
          verdicts.appendVarchar(row.tenant);
          verdicts.appendVarchar(str(d.source));
          verdicts.appendVarchar(str(d.action));
          verdicts.appendVarchar(str(t));
          verdicts.appendTimestamp(timestamp(row.time));
          verdicts.endRow();
        }
      }
    }
    for (const a of [calls, hits, verdicts]) a.closeSync();
    if (options.parquet) {
      await duck.run(`COPY calls TO '${options.parquet.replaceAll("'", "''")}' (FORMAT parquet)`);
    }
    const all = async (sql: string) =>
      (await duck.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;
    const costBy = async (key: string): Promise<CostRow[]> =>
      (
        await all(`SELECT ${key} AS key, count(*) AS calls, coalesce(sum(usd), 0) AS usd,
          coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens
          FROM calls GROUP BY 1 ORDER BY usd DESC, key`)
      ).map((r) => ({
        key: String(r.key),
        calls: Number(r.calls),
        usd: Number(r.usd),
        inputTokens: Number(r.input_tokens),
        outputTokens: Number(r.output_tokens),
      }));
    const [totals] = await all(`SELECT count(*) AS calls, count(*) FILTER (WHERE NOT ok) AS failed,
      count(*) FILTER (WHERE NOT priced AND ok) AS unpriced, coalesce(sum(usd), 0) AS usd,
      min(ts) AS first, max(ts) AS last,
      quantile_cont(latency_ms, 0.5) AS p50, quantile_cont(latency_ms, 0.95) AS p95, quantile_cont(latency_ms, 0.99) AS p99
      FROM calls`);
    const [hitCount] = await all("SELECT count(*) AS n FROM hits");
    const t = totals as Record<string, unknown>;
    const callsN = Number(t.calls);
    const hitsN = Number((hitCount as Record<string, unknown>).n);
    return {
      period: { from: (t.first as string | null) ?? null, to: (t.last as string | null) ?? null },
      totals: {
        calls: callsN,
        failed: Number(t.failed),
        unpriced: Number(t.unpriced),
        usd: Number(t.usd),
        cacheHits: hitsN,
        verdicts: verdictEvents,
      },
      costByTenant: await costBy("tenant"),
      costByKey: await costBy("actor"),
      costByModel: await costBy("model"),
      costByDay: await costBy("strftime(ts, '%Y-%m-%d')"),
      latencyMs: {
        p50: t.p50 === null ? null : Number(t.p50),
        p95: t.p95 === null ? null : Number(t.p95),
        p99: t.p99 === null ? null : Number(t.p99),
      },
      latencyByModel: (
        await all(`SELECT model, quantile_cont(latency_ms, 0.5) AS p50, quantile_cont(latency_ms, 0.95) AS p95,
          quantile_cont(latency_ms, 0.99) AS p99 FROM calls GROUP BY model ORDER BY model`)
      ).map((r) => ({ model: String(r.model), p50: Number(r.p50), p95: Number(r.p95), p99: Number(r.p99) })),
      cacheHitRate: callsN + hitsN === 0 ? null : hitsN / (callsN + hitsN),
      cacheByModel: (
        await all(`SELECT model, sum(h) AS hits, sum(c) AS calls FROM (
            SELECT model, 1 AS h, 0 AS c FROM hits UNION ALL SELECT model, 0, 1 FROM calls)
          GROUP BY model ORDER BY model`)
      ).map((r) => ({
        model: String(r.model),
        hits: Number(r.hits),
        calls: Number(r.calls),
        rate: Number(r.hits) / (Number(r.hits) + Number(r.calls)),
      })),
      guardVerdicts: (
        await all(
          "SELECT finding_type, action, count(*) AS n FROM verdicts GROUP BY 1, 2 ORDER BY n DESC, 1, 2",
        )
      ).map((r) => ({ findingType: String(r.finding_type), action: String(r.action), count: Number(r.n) })),
    };
  } finally {
    duck.closeSync();
    instance.closeSync();
  }
}
