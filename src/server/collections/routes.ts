/**
 * The collections API: ingest documents into, query, and delete from the caller's tenant's copy of
 * a configured collection. Tenants never share a table (`rt.collection(tenant, name)`); within a
 * collection with access control, the calling app names the principal it asks for.
 */
import type { Context, Hono } from "hono";
import { isKeelError, KeelError } from "../../errors/index.js";
import type { Access, DocumentInput, Filter } from "../../rag/index.js";
import { RequestError } from "../http-errors.js";
import { type RouteBook, route } from "../routes.js";
import type { Runtime } from "../runtime.js";
import type { ServerEnv } from "../types.js";
import { EVERYONE, loadByFormat, takeDocumentAccess, toCitation, withEveryone } from "./documents.js";
import {
  DeleteResponse,
  type DocumentBody,
  IngestRequest,
  IngestResponse,
  QueryRequest,
  QueryResponse,
} from "./schemas.js";

const ROLES = ["app", "admin"] as const;
const TAG = "collections";
const COMMON_ERRORS = {
  401: "missing, unknown or revoked API key",
  403: "the key's role is not app or admin",
  404: "no such collection in this server's configuration (UNKNOWN_COLLECTION)",
};

export function addCollectionRoutes(app: Hono<ServerEnv>, rt: Runtime, book: RouteBook): void {
  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/collections/:name/documents",
      summary: "Ingest documents into the caller's tenant's copy of a collection",
      description:
        'Each document is read in its format (Markdown headings and HTML structure become heading paths), chunked, indexed for BM25 and vectors, in one transaction: an error anywhere changes nothing. A document whose content, metadata and access are unchanged costs nothing. In a collection with access control every document needs access (`{ "groups": ["everyone"] }` for all); a Markdown document may give it in its front matter (`access: [staff]`) instead.',
      tag: TAG,
      roles: ROLES,
      body: IngestRequest,
      response: IngestResponse,
      errors: {
        ...COMMON_ERRORS,
        400: "invalid document (error.param names it, e.g. documents.2.access)",
        413: "body over the server's limit",
        415: "the body is not JSON",
      },
    },
    async (c, { body }) => {
      const { name, collection, acl } = collectionOf(c, rt);
      const inputs = toDocumentInputs(body.documents, acl);
      const report = await collection.ingest(inputs, { signal: c.req.raw.signal });
      const key = c.get("key");
      await rt.record({
        type: "admin.action",
        tenant: key.tenant,
        actor: key.id,
        data: { action: "collection.ingest", target: name },
        // Ids may name people: they go with the content, which is encrypted and can be erased.
        content: { documents: inputs.map((d) => d.id).join("\n") },
      });
      return c.json({ collection: name, documents: inputs.length, ...report });
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "post",
      path: "/collections/:name/query",
      summary: "Search the caller's tenant's copy of a collection; hits carry their citations",
      description: `Hybrid (BM25 + vectors), BM25 or vector search with metadata filters; access lists are conditions of the search itself, so a document the principal may not read is never a candidate. In a collection with access control, \`principal\` is required: the calling app vouches for its user. Every principal belongs to the group "${EVERYONE}".`,
      tag: TAG,
      roles: ROLES,
      body: QueryRequest,
      response: QueryResponse,
      errors: {
        ...COMMON_ERRORS,
        400: "invalid query, invalid filter (INVALID_FILTER), or no principal for a collection with access control (PRINCIPAL_REQUIRED)",
        413: "body over the server's limit",
        415: "the body is not JSON",
      },
    },
    async (c, { body }) => {
      const { name, collection, acl } = collectionOf(c, rt);
      if (acl && body.principal === undefined) {
        throw new RequestError(
          "PRINCIPAL_REQUIRED",
          `Collection "${name}" has access control: give principal { id, groups? }, the user your app asks for.`,
          "principal",
        );
      }
      try {
        const result = await collection.query(body.query, {
          k: body.k,
          mode: body.mode,
          // Checked by the collection, which knows its fields (INVALID_FILTER names what is wrong).
          filter: body.filter as Filter | undefined,
          principal: body.principal ? withEveryone(body.principal) : undefined,
          signal: c.req.raw.signal,
        });
        return c.json({ collection: name, mode: result.mode, hits: result.hits.map(toCitation) });
      } catch (error) {
        if (isKeelError(error) && error.code === "INVALID_FILTER")
          throw new RequestError(error.code, error.message, "filter");
        throw error;
      }
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "delete",
      path: "/collections/:name/documents/:id",
      summary: "Delete a document from the caller's tenant's copy of a collection",
      description:
        "The id is one path segment: percent-encode it (`encodeURIComponent`), slashes included. A document that came from the collection's configured sources comes back at the next start while its file is there.",
      tag: TAG,
      roles: ROLES,
      response: DeleteResponse,
      errors: { ...COMMON_ERRORS, 404: "no such collection, or no such document in the caller's tenant" },
    },
    async (c) => {
      const { name, collection } = collectionOf(c, rt);
      const id = c.req.param("id") ?? "";
      const { deleted } = await collection.delete({ ids: [id] });
      const key = c.get("key");
      if (deleted === 0)
        throw new KeelError(
          "NOT_FOUND",
          `No document "${id}" in collection "${name}" of tenant ${key.tenant}; ids are case-sensitive and percent-encoded in the path.`,
        );
      await rt.record({
        type: "admin.action",
        tenant: key.tenant,
        actor: key.id,
        data: { action: "collection.delete", target: name },
        content: { documents: id },
      });
      return c.json({ id, deleted: true });
    },
  );
}

function collectionOf(c: Context<ServerEnv>, rt: Runtime) {
  const name = c.req.param("name") ?? "";
  const collection = rt.collection(c.get("key").tenant, name);
  return { name, collection, acl: rt.config.collections?.[name]?.acl === true };
}

/** The request's documents as the collection takes them; every failure names its field. */
function toDocumentInputs(documents: DocumentBody[], acl: boolean): DocumentInput[] {
  const seen = new Map<string, number>();
  return documents.map((doc, i) => {
    const first = seen.get(doc.id);
    if (first !== undefined) {
      throw new RequestError(
        "INVALID_DOCUMENT",
        `documents.${i}.id: "${doc.id}" is also documents.${first}.id; give each document once per request.`,
        `documents.${i}.id`,
      );
    }
    seen.set(doc.id, i);
    return toDocumentInput(doc, i, acl);
  });
}

/** A request document read by its format's loader, with its access settled by the server's rules. */
function toDocumentInput(doc: DocumentBody, i: number, acl: boolean): DocumentInput {
  const field = `documents.${i}`;
  const fail = (param: string, message: string) =>
    new RequestError("INVALID_DOCUMENT", `${param} ("${doc.id}"): ${message}`, param);
  let document: ReturnType<typeof loadByFormat>;
  let fromText: string[] | undefined;
  try {
    document = loadByFormat(doc.text, doc.format ?? "text", doc.title ? { title: doc.title } : {});
    fromText = doc.format === "markdown" ? takeDocumentAccess(document, "front matter") : undefined;
  } catch (error) {
    if (isKeelError(error)) throw fail(`${field}.text`, error.message);
    throw error;
  }
  let access: Access | undefined = doc.access;
  if (fromText && access)
    throw fail(`${field}.access`, "access is given both here and in the front matter; keep one.");
  if (fromText) access = { groups: fromText };
  if (!acl && access) {
    throw fail(
      fromText ? `${field}.text` : `${field}.access`,
      "this collection has no access control, so access lists would not be enforced; leave access out, or configure the collection with acl: true.",
    );
  }
  if (acl && !access) {
    throw fail(
      `${field}.access`,
      `this collection has access control: give access, e.g. { "groups": ["${EVERYONE}"] } for every principal.`,
    );
  }
  return {
    id: doc.id,
    document,
    ...(doc.metadata ? { metadata: doc.metadata } : {}),
    ...(access ? { access } : {}),
  };
}
