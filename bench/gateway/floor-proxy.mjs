#!/usr/bin/env node
// The floor: the least a Node gateway can do, a pass-through proxy on node:http with a keep-alive
// agent to the upstream (body in, body out, streamed as it comes, nothing parsed). What it adds
// over direct is what any gateway in Node pays on this machine for the extra process and the two
// extra loopback hops; an optional target of run.mjs (`--targets=keel,portkey,floor`).
//
//   node bench/gateway/floor-proxy.mjs --upstream http://127.0.0.1:PORT/v1
// Prints {"url","pid"} on stdout. Run from the repository root.
import http from "node:http";
import { answerIpc } from "./child-ipc.mjs";

const i = process.argv.indexOf("--upstream");
const upstream = new URL(i > 0 ? process.argv[i + 1] : "");
const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 1024 });
const prefix = upstream.pathname.replace(/\/v1\/?$/, "");

const server = http.createServer((req, res) => {
  const out = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: prefix + req.url,
      agent,
      headers: {
        "content-type": req.headers["content-type"] ?? "application/json",
        ...(req.headers["content-length"] ? { "content-length": req.headers["content-length"] } : {}),
        authorization: req.headers.authorization ?? "",
      },
    },
    (up) => {
      const headers = { "content-type": up.headers["content-type"] ?? "application/json" };
      if (up.headers["content-length"]) headers["content-length"] = up.headers["content-length"];
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    },
  );
  out.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(out);
});
server.listen(0, "127.0.0.1", () => {
  answerIpc({ stop: () => new Promise((r) => server.close(r)) });
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid }));
});
