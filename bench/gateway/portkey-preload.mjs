// Preloaded into Portkey's gateway (`node --import ./portkey-preload.mjs start-server.js`). Its
// start script calls @hono/node-server's `serve({ fetch, port })`, which listens on every interface
// and has no host option; this makes a listen() given a port and no host bind 127.0.0.1. It also
// answers run.mjs's memory requests over IPC, as the other children do.
import net from "node:net";
import { answerIpc } from "./child-ipc.mjs";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args[1] === undefined || typeof args[1] === "function")) {
    args.splice(1, args[1] === undefined ? 1 : 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
answerIpc();
