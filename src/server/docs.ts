/**
 * The API's documentation, served by the server itself: `GET /openapi.json` (the OpenAPI 3.1
 * document of every registered route) and `GET /docs`, an interactive reference (RapiDoc) whose
 * script comes from this server too. The page makes no request elsewhere: RapiDoc's web fonts are
 * turned off, and its Content-Security-Policy allows this origin only.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Hono } from "hono";
import { KeelError } from "../errors/index.js";
import { type ApiInfo, type OpenApiDocument, openApiDocument } from "./openapi.js";
import { type RouteBook, route } from "./routes.js";
import type { Runtime } from "./runtime.js";
import type { ServerEnv } from "./types.js";

const PACKAGE = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  description?: string;
};

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // RapiDoc (Lit) sets inline styles on its elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  path: string;
  plain: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer> | undefined;
}

/** RapiDoc's bundle from the installed package; the version in the path lets browsers cache it for good. */
function rapiDocAsset(): Asset {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve("rapidoc");
  } catch (cause) {
    throw new KeelError(
      "DOCS_UNAVAILABLE",
      "The rapidoc package is missing, so /docs cannot be served; reinstall Keel's dependencies.",
      { cause },
    );
  }
  const dir = path.dirname(main);
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const file = path.join(dir, "rapidoc-min.js");
  return {
    path: `/docs/rapidoc-${version}.min.js`,
    plain: new Uint8Array(fs.readFileSync(file)),
    gzip: fs.existsSync(`${file}.gz`) ? new Uint8Array(fs.readFileSync(`${file}.gz`)) : undefined,
  };
}

function page(scriptPath: string, title: string): string {
  const fonts = {
    regular: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    mono: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} API reference</title>
<link rel="icon" href="data:,">
<script type="module" src="${scriptPath}"></script>
</head>
<body>
<rapi-doc
  spec-url="/openapi.json"
  render-style="read"
  theme="light"
  load-fonts="false"
  regular-font="${fonts.regular}"
  mono-font="${fonts.mono}"
  show-header="false"
  allow-spec-url-load="false"
  allow-spec-file-load="false"
  allow-server-selection="false"
  allow-authentication="true"
  persist-auth="false"
  schema-style="table"
  show-curl-before-try="true"
></rapi-doc>
</body>
</html>
`;
}

/**
 * `GET /openapi.json` and `GET /docs` (public). The document is made on the first request, once
 * every route group has been added.
 */
export function addDocsRoutes(app: Hono<ServerEnv>, rt: Runtime, book: RouteBook): void {
  const info: ApiInfo = {
    title: "Keel",
    version: PACKAGE.version,
    description:
      "OpenAI-compatible gateway, workflow runs and document collections. Authenticate with a Keel API key: `Authorization: Bearer keel_…`. Errors are `{ error: { message, type, param, code } }` with a stable `code`.",
  };
  const asset = rapiDocAsset();
  let cached: { routes: number; document: OpenApiDocument } | undefined;

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/openapi.json",
      summary: "This API's OpenAPI 3.1 document",
      tag: "docs",
      roles: null,
    },
    (c) => {
      if (cached?.routes !== book.routes.length) {
        cached = { routes: book.routes.length, document: openApiDocument(book, info) };
      }
      return c.json(cached.document);
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: "/docs",
      summary: "Interactive API reference (HTML)",
      tag: "docs",
      roles: null,
    },
    (c) => {
      c.header("content-security-policy", CSP);
      c.header("x-content-type-options", "nosniff");
      c.header("referrer-policy", "no-referrer");
      return c.html(page(asset.path, info.title));
    },
  );

  route(
    app,
    rt,
    book,
    {
      method: "get",
      path: asset.path,
      summary: "The API reference page's script (RapiDoc, served by this server)",
      tag: "docs",
      roles: null,
    },
    (c) => {
      c.header("content-type", "text/javascript; charset=utf-8");
      c.header("cache-control", "public, max-age=31536000, immutable");
      c.header("x-content-type-options", "nosniff");
      c.header("vary", "accept-encoding");
      if (asset.gzip && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
        c.header("content-encoding", "gzip");
        return c.body(asset.gzip);
      }
      return c.body(asset.plain);
    },
  );
}
