/**
 * Prometheus metrics (`GET /metrics`, text format) through prom-client, on a registry of the
 * server's own (two servers in one process do not mix their counts). Labels are bounded: a route
 * pattern, never a raw path; a model alias, never a prompt; a tenant, never a key secret.
 */
import { Counter, Histogram, Registry } from "prom-client";
import type { VerdictRecord } from "../guard/index.js";

export interface Metrics {
  readonly registry: Registry;
  request(route: string, method: string, status: number, seconds: number): void;
  overhead(route: string, seconds: number): void;
  tokens(tenant: string, model: string, input: number, output: number): void;
  cost(tenant: string, model: string, usd: number): void;
  cacheLookup(hit: boolean): void;
  guardVerdict(v: VerdictRecord): void;
  auditFailure(): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "keel_http_requests_total",
    help: "HTTP requests by route, method and status.",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "keel_http_request_duration_seconds",
    help: "Time from request to response headers, by route.",
    labelNames: ["route"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const overhead = new Histogram({
    name: "keel_gateway_overhead_seconds",
    help: "Time spent in Keel for a model request, the upstream's time excluded.",
    labelNames: ["route"],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "keel_model_tokens_total",
    help: "Tokens by tenant, model and direction (input, output).",
    labelNames: ["tenant", "model", "direction"],
    registers: [registry],
  });
  const cost = new Counter({
    name: "keel_model_cost_usd_total",
    help: "Cost of model calls in USD by tenant and model.",
    labelNames: ["tenant", "model"],
    registers: [registry],
  });
  const cache = new Counter({
    name: "keel_cache_lookups_total",
    help: "Response cache lookups by result (hit, miss).",
    labelNames: ["result"],
    registers: [registry],
  });
  const verdicts = new Counter({
    name: "keel_guard_verdicts_total",
    help: "Guard verdicts by source and action.",
    labelNames: ["source", "action"],
    registers: [registry],
  });
  const findings = new Counter({
    name: "keel_guard_findings_total",
    help: "Guard findings by type and the action taken.",
    labelNames: ["type", "action"],
    registers: [registry],
  });
  const auditFailures = new Counter({
    name: "keel_audit_append_failures_total",
    help: "Audit events that could not be written.",
    registers: [registry],
  });
  return {
    registry,
    request(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
    overhead: (route, seconds) => overhead.observe({ route }, seconds),
    tokens(tenant, model, input, output) {
      if (input > 0) tokens.inc({ tenant, model, direction: "input" }, input);
      if (output > 0) tokens.inc({ tenant, model, direction: "output" }, output);
    },
    cost(tenant, model, usd) {
      if (usd > 0) cost.inc({ tenant, model }, usd);
    },
    cacheLookup: (hit) => cache.inc({ result: hit ? "hit" : "miss" }),
    guardVerdict(v) {
      verdicts.inc({ source: v.source, action: v.action });
      for (const f of v.findings) findings.inc({ type: f.type, action: f.action });
    },
    auditFailure: () => auditFailures.inc(),
  };
}
