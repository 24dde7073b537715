import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { addCollectionRoutes } from "./collections/index.js";
import { addDocsRoutes } from "./docs.js";
import { serverGroups } from "./groups.js";
import { createKeelServer, type KeelServer } from "./index.js";
import { type OpenApiDocument, openApiDocument, openApiPath } from "./openapi.js";
import { RouteBook, type RouteSpec } from "./routes.js";

const tempDir = useTempDirs("keel-openapi-");
const servers: KeelServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

type Json = Record<string, any>;

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const PARAMETER_PLACES = new Set(["query", "header", "path", "cookie"]);
const SCHEME_TYPES = new Set(["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"]);

/** What OpenAPI 3.1 requires of a document's structure, checked field by field; each problem named. */
function openApiProblems(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (typeof doc.openapi !== "string" || !/^3\.1\.\d+$/.test(doc.openapi)) fail("openapi", "not 3.1.x");
  if (typeof doc.info?.title !== "string") fail("info.title", "missing");
  if (typeof doc.info?.version !== "string") fail("info.version", "missing");
  if (!doc.paths && !doc.components && !doc.webhooks) fail("(root)", "needs paths, components or webhooks");
  const operationIds = new Set<string>();
  const schemes = (doc.components?.securitySchemes ?? {}) as Record<string, Json>;
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!SCHEME_TYPES.has(scheme.type)) fail(`securitySchemes.${name}`, `type ${scheme.type}`);
    if (scheme.type === "http" && typeof scheme.scheme !== "string")
      fail(`securitySchemes.${name}`, "no scheme");
    if (
      scheme.type === "apiKey" &&
      (typeof scheme.name !== "string" || !["query", "header", "cookie"].includes(scheme.in))
    )
      fail(`securitySchemes.${name}`, "apiKey needs name and in");
  }
  for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    if (!template.startsWith("/")) fail(template, "path does not start with /");
    const templated = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${template}`;
      if (!METHODS.has(method)) {
        fail(where, "not an HTTP method");
        continue;
      }
      if (op.operationId !== undefined) {
        if (operationIds.has(op.operationId)) fail(where, `operationId ${op.operationId} is not unique`);
        operationIds.add(op.operationId);
      }
      const seen = new Set<string>();
      for (const p of (op.parameters ?? []) as Json[]) {
        if (typeof p.name !== "string" || !PARAMETER_PLACES.has(p.in))
          fail(where, "parameter without name or in");
        if (seen.has(`${p.in}:${p.name}`)) fail(where, `parameter ${p.name} twice`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === "path" && p.required !== true) fail(where, `path parameter ${p.name} not required`);
        if (p.in === "path" && !templated.includes(p.name))
          fail(where, `path parameter ${p.name} not in the path`);
        if ((p.schema === undefined) === (p.content === undefined))
          fail(where, `parameter ${p.name} needs schema or content`);
      }
      for (const name of templated)
        if (!seen.has(`path:${name}`)) fail(where, `{${name}} has no path parameter`);
      if (op.requestBody && typeof op.requestBody.content !== "object")
        fail(where, "requestBody without content");
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>);
      if (responses.length === 0) fail(where, "no responses");
      for (const [status, response] of responses) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(status)) fail(where, `response key ${status}`);
        if (typeof response.description !== "string") fail(where, `response ${status} has no description`);
        for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
          if (typeof media.schema !== "object") fail(where, `response ${status} ${type} has no schema`);
        }
      }
      for (const requirement of (op.security ?? []) as Json[]) {
        for (const name of Object.keys(requirement))
          if (!schemes[name]) fail(where, `unknown security scheme ${name}`);
      }
    }
  }
  // Every reference resolves inside the document.
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${at}/${i}`);
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string") {
          if (!value.startsWith("#/") || resolve(doc, value) === undefined)
            fail(at, `unresolved $ref ${value}`);
        } else walk(value, `${at}/${key}`);
      }
    }
  };
  walk(doc, "#");
  return problems;
}

function resolve(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<any>((node, key) => (node && typeof node === "object" ? node[key] : undefined), doc);
}

const deref = (doc: Json, schema: Json): Json => (schema.$ref ? (resolve(doc, schema.$ref) as Json) : schema);

async function fullServer() {
  // Every route group the server has, ours included once (the full server may list them already).
  const groups = [...new Set([...serverGroups(), addCollectionRoutes, addDocsRoutes])];
  const server = createKeelServer({
    config: { store: { path: path.join(tempDir(), "keel.db") }, collections: { docs: { acl: true } } },
    groups,
  });
  servers.push(server);
  const { url } = await server.listen({ port: 0 });
  return { server, url };
}

describe("the OpenAPI document", () => {
  it("lists every registered route with its schemas, and is structurally OpenAPI 3.1", async () => {
    const { server, url } = await fullServer();
    const res = await fetch(`${url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    expect(openApiProblems(doc)).toEqual([]);
    // The checker itself finds what it is meant to find.
    const broken = {
      ...doc,
      openapi: "3.0.3",
      paths: {
        "/x/{id}": {
          get: { responses: { "200": { content: { "application/json": { schema: { $ref: "#/nope" } } } } } },
        },
      },
    };
    const found = openApiProblems(broken).join("\n");
    expect(found).toContain("openapi: not 3.1.x");
    expect(found).toContain("GET /x/{id}: {id} has no path parameter");
    expect(found).toContain("GET /x/{id}: response 200 has no description");
    expect(found).toContain("unresolved $ref #/nope");

    expect(server.book.routes.length).toBeGreaterThan(10);
    for (const spec of server.book.routes) {
      const where = `${spec.method.toUpperCase()} ${spec.path}`;
      const op = doc.paths[openApiPath(spec.path)]?.[spec.method] as Json | undefined;
      expect(op, where).toBeDefined();
      expect(op?.summary, where).toBe(spec.summary);
      const body = spec.body ?? spec.rawBody;
      expect(op?.requestBody?.content?.["application/json"]?.schema !== undefined, where).toBe(
        body !== undefined,
      );
      if (spec.response)
        expect(
          op?.responses[String(spec.status ?? 200)].content["application/json"].schema,
          where,
        ).toBeDefined();
      if (spec.events)
        expect(op?.responses[String(spec.status ?? 200)].content["text/event-stream"], where).toBeDefined();
      expect(op?.security, where).toEqual(spec.roles ? [{ bearerAuth: [] }, { apiKeyHeader: [] }] : []);
      if (spec.roles)
        expect(Object.keys(op?.responses), where).toEqual(expect.arrayContaining(["401", "403"]));
      for (const name of Object.keys(spec.query?.shape ?? {})) {
        expect(
          op?.parameters?.some((p: Json) => p.in === "query" && p.name === name),
          `${where} ?${name}`,
        ).toBe(true);
      }
    }

    const chat = doc.paths["/v1/chat/completions"]?.post as Json;
    expect(chat.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/ChatCompletionRequest",
    });
    expect(chat.responses["200"].content["text/event-stream"]).toBeDefined();

    const query = doc.paths["/collections/{name}/query"]?.post as Json;
    expect(query.parameters).toEqual([
      { name: "name", in: "path", required: true, schema: { type: "string" } },
    ]);
    const request = deref(doc, query.requestBody.content["application/json"].schema);
    expect(request.required).toEqual(["query"]);
    expect(Object.keys(request.properties)).toEqual(["query", "k", "mode", "filter", "principal"]);
    const result = deref(doc, query.responses["200"].content["application/json"].schema);
    const citation = deref(doc, result.properties.hits.items);
    expect(citation.required).toEqual(
      expect.arrayContaining(["documentId", "text", "score", "span", "headingPath", "metadata"]),
    );
    expect(query.responses["400"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/ErrorResponse",
    });

    const ingest = doc.paths["/collections/{name}/documents"]?.post as Json;
    expect(ingest.requestBody.content["application/json"].examples.example1.value.documents[0]).toMatchObject(
      {
        id: "policies/refunds.md",
        format: "markdown",
      },
    );

    const audit = doc.paths["/audit/events"]?.get as Json;
    expect(audit.parameters.find((p: Json) => p.name === "limit")).toMatchObject({
      in: "query",
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 1000 },
    });
    const del = doc.paths["/collections/{name}/documents/{id}"]?.delete as Json;
    expect(del.parameters.map((p: Json) => p.name)).toEqual(["name", "id"]);
    expect(doc.paths["/openapi.json"]?.get?.security).toEqual([]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        "CreateKey",
        "EmbeddingsRequest",
        "CollectionDocument",
        "CollectionQueryRequest",
        "Citation",
      ]),
    );
  });

  it("names input and output forms apart when they differ, and says what to fix in a schema it cannot place", () => {
    const Item = z.object({ name: z.string(), size: z.number().default(1) }).meta({ id: "OpenApiTestItem" });
    const Same = z.object({ id: z.string() }).strict().meta({ id: "OpenApiTestSame" }); // one form both ways
    const book = new RouteBook();
    const spec = (over: Partial<RouteSpec>): RouteSpec => ({
      method: "post",
      path: "/items",
      summary: "s",
      tag: "t",
      roles: ["app"],
      ...over,
    });
    book.routes.push(
      spec({ body: z.object({ item: Item, same: Same }), response: z.object({ item: Item, same: Same }) }),
      spec({
        method: "get",
        path: "/items/:id{[0-9]+}/events",
        roles: null,
        query: z.object({ after: z.coerce.number().int().optional(), kind: z.enum(["a", "b"]) }),
        events: true,
      }),
    );
    const doc = openApiDocument(book, { title: "t", version: "1" }) as Json;
    expect(openApiProblems(doc)).toEqual([]);
    const schemas = doc.components.schemas;
    expect(schemas.OpenApiTestItem.required).toEqual(["name", "size"]); // as written: size is always there
    expect(schemas.OpenApiTestItemInput.required).toEqual(["name"]); // as read: size may be left out
    expect(schemas.OpenApiTestSame).toBeDefined();
    expect(schemas.OpenApiTestSameInput).toBeUndefined();
    const post = doc.paths["/items"].post;
    expect(post.requestBody.content["application/json"].schema.properties.item).toEqual({
      $ref: "#/components/schemas/OpenApiTestItemInput",
    });
    expect(post.responses["200"].content["application/json"].schema.properties.item).toEqual({
      $ref: "#/components/schemas/OpenApiTestItem",
    });
    const events = doc.paths["/items/{id}/events"].get;
    expect(events.parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string" } },
      { name: "after", in: "query", required: false, schema: expect.objectContaining({ type: "integer" }) },
      { name: "kind", in: "query", required: true, schema: { type: "string", enum: ["a", "b"] } },
    ]);
    expect(Object.keys(events.responses["200"].content)).toEqual(["text/event-stream"]);

    const Tree: z.ZodType = z.object({
      name: z.string(),
      get children() {
        return z.array(Tree);
      },
    });
    const recursive = new RouteBook();
    recursive.routes.push(spec({ body: Tree }));
    expect(() => openApiDocument(recursive, { title: "t", version: "1" })).toThrow(/meta\(\{ id/);
  });
});

describe("the API reference page", () => {
  it("serves the page and its script from this server, with a policy that allows nothing else", async () => {
    const { url } = await fullServer();
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('spec-url="/openapi.json"');
    expect(html).toContain('load-fonts="false"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/docs\/rapidoc-[\d.]+\.min\.js$/);

    const zipped = await fetch(`${url}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("content-type")).toContain("javascript");
    const source = await zipped.text(); // fetch undoes the gzip
    expect(source).toContain("rapi-doc");
    const plain = await fetch(`${url}${script}`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect((await plain.text()).length).toBe(source.length);
  });
});
