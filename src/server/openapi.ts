/**
 * The OpenAPI 3.1 document, made from the route book: every route the app registered through
 * `route(...)` with the Zod schemas that check it, so the document cannot drift from the server.
 * Schemas become JSON Schema 2020-12 (OpenAPI 3.1's dialect) through `z.toJSONSchema`; those with
 * `.meta({ id })` are emitted once in `components.schemas` and referenced.
 */
import { z } from "zod";
import { KeelError } from "../errors/index.js";
import type { RouteBook, RouteSpec } from "./routes.js";

export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
}

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: ApiInfo;
  servers: Array<{ url: string; description?: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

/** The body of every error answer (`http-errors.ts`): OpenAI's shape with Keel's stable code. */
export const ErrorBody = z
  .object({
    error: z.object({
      message: z.string().describe("What went wrong and what to do."),
      type: z.string().describe("OpenAI's error type, e.g. invalid_request_error."),
      param: z.string().nullable().describe("The request field at fault, when there is one."),
      code: z.string().describe("Keel's stable error code, e.g. UNKNOWN_COLLECTION."),
    }),
  })
  .meta({ id: "ErrorResponse" });

const SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description: "A Keel API key (`keel keys create --tenant NAME`): Authorization: Bearer keel_…",
  },
  apiKeyHeader: {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "The same key in x-api-key.",
  },
};

/**
 * The OpenAPI 3.1 document of the routes in `book`.
 *
 * @example
 * app.get("/openapi.json", (c) => c.json(openApiDocument(book, { title: "Keel", version: "0.1.0" })));
 */
export function openApiDocument(book: RouteBook, info: ApiInfo): OpenApiDocument {
  const schemas = schemaCollector();
  const paths: OpenApiDocument["paths"] = {};
  const tags: string[] = [];
  const operationIds = new Set<string>();
  const errorRef = schemas.convert(ErrorBody, "output");
  for (const spec of book.routes) {
    const template = openApiPath(spec.path);
    paths[template] ??= {};
    paths[template][spec.method] = operation(spec, schemas, errorRef, operationIds);
    if (!tags.includes(spec.tag)) tags.push(spec.tag);
  }
  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/", description: "this server" }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: { schemas: schemas.finish(), securitySchemes: SECURITY_SCHEMES },
  };
}

/** Hono's `/runs/:id` (optionally `:id{regex}`) as OpenAPI's `/runs/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, "{$1}");
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

function operation(
  spec: RouteSpec,
  schemas: SchemaCollector,
  errorRef: Json,
  operationIds: Set<string>,
): Json {
  const op: Json = { operationId: operationId(spec, operationIds), summary: spec.summary, tags: [spec.tag] };
  const roles = spec.roles ? `Roles: ${spec.roles.join(", ")}.` : "Public: no API key needed.";
  op.description = spec.description ? `${spec.description}\n\n${roles}` : roles;
  const parameters: Json[] = pathParams(spec.path).map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (spec.query) parameters.push(...queryParameters(spec.query, schemas));
  if (parameters.length > 0) op.parameters = parameters;
  const body = spec.body ?? spec.rawBody;
  if (body)
    op.requestBody = { required: true, content: { "application/json": media(body, "input", schemas) } };
  op.responses = responses(spec, schemas, errorRef);
  op.security = spec.roles ? [{ bearerAuth: [] }, { apiKeyHeader: [] }] : [];
  if (spec.roles) op["x-keel-roles"] = [...spec.roles];
  return op;
}

/**
 * A media type object. A schema's `.meta({ examples })` are also given as OpenAPI examples, which
 * is where API reference pages look for them.
 */
function media(schema: z.ZodType, io: Io, schemas: SchemaCollector): Json {
  const json = schemas.convert(schema, io);
  const out: Json = { schema: json };
  const examples = schemas.resolve(json, io).examples;
  if (Array.isArray(examples) && examples.length > 0) {
    out.examples = Object.fromEntries(examples.map((value, i) => [`example${i + 1}`, { value }]));
  }
  return out;
}

function queryParameters(query: z.ZodObject, schemas: SchemaCollector): Json[] {
  const object = schemas.resolve(schemas.convert(query, "input"), "input");
  const properties = (object.properties ?? {}) as Record<string, Json>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => {
    const parameter: Json = { name, in: "query", required: required.has(name), schema };
    if (typeof schema.description === "string") parameter.description = schema.description;
    return parameter;
  });
}

function responses(spec: RouteSpec, schemas: SchemaCollector, errorRef: Json): Record<string, Json> {
  const content: Json = {};
  if (spec.response) content["application/json"] = media(spec.response, "output", schemas);
  if (spec.events) {
    content["text/event-stream"] = {
      schema: { type: "string", description: "Server-Sent Events, one JSON object per `data:` line." },
    };
  }
  const ok: Json = {
    description: spec.events
      ? spec.response
        ? "OK: JSON, or Server-Sent Events when the request asks to stream"
        : "OK (a stream of Server-Sent Events)"
      : spec.status === 201
        ? "Created"
        : "OK",
  };
  if (Object.keys(content).length > 0) ok.content = content;
  const errors: Record<number, string> = {};
  if (spec.body || spec.rawBody) {
    errors[400] = "invalid request (error.param names the field)";
    errors[413] = "body over the server's limit";
    errors[415] = "the body is not JSON";
  } else if (spec.query) {
    errors[400] = "invalid query parameter (error.param names it)";
  }
  if (spec.roles) {
    errors[401] = "missing, unknown or revoked API key";
    errors[403] = `the key's role is not ${spec.roles.join(" or ")}`;
  }
  Object.assign(errors, spec.errors);
  const out: Record<string, Json> = { [String(spec.status ?? 200)]: ok };
  for (const status of Object.keys(errors).sort()) {
    out[status] = {
      description: errors[Number(status)],
      content: { "application/json": { schema: errorRef } },
    };
  }
  return out;
}

function operationId(spec: RouteSpec, taken: Set<string>): string {
  const words = spec.path
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const param = /^:([A-Za-z0-9_]+)/.exec(segment);
      const parts = (param ? `by ${param[1]}` : segment).split(/[^A-Za-z0-9]+/).filter(Boolean);
      return parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
    });
  const base = spec.method + words.join("");
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

type Io = "input" | "output";

interface SchemaCollector {
  /** The JSON Schema of `schema` as read (`input`: bodies, queries) or as written (`output`: answers). */
  convert(schema: z.ZodType, io: Io): Json;
  /** A schema that is only a reference to a named one, resolved (for a query object's properties). */
  resolve(json: Json, io: Io): Json;
  /** The named schemas; references everywhere now point into `components.schemas`. */
  finish(): Record<string, Json>;
}

const LOCAL_REF = "#/$defs/";

/**
 * Named schemas are kept per id and per direction: Zod describes a schema differently as input
 * (defaults make fields optional) and output. When both directions agree, one component serves
 * both; otherwise the input one is `<id>Input`. References are rewritten once every name is known.
 */
function schemaCollector(): SchemaCollector {
  const named = new Map<string, Partial<Record<Io, Json>>>();
  const converted: Array<{ json: Json; io: Io }> = [];
  let anonymous = 0;

  function convert(schema: z.ZodType, io: Io): Json {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    if (JSON.stringify(json).includes('"$ref":"#"') || JSON.stringify(defs).includes('"$ref":"#"')) {
      throw new KeelError(
        "OPENAPI_SCHEMA",
        "A recursive schema without a name cannot be placed in the OpenAPI document; give it .meta({ id: 'Name' }).",
      );
    }
    // Names Zod makes up (`__schema0`) are only unique within one conversion.
    const renamed = new Map<string, string>();
    for (const id of Object.keys(defs)) if (id.startsWith("__")) renamed.set(id, `Schema${++anonymous}`);
    const local = (ref: string) => {
      const id = ref.slice(LOCAL_REF.length);
      return `${LOCAL_REF}${renamed.get(id) ?? id}`;
    };
    rewriteRefs(json, local);
    for (const [id, def] of Object.entries(defs)) {
      rewriteRefs(def, local);
      const name = renamed.get(id) ?? id;
      const variants = named.get(name) ?? {};
      const before = variants[io];
      if (before && JSON.stringify(before) !== JSON.stringify(def)) {
        throw new KeelError(
          "OPENAPI_SCHEMA",
          `Two different schemas are named "${name}" (.meta({ id })); give each its own id.`,
        );
      }
      variants[io] = def;
      named.set(name, variants);
    }
    converted.push({ json, io });
    return json;
  }

  function resolve(json: Json, io: Io): Json {
    if (typeof json.$ref !== "string" || !json.$ref.startsWith(LOCAL_REF)) return json;
    return named.get(json.$ref.slice(LOCAL_REF.length))?.[io] ?? json;
  }

  function finish(): Record<string, Json> {
    // Split an id when its two directions differ, or refer to an id that is split.
    const split = new Set<string>();
    for (const [id, v] of named)
      if (v.input && v.output && JSON.stringify(v.input) !== JSON.stringify(v.output)) split.add(id);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, v] of named) {
        if (split.has(id) || !v.input || !v.output) continue;
        if (refsOf(v.input).some((r) => split.has(r))) {
          split.add(id);
          changed = true;
        }
      }
    }
    const nameOf = (id: string, io: Io) => (io === "input" && split.has(id) ? `${id}Input` : id);
    for (const id of split) {
      if (named.has(`${id}Input`))
        throw new KeelError(
          "OPENAPI_SCHEMA",
          `"${id}Input" is both a schema id and the input form of "${id}".`,
        );
    }
    const target = (io: Io) => (ref: string) =>
      `#/components/schemas/${nameOf(ref.slice(LOCAL_REF.length), io)}`;
    const components: Record<string, Json> = {};
    for (const [id, v] of named) {
      // Both directions are rewritten: query parameters may hold parts of either.
      if (v.input) rewriteRefs(v.input, target("input"));
      if (v.output) components[nameOf(id, "output")] = rewriteRefs(v.output, target("output"));
      if (v.input && (!v.output || split.has(id))) components[nameOf(id, "input")] = v.input;
    }
    for (const { json, io } of converted) rewriteRefs(json, target(io));
    return Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  }

  return { convert, resolve, finish };
}

/** Rewrites, in place, every local `$ref` in a schema; returns the schema. */
function rewriteRefs<T>(node: T, to: (ref: string) => string): T {
  if (Array.isArray(node)) for (const item of node) rewriteRefs(item, to);
  else if (typeof node === "object" && node !== null) {
    const record = node as Json;
    for (const [key, value] of Object.entries(record)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(LOCAL_REF)) record.$ref = to(value);
      else rewriteRefs(value, to);
    }
  }
  return node;
}

function refsOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsOf(item, out);
  else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(LOCAL_REF))
        out.push(value.slice(LOCAL_REF.length));
      else refsOf(value, out);
    }
  }
  return out;
}
