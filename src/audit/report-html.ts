/**
 * The audit report as one self-contained HTML file: tables, and charts drawn by Chart.js, whose UMD
 * build is inlined so the file opens anywhere, offline, with nothing fetched.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { AuditReport, CostRow } from "./report.js";

function chartLibrary(): string {
  // chart.js exports only its module builds; the UMD bundle sits beside them in dist/.
  const main = createRequire(import.meta.url).resolve("chart.js");
  return readFileSync(path.join(path.dirname(main), "chart.umd.min.js"), "utf8");
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** JSON safe inside a <script> element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

const usd = (x: number) => `$${x.toFixed(x < 1 ? 6 : 2)}`;
const ms = (x: number | null) => (x === null ? "-" : `${Math.round(x)} ms`);

function costTable(title: string, rows: CostRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.key)}</td><td>${r.calls}</td><td>${usd(r.usd)}</td><td>${r.inputTokens}</td><td>${r.outputTokens}</td></tr>`,
    )
    .join("");
  return `<h2>${escapeHtml(title)}</h2><table><thead><tr><th></th><th>calls</th><th>cost</th><th>input tokens</th><th>output tokens</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function reportHtml(report: AuditReport, title = "Keel audit report"): string {
  const t = report.totals;
  const verdictRows = report.guardVerdicts
    .map(
      (v) =>
        `<tr><td>${escapeHtml(v.findingType)}</td><td>${escapeHtml(v.action)}</td><td>${v.count}</td></tr>`,
    )
    .join("");
  const latencyRows = report.latencyByModel
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.model)}</td><td>${ms(l.p50)}</td><td>${ms(l.p95)}</td><td>${ms(l.p99)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1b1f24}h1{margin-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .8rem;text-align:right}
td:first-child,th:first-child{text-align:left}.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem}.card b{display:block;font-size:1.3rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.5rem}canvas{max-height:300px}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(report.period.from ?? "no events")} to ${escapeHtml(report.period.to ?? "")}</p>
<div class="cards">
<div class="card">model calls<b id="total-calls">${t.calls}</b></div>
<div class="card">cost<b id="total-cost">${usd(t.usd)}</b></div>
<div class="card">failed<b>${t.failed}</b></div>
<div class="card">unpriced<b>${t.unpriced}</b></div>
<div class="card">cache hit rate<b>${report.cacheHitRate === null ? "-" : `${(report.cacheHitRate * 100).toFixed(1)}%`}</b></div>
<div class="card">latency p50 / p95 / p99<b>${ms(report.latencyMs.p50)} / ${ms(report.latencyMs.p95)} / ${ms(report.latencyMs.p99)}</b></div>
<div class="card">guard verdicts<b>${t.verdicts}</b></div>
</div>
<div class="charts">
<div><h2>Cost by day</h2><canvas id="cost-by-day"></canvas></div>
<div><h2>Cost by model</h2><canvas id="cost-by-model"></canvas></div>
<div><h2>Latency by model</h2><canvas id="latency-by-model"></canvas></div>
<div><h2>Guard findings</h2><canvas id="guard-verdicts"></canvas></div>
</div>
${costTable("Cost by tenant", report.costByTenant)}
${costTable("Cost by API key", report.costByKey)}
${costTable("Cost by model", report.costByModel)}
${costTable("Cost by day", report.costByDay)}
<h2>Latency by model</h2><table><thead><tr><th></th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody>${latencyRows}</tbody></table>
<h2>Guard verdicts</h2><table><thead><tr><th>finding</th><th>action</th><th>count</th></tr></thead><tbody>${verdictRows}</tbody></table>
<script>${chartLibrary()}</script>
<script>
const report = ${scriptJson(report)};
const bar = (id, labels, datasets) => new Chart(document.getElementById(id), { type: "bar", data: { labels, datasets }, options: { animation: false, responsive: true } });
bar("cost-by-day", report.costByDay.map((r) => r.key), [{ label: "USD", data: report.costByDay.map((r) => r.usd) }]);
bar("cost-by-model", report.costByModel.map((r) => r.key), [{ label: "USD", data: report.costByModel.map((r) => r.usd) }]);
bar("latency-by-model", report.latencyByModel.map((r) => r.model), ["p50", "p95", "p99"].map((q) => ({ label: q, data: report.latencyByModel.map((r) => r[q]) })));
const types = [...new Set(report.guardVerdicts.map((v) => v.findingType))];
const actions = [...new Set(report.guardVerdicts.map((v) => v.action))];
bar("guard-verdicts", types, actions.map((a) => ({ label: a, data: types.map((t) => report.guardVerdicts.filter((v) => v.findingType === t && v.action === a).reduce((n, v) => n + v.count, 0)) })));
document.body.dataset.chartsDrawn = String(Chart.instances ? Object.keys(Chart.instances).length : 0);
</script>
</body></html>
`;
}
