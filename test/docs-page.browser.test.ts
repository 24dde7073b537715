/**
 * Opens the API reference page (`GET /docs`) of a real server in Debian's Chromium, driven by
 * playwright-core: the operations render from the server's own OpenAPI document, with the page's
 * script served by the server, and no request leaves localhost.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { addCollectionRoutes } from "../src/server/collections/index.js";
import { addDocsRoutes } from "../src/server/docs.js";
import { serverGroups } from "../src/server/groups.js";
import { createKeelServer, type KeelServer } from "../src/server/index.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const tempDir = useTempDirs("keel-docs-browser-");
const CHROMIUM = "/usr/bin/chromium";
const servers: KeelServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("the API reference page in Chromium", () => {
  it("renders every operation from this server alone", async () => {
    expect(fs.existsSync(CHROMIUM), "install Chromium: apt-get install chromium").toBe(true);
    const server = createKeelServer({
      config: { store: { path: path.join(tempDir(), "keel.db") }, collections: { docs: { acl: true } } },
      groups: [...new Set([...serverGroups(), addCollectionRoutes, addDocsRoutes])],
    });
    servers.push(server);
    const { url } = await server.listen({ port: 0 });

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
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
      page.on("request", (r) => requests.push(r.url()));
      page.on("response", (r) => {
        if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${url}/docs`);

      // RapiDoc renders into its shadow root; Playwright's locators pierce it.
      const chat = page.locator("rapi-doc").getByText("/v1/chat/completions").first();
      await chat.waitFor({ state: "visible" });
      // All the text the page shows, shadow roots included (page-side code as a string: no DOM types here).
      const text = (await page.evaluate(`(() => {
        const parts = [];
        const walk = (node) => {
          if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent);
          if (node.shadowRoot) walk(node.shadowRoot);
          for (const child of node.childNodes) walk(child);
        };
        walk(document.body);
        return parts.join(" ");
      })()`)) as string;
      for (const spec of server.book.routes) {
        const shown = spec.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
        expect(text, `${spec.method.toUpperCase()} ${spec.path}`).toContain(shown);
      }
      expect(text).toContain("Ingest documents into the caller's tenant's copy of a collection");
      expect(text.toLowerCase()).toContain("post");

      expect(errors).toEqual([]);
      const origin = new URL(url).origin;
      expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
      expect(requests).toEqual(expect.arrayContaining([`${origin}/docs`, `${origin}/openapi.json`]));
    } finally {
      await browser.close();
    }
  }, 60_000);
});
