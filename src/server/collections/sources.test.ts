import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDirs } from "../../testkit/temp-dirs.js";
import type { KeelConfig } from "../config.js";
import { createKeelServer, createRuntime, type KeelServer, type Runtime } from "../index.js";
import type { KeyStore } from "../keys.js";
import { addCollectionRoutes, ingestSources } from "./index.js";

const tempDir = useTempDirs("keel-sources-");
const open: Array<Runtime | KeelServer> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function write(dir: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

function runtime(dir: string, collections: KeelConfig["collections"]): Runtime {
  const rt = createRuntime({
    config: { store: { path: path.join(dir, "keel.db") }, collections },
    configDir: dir,
  });
  open.push(rt);
  return rt;
}

const ids = (hits: Array<{ documentId: string }>) => hits.map((h) => h.documentId).sort();

describe("ingestSources", () => {
  it("ingests folders and files relative to the configuration, then only what changed", async () => {
    const dir = tempDir();
    write(dir, {
      "handbook/leave.md": "# Leave\n\nSixteen weeks of parental leave for every employee.\n",
      "handbook/pay/salaries.md":
        "---\naccess: [staff]\n---\n# Salaries\n\nSalary bands for every employee are reviewed in March.\n",
      "handbook/.draft.md": "# Draft\n\nNot ready for any employee.\n",
      "handbook/logo.png": "not a document",
      "faq.txt": "Every employee may work remotely on Fridays.",
    });
    const rt = runtime(dir, { docs: { acl: true, sources: ["handbook", "faq.txt"] } });

    const [first] = await ingestSources(rt, "acme");
    expect(first).toMatchObject({
      collection: "docs",
      tenant: "acme",
      files: 3,
      added: 3,
      updated: 0,
      deleted: 0,
    });

    const docs = rt.collection("acme", "docs");
    const ask = async (groups: string[]) =>
      ids((await docs.query("employee", { k: 10, principal: { id: "bob", groups } })).hits);
    expect(await ask(["everyone"])).toEqual(["faq.txt", "leave.md"]);
    expect(await ask(["everyone", "staff"])).toEqual(["faq.txt", "leave.md", "pay/salaries.md"]);
    const salaries = await docs.get("pay/salaries.md");
    expect(salaries?.access).toEqual({ groups: ["staff"] });
    expect(salaries?.metadata).toEqual({ source: "pay/salaries.md", title: "Salaries" });

    const [second] = await ingestSources(rt, "acme");
    expect(second).toMatchObject({ files: 3, added: 0, updated: 0, unchanged: 3, deleted: 0, chunks: 0 });
    // A run that changed something is an admin action in the tenant's audit log; one that did not, nothing.
    const actions = rt
      .db!.prepare("SELECT envelope FROM audit_events WHERE tenant = 'acme'")
      .pluck()
      .all()
      .map((e) => JSON.parse(String(e)).data);
    expect(actions).toEqual([
      { action: "collection.sources", target: "docs", added: 3, updated: 0, deleted: 0 },
    ]);

    // A document ingested another way is not the sources' to prune.
    await docs.ingest([{ id: "api-note", text: "An employee note.", access: { groups: ["everyone"] } }]);
    write(dir, { "handbook/leave.md": "# Leave\n\nTwenty weeks of parental leave for every employee.\n" });
    fs.rmSync(path.join(dir, "faq.txt"));
    const rt2 = runtime(dir, { docs: { acl: true, sources: ["handbook"] } });
    const [third] = await ingestSources(rt2, "acme");
    expect(third).toMatchObject({ files: 2, added: 0, updated: 1, unchanged: 1, deleted: 1 });
    expect(
      ids(
        (
          await rt2
            .collection("acme", "docs")
            .query("employee", { k: 10, principal: { id: "b", groups: ["everyone"] } })
        ).hits,
      ),
    ).toEqual(["api-note", "leave.md"]);
  });

  it("fills one tenant's copy only, and the API enforces the front matter's access", async () => {
    const dir = tempDir();
    write(dir, {
      "kb/public.md": "# Hours\n\nThe office opens at nine.\n",
      "kb/staff.md": "---\naccess:\n  - staff\n---\n# Alarm\n\nThe office alarm code changes at nine.\n",
    });
    const server = createKeelServer({
      config: {
        store: { path: path.join(dir, "keel.db") },
        collections: { kb: { acl: true, sources: ["kb"] } },
      },
      configDir: dir,
      groups: [addCollectionRoutes],
    });
    open.push(server);
    await ingestSources(server.runtime, "acme");
    const { url } = await server.listen({ port: 0 });
    const ask = async (tenant: string, principal: unknown) => {
      const key = (server.runtime.keys as KeyStore).create({ tenant }).key;
      const res = await fetch(`${url}/collections/kb/query`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ query: "office nine", principal }),
      });
      return ids(((await res.json()) as { hits: Array<{ documentId: string }> }).hits);
    };
    expect(await ask("acme", { id: "ana" })).toEqual(["public.md"]);
    expect(await ask("acme", { id: "ana", groups: ["staff"] })).toEqual(["public.md", "staff.md"]);
    expect(await ask("globex", { id: "eve", groups: ["staff"] })).toEqual([]);
  });

  it("gives each record of a JSON Lines file its own document", async () => {
    const dir = tempDir();
    write(dir, {
      "data/faq.jsonl":
        '{"id": "q1", "title": "Opening hours", "text": "We open at nine."}\n{"id": "q2", "text": "We close at five."}\n',
    });
    const rt = runtime(dir, { faq: { sources: ["data"] } });
    const [report] = await ingestSources(rt, "acme");
    expect(report).toMatchObject({ files: 1, added: 2 });
    const hit = (await rt.collection("acme", "faq").query("open nine", { k: 1 })).hits[0];
    expect(hit).toMatchObject({
      documentId: "faq.jsonl#q1",
      metadata: { source: "faq.jsonl", title: "Opening hours" },
    });
  });

  it("prunes the documents of sources taken out of the configuration", async () => {
    const dir = tempDir();
    write(dir, { "a/one.txt": "Lighthouse keepers log the weather." });
    await ingestSources(runtime(dir, { docs: { sources: ["a"] } }), "acme");
    const rt = runtime(dir, { docs: {} });
    const [report] = await ingestSources(rt, "acme");
    expect(report).toMatchObject({ files: 0, deleted: 1 });
    expect((await rt.collection("acme", "docs").stats()).documents).toBe(0);
  });

  it("refuses what it cannot do faithfully, and changes nothing", async () => {
    const dir = tempDir();
    write(dir, {
      "open/a.md": "# A\n\nAlpha text.\n",
      "open/z.md": "---\naccess: [staff]\n---\n# Z\n\nZulu text.\n",
      "one/readme.md": "# One\n\nFirst readme.\n",
      "two/readme.md": "# Two\n\nSecond readme.\n",
    });
    const notAcl = runtime(dir, { docs: { sources: ["open"] } });
    await expect(ingestSources(notAcl, "acme")).rejects.toMatchObject({
      code: "INVALID_DOCUMENT",
      message: expect.stringContaining("acl: true"),
    });
    expect((await notAcl.collection("acme", "docs").stats()).documents).toBe(0);

    const missing = runtime(dir, { docs: { sources: ["open", "gone"] } });
    await expect(ingestSources(missing, "acme")).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
      message: expect.stringContaining("collections.docs.sources[1]"),
    });

    const clash = runtime(dir, { other: { sources: ["one", "two"] } });
    await expect(ingestSources(clash, "acme")).rejects.toMatchObject({
      code: "INVALID_DOCUMENT",
      message: expect.stringContaining('"readme.md"'),
    });

    write(dir, { "notes.bin": "binary" });
    const unsupported = runtime(dir, { docs3: { sources: ["open/a.md", "notes.bin"] } });
    await expect(ingestSources(unsupported, "acme")).rejects.toMatchObject({ code: "UNSUPPORTED_FILE_TYPE" });
    expect((await unsupported.collection("acme", "docs3").stats()).documents).toBe(0);

    write(dir, { "bad/x.md": "---\naccess: []\n---\n# X\n\nText.\n" });
    const empty = runtime(dir, { docs2: { acl: true, sources: ["bad"] } });
    await expect(ingestSources(empty, "acme")).rejects.toMatchObject({ code: "INVALID_DOCUMENT" });
  });
});
