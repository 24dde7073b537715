/**
 * Opens the HTML audit report in a real browser (Debian's Chromium, driven by playwright-core) and
 * checks the charts draw from the inlined library, with no request leaving the page.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { AuditLog } from "../src/audit/log.js";
import { auditReport } from "../src/audit/report.js";
import { reportHtml } from "../src/audit/report-html.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const tempDir = useTempDirs("keel-report-browser-");
const CHROMIUM = "/usr/bin/chromium";

describe("the HTML audit report in Chromium", () => {
  it("draws its four charts offline, without errors", async () => {
    expect(fs.existsSync(CHROMIUM), "install Chromium: apt-get install chromium").toBe(true);
    const dir = tempDir();
    const file = path.join(dir, "audit.db");
    const log = new AuditLog({ db: file });
    for (let i = 0; i < 12; i++) {
      await log.append({
        type: "model.call",
        tenant: i % 2 ? "acme" : "globex",
        actor: `key_${i % 3}`,
        data: {
          provider: "openai",
          requestedModel: "gpt-4o-mini",
          resolvedModel: i % 4 ? "gpt-4o-mini" : "gpt-4o",
          parameters: {},
          usage: { inputTokens: 100 + i, outputTokens: 10 },
          cost: { usd: 0.001 * (i + 1), priceTable: "2026-11-01" },
          latencyMs: 100 * (i + 1),
          attempts: 1,
        },
      });
    }
    await log.append({
      type: "guard.verdict",
      tenant: "acme",
      actor: "key_1",
      data: {
        source: "input",
        scanners: ["pii"],
        policy: { id: "default", version: 1 },
        findingTypes: ["EMAIL"],
        action: "redact",
      },
    });
    await log.close();
    const html = path.join(dir, "report.html");
    fs.writeFileSync(html, reportHtml(await auditReport(new Database(file, { readonly: true }))));

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("request", (r) => {
        if (!r.url().startsWith("file:")) requests.push(r.url());
      });
      await page.goto(`file://${html}`);
      // Page-side code as strings: this project's TypeScript has no DOM types.
      await page.waitForFunction("document.body.dataset.chartsDrawn !== undefined");
      expect(await page.evaluate("document.body.dataset.chartsDrawn")).toBe("4");
      expect(await page.textContent("#total-calls")).toBe("12");
      // Each canvas got painted: some pixel is not transparent.
      const painted = await page.evaluate(`[...document.querySelectorAll("canvas")].map((c) =>
        c.getContext("2d").getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0))`);
      expect(painted).toEqual([true, true, true, true]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
