import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDirs } from "../../testkit/temp-dirs.js";
import { addDocsRoutes } from "../docs.js";
import { createKeelServer, type KeelServer } from "../index.js";
import type { KeyStore } from "../keys.js";
import { addCollectionRoutes } from "./index.js";
import { IngestRequest, QueryRequest } from "./schemas.js";

const tempDir = useTempDirs("keel-collections-api-");
const servers: KeelServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const HANDBOOK = `---
title: Staff handbook
team: people
---
# Leave

## Parental leave

Employees receive sixteen weeks of paid parental leave.

# Expenses

Receipts are due within thirty days of purchase.
`;

async function start(collections: Record<string, { acl?: boolean }> = { docs: { acl: true } }) {
  const server = createKeelServer({
    config: { store: { path: path.join(tempDir(), "keel.db") }, collections },
    groups: [addCollectionRoutes, addDocsRoutes],
  });
  servers.push(server);
  const { url } = await server.listen({ port: 0 });
  const keyOf = (tenant: string, role: "app" | "admin" | "auditor" = "app") =>
    (server.runtime.keys as KeyStore).create({ tenant, role }).key;
  const call = async (key: string | undefined, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { server, url, keyOf, call };
}

const everyone = { groups: ["everyone"] };

describe("collections API", () => {
  it("ingests Markdown and answers queries with citations that point into the document", async () => {
    const { keyOf, call } = await start();
    const key = keyOf("acme");
    const ingest = await call(key, "POST", "/collections/docs/documents", {
      documents: [
        { id: "handbook", text: HANDBOOK, format: "markdown", metadata: { year: 2026 }, access: everyone },
        {
          id: "security",
          format: "html",
          text: "<html><head><title>Security</title></head><body><nav>Home</nav><article><h1>Passwords</h1><p>Passwords rotate every ninety days.</p></article></body></html>",
          access: everyone,
        },
      ],
    });
    expect(ingest).toEqual({
      status: 200,
      body: {
        collection: "docs",
        documents: 2,
        added: 2,
        updated: 0,
        unchanged: 0,
        chunks: expect.any(Number),
      },
    });

    const { status, body } = await call(key, "POST", "/collections/docs/query", {
      query: "how long is parental leave",
      k: 1,
      principal: { id: "ana" },
    });
    expect(status).toBe(200);
    const [hit] = body.hits;
    expect(hit).toMatchObject({
      documentId: "handbook",
      headingPath: ["Leave", "Parental leave"],
      metadata: { title: "Staff handbook", team: "people", year: 2026 },
    });
    expect(HANDBOOK.slice(hit.span.start, hit.span.end)).toBe(hit.text);
    expect(hit.text).toContain("sixteen weeks");

    const html = await call(key, "POST", "/collections/docs/query", {
      query: "password rotation",
      k: 1,
      mode: "bm25",
      principal: { id: "ana" },
    });
    expect(html.body).toMatchObject({
      mode: "bm25",
      hits: [{ documentId: "security", headingPath: ["Passwords"] }],
    });
    expect(html.body.hits[0].metadata.title).toBe("Security");

    // The same documents again cost nothing.
    const again = await call(key, "POST", "/collections/docs/documents", {
      documents: [
        { id: "handbook", text: HANDBOOK, format: "markdown", metadata: { year: 2026 }, access: everyone },
      ],
    });
    expect(again.body).toMatchObject({ added: 0, updated: 0, unchanged: 1, chunks: 0 });
  });

  it("filters by metadata and names the filter when it is wrong", async () => {
    const { keyOf, call } = await start();
    const key = keyOf("acme");
    await call(key, "POST", "/collections/docs/documents", {
      documents: [
        { id: "a", text: "Refunds take five days.", metadata: { team: "billing" }, access: everyone },
        {
          id: "b",
          text: "Refunds of gift cards take ten days.",
          metadata: { team: "gifts" },
          access: everyone,
        },
      ],
    });
    const filtered = await call(key, "POST", "/collections/docs/query", {
      query: "refunds",
      filter: { team: "gifts" },
      principal: { id: "ana" },
    });
    expect(filtered.body.hits.map((h: { documentId: string }) => h.documentId)).toEqual(["b"]);
    const bad = await call(key, "POST", "/collections/docs/query", {
      query: "refunds",
      filter: { colour: "red" },
      principal: { id: "ana" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "INVALID_FILTER", param: "filter" });
  });

  it("keeps a staff-only document from a principal outside the group", async () => {
    const { keyOf, call } = await start();
    const key = keyOf("acme");
    const ingest = await call(key, "POST", "/collections/docs/documents", {
      documents: [
        {
          id: "salaries",
          text: "The salary bands for engineers are reviewed in March.",
          access: { groups: ["staff"] },
        },
        {
          id: "bonus",
          format: "markdown",
          text: "---\naccess: [staff]\n---\n# Bonus\n\nThe engineers' bonus pool is paid in March.",
        },
        { id: "faq", text: "Engineers may work remotely in March.", access: everyone },
        {
          id: "ana-notes",
          text: "Ana's review with the engineers is in March.",
          access: { principals: ["ana"] },
        },
      ],
    });
    expect(ingest.status).toBe(200);
    const ask = (principal: unknown) =>
      call(key, "POST", "/collections/docs/query", { query: "engineers march", k: 10, principal });
    const ids = (r: { body: { hits: Array<{ documentId: string }> } }) =>
      r.body.hits.map((h) => h.documentId).sort();

    expect(ids(await ask({ id: "bob" }))).toEqual(["faq"]);
    expect(ids(await ask({ id: "bob", groups: ["sales"] }))).toEqual(["faq"]);
    expect(ids(await ask({ id: "ana" }))).toEqual(["ana-notes", "faq"]);
    expect(ids(await ask({ id: "carol", groups: ["staff"] }))).toEqual(["bonus", "faq", "salaries"]);
    // Front matter access is the document's access list, not a field of its metadata.
    const bonus = (await ask({ id: "carol", groups: ["staff"] })).body.hits.find(
      (h: { documentId: string }) => h.documentId === "bonus",
    );
    expect(bonus.metadata).not.toHaveProperty("access");

    const missing = await call(key, "POST", "/collections/docs/query", { query: "engineers" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "PRINCIPAL_REQUIRED", param: "principal" });
  });

  it("requires access on documents of a collection with access control, and refuses it elsewhere", async () => {
    const { keyOf, call } = await start({ docs: { acl: true }, notes: {} });
    const key = keyOf("acme");
    const noAccess = await call(key, "POST", "/collections/docs/documents", {
      documents: [
        { id: "ok", text: "fine", access: everyone },
        { id: "open", text: "Anyone may read this." },
      ],
    });
    expect(noAccess.status).toBe(400);
    expect(noAccess.body.error).toMatchObject({ code: "INVALID_DOCUMENT", param: "documents.1.access" });
    expect(noAccess.body.error.message).toContain('"everyone"');

    const withAccess = await call(key, "POST", "/collections/notes/documents", {
      documents: [{ id: "n", text: "A note.", access: { groups: ["staff"] } }],
    });
    expect(withAccess.status).toBe(400);
    expect(withAccess.body.error.param).toBe("documents.0.access");

    // Nothing of a refused batch was written.
    const query = await call(key, "POST", "/collections/docs/query", {
      query: "fine",
      principal: { id: "x" },
    });
    expect(query.body.hits).toEqual([]);

    // Without access control, a principal is accepted and changes nothing.
    await call(key, "POST", "/collections/notes/documents", {
      documents: [{ id: "n", text: "A note on lamps." }],
    });
    const open = await call(key, "POST", "/collections/notes/query", {
      query: "lamps",
      principal: { id: "x" },
    });
    expect(open.body.hits.map((h: { documentId: string }) => h.documentId)).toEqual(["n"]);
  });

  it("keeps tenants apart", async () => {
    const { keyOf, call } = await start();
    const acme = keyOf("acme");
    const globex = keyOf("globex");
    await call(acme, "POST", "/collections/docs/documents", {
      documents: [{ id: "plan", text: "Acme's secret launch plan is in June.", access: everyone }],
    });
    const theirs = await call(globex, "POST", "/collections/docs/query", {
      query: "secret launch plan",
      principal: { id: "eve", groups: ["staff"] },
    });
    expect(theirs).toEqual({ status: 200, body: { collection: "docs", mode: "hybrid", hits: [] } });
    const del = await call(globex, "DELETE", "/collections/docs/documents/plan");
    expect(del.status).toBe(404);
    const ours = await call(acme, "POST", "/collections/docs/query", {
      query: "secret launch plan",
      principal: { id: "ana" },
    });
    expect(ours.body.hits.map((h: { documentId: string }) => h.documentId)).toEqual(["plan"]);
  });

  it("deletes a document, ids with slashes included, and 404s on one that is not there", async () => {
    const { keyOf, call } = await start();
    const key = keyOf("acme", "admin");
    await call(key, "POST", "/collections/docs/documents", {
      documents: [
        { id: "guides/refunds.md", text: "Refunds take five days.", access: everyone },
        { id: "other", text: "Refunds of gift cards are not possible.", access: everyone },
      ],
    });
    const del = await call(
      key,
      "DELETE",
      `/collections/docs/documents/${encodeURIComponent("guides/refunds.md")}`,
    );
    expect(del).toEqual({ status: 200, body: { id: "guides/refunds.md", deleted: true } });
    const after = await call(key, "POST", "/collections/docs/query", {
      query: "refunds",
      principal: { id: "a" },
    });
    expect(after.body.hits.map((h: { documentId: string }) => h.documentId)).toEqual(["other"]);
    const again = await call(
      key,
      "DELETE",
      `/collections/docs/documents/${encodeURIComponent("guides/refunds.md")}`,
    );
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NOT_FOUND");
  });

  it("answers bad requests with the field at fault", async () => {
    const { url, keyOf, call } = await start();
    const key = keyOf("acme");
    const unknown = await call(key, "POST", "/collections/nope/query", {
      query: "x",
      principal: { id: "a" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("UNKNOWN_COLLECTION");
    expect(unknown.body.error.message).toContain("docs");
    expect((await call(key, "DELETE", "/collections/nope/documents/x")).status).toBe(404);

    const post = (body: string, type = "application/json") =>
      fetch(`${url}/collections/docs/documents`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": type },
        body,
      });
    const malformed = await post('{"documents": [');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error.code).toBe("INVALID_JSON");
    const wrongType = await post("id=1", "application/x-www-form-urlencoded");
    expect(wrongType.status).toBe(415);

    const cases: Array<[unknown, string]> = [
      [{ documents: [] }, "documents"],
      [{ documents: [{ id: "a" }] }, "documents.0.text"],
      [{ documents: [{ id: "a", text: "x", format: "pdf", access: everyone }] }, "documents.0.format"],
      [
        { documents: [{ id: "a", text: "x", metadata: { tags: [{ a: 1 }] }, access: everyone }] },
        "documents.0.metadata.tags",
      ],
      [{ documents: [{ id: "a", text: "x", access: { groups: [] } }] }, "documents.0.access"],
      [{ documents: [{ id: "a", text: "   ", access: everyone }] }, "documents.0.text"],
      [
        {
          documents: [
            { id: "a", text: "one", access: everyone },
            { id: "a", text: "two", access: everyone },
          ],
        },
        "documents.1.id",
      ],
    ];
    for (const [body, param] of cases) {
      const res = await call(key, "POST", "/collections/docs/documents", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.param, JSON.stringify(body)).toBe(param);
    }
    const badK = await call(key, "POST", "/collections/docs/query", {
      query: "x",
      k: 0,
      principal: { id: "a" },
    });
    expect(badK.status).toBe(400);
    expect(badK.body.error.param).toBe("k");
    const extra = await call(key, "POST", "/collections/docs/query", {
      query: "x",
      top: 3,
      principal: { id: "a" },
    });
    expect(extra.status).toBe(400);
  });

  it("refuses a body over the server's limit", async () => {
    const server = createKeelServer({
      config: {
        store: { path: path.join(tempDir(), "keel.db") },
        collections: { docs: {} },
        limits: { maxBodyBytes: 1000 },
      },
      groups: [addCollectionRoutes],
    });
    servers.push(server);
    const { url } = await server.listen({ port: 0 });
    const key = (server.runtime.keys as KeyStore).create({ tenant: "acme" }).key;
    const res = await fetch(`${url}/collections/docs/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ documents: [{ id: "big", text: "word ".repeat(500) }] }),
    });
    expect(res.status).toBe(413);
  });

  it("needs an app or admin key", async () => {
    const { keyOf, call } = await start();
    const query = { query: "x", principal: { id: "a" } };
    const none = await call(undefined, "POST", "/collections/docs/query", query);
    expect(none.status).toBe(401);
    const wrong = await call("keel_not-a-real-key", "POST", "/collections/docs/query", query);
    expect(wrong.status).toBe(401);
    const auditor = await call(keyOf("acme", "auditor"), "POST", "/collections/docs/query", query);
    expect(auditor.status).toBe(403);
    expect(auditor.body.error.code).toBe("FORBIDDEN");
    const auditorDelete = await call(keyOf("acme", "auditor"), "DELETE", "/collections/docs/documents/x");
    expect(auditorDelete.status).toBe(403);
    expect((await call(keyOf("acme", "admin"), "POST", "/collections/docs/query", query)).status).toBe(200);
  });

  it("does what the reference page's examples show", async () => {
    const { keyOf, call } = await start();
    const key = keyOf("acme");
    const [ingest] = (IngestRequest.meta()?.examples ?? []) as unknown[];
    const [query] = (QueryRequest.meta()?.examples ?? []) as unknown[];
    expect((await call(key, "POST", "/collections/docs/documents", ingest)).body).toMatchObject({ added: 1 });
    const result = await call(key, "POST", "/collections/docs/query", query);
    expect(result.body.hits[0]).toMatchObject({
      documentId: "policies/refunds.md",
      headingPath: ["Refunds"],
    });
  });

  it("records ingests and deletes in the audit log as admin actions", async () => {
    const { server, keyOf, call } = await start();
    const key = keyOf("acme");
    await call(key, "POST", "/collections/docs/documents", {
      documents: [{ id: "a", text: "Lamps are lit at dusk.", access: everyone }],
    });
    await call(key, "DELETE", "/collections/docs/documents/a");
    const events = server.runtime
      .db!.prepare("SELECT envelope FROM audit_events WHERE tenant = 'acme' ORDER BY seq")
      .all()
      .map((r) => JSON.parse((r as { envelope: Buffer }).envelope.toString("utf8")));
    const actions = events.filter((e) => e.type === "admin.action").map((e) => e.data);
    expect(actions).toEqual([
      { action: "collection.ingest", target: "docs" },
      { action: "collection.delete", target: "docs" },
    ]);
    expect(JSON.stringify(events)).not.toContain("Lamps");
  });
});
