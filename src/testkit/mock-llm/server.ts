import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KeelError } from "../../errors/index.js";
import { answer } from "./answer.js";
import { parseChatRequest } from "./chat-request.js";
import { answerEmbeddings } from "./embeddings.js";
import { headerRecord, readBody, sendError, sendJson } from "./http-io.js";
import { answerMessages, sendAnthropicError } from "./messages.js";
import { parseMessagesRequest } from "./messages-request.js";
import { assertScript, scriptRunner } from "./script.js";
import type { MockLLM, MockLLMOptions, RecordedRequest } from "./types.js";

const DEFAULT_MODELS = ["mock-small", "mock-large"];

/**
 * Starts an OpenAI-compatible chat-completions server on loopback, answering from a script; it also
 * speaks Anthropic's Messages API (`POST /v1/messages`, for a client whose baseURL is `mock.origin`).
 *
 * @example
 * const mock = await startMockLLM({ script: [{ fault: "rate-limit", retryAfter: 1 }, { text: "hello" }] });
 * const client = new OpenAI({ baseURL: mock.url, apiKey: "test" });
 * // ... the first call gets a 429, the retry gets "hello"
 * await mock.close();
 */
export async function startMockLLM(options: MockLLMOptions = {}): Promise<MockLLM> {
  const { port = 0, host = "127.0.0.1", models = DEFAULT_MODELS, now = Date.now } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KeelError(
      "INVALID_OPTION",
      `port must be a whole number from 0 to 65535 (0 picks a free one), got ${port}.`,
    );
  }
  assertScript(options.script);
  const nextStep = scriptRunner(options.script);
  const requests: RecordedRequest[] = [];
  // One controller per open request: aborted when its connection closes or the server shuts down, so
  // latency timers, chunk delays and stalls end with it.
  const open = new Set<AbortController>();
  let chatCount = 0;

  async function chat(
    raw: string,
    headers: Record<string, string>,
    res: ServerResponse,
    signal: AbortSignal,
  ) {
    const parsed = parseChatRequest(raw);
    if (!parsed.ok) {
      sendError(res, 400, { type: "invalid_request_error", ...parsed.issue });
      return;
    }
    const seq = ++chatCount;
    res.setHeader("x-request-id", `req_mock_${seq}`);
    const next = await nextStep(parsed.request, headers);
    if (!next.ok) {
      sendError(res, 500, { message: next.message, type: "mock_script_error", code: next.code });
      return;
    }
    const meta = { id: `chatcmpl-mock-${seq}`, seq, created: Math.floor(now() / 1000) };
    await answer(res, next.step, { request: parsed.request, meta, signal });
  }

  /** Anthropic's `POST /v1/messages`: the same script, Anthropic's wire. */
  async function messages(
    raw: string,
    headers: Record<string, string>,
    res: ServerResponse,
    signal: AbortSignal,
  ) {
    const parsed = parseMessagesRequest(raw);
    if (!parsed.ok) {
      sendAnthropicError(res, 400, parsed.message);
      return;
    }
    const seq = ++chatCount;
    res.setHeader("request-id", `req_mock_${seq}`);
    const next = await nextStep(parsed.request, headers, "messages");
    if (!next.ok) {
      sendAnthropicError(res, 500, next.message);
      return;
    }
    const meta = { id: `msg_mock_${seq}`, seq, created: Math.floor(now() / 1000) };
    await answerMessages(res, next.step, { request: parsed.request, meta, signal });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal) {
    const raw = await readBody(req);
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://mock.invalid").pathname;
    const headers = headerRecord(req);
    requests.push({ method, path, headers, body: looseJson(raw), at: now() });
    if (method === "POST" && path === "/v1/chat/completions") return chat(raw, headers, res, signal);
    if (method === "POST" && path === "/v1/messages") return messages(raw, headers, res, signal);
    if (method === "POST" && path === "/v1/embeddings") return answerEmbeddings(raw, res);
    if (method === "GET" && path === "/v1/models") {
      const data = models.map((id) => ({ id, object: "model", created: 0, owned_by: "keel-mock" }));
      return sendJson(res, 200, { object: "list", data });
    }
    sendError(res, 404, {
      message: `Invalid URL (${method} ${path}). The mock serves POST /v1/chat/completions, POST /v1/messages, POST /v1/embeddings and GET /v1/models.`,
      type: "invalid_request_error",
      code: "unknown_url",
    });
  }

  const server = createServer((req, res) => {
    const controller = new AbortController();
    open.add(controller);
    res.on("close", () => {
      controller.abort();
      open.delete(controller);
    });
    handle(req, res, controller.signal).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return void res.destroy();
      const message = error instanceof Error ? error.message : String(error);
      sendError(res, 500, { message: `The mock LLM failed: ${message}`, type: "server_error", code: null });
    });
  });
  await listen(server, port, host);
  const actualPort = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  return {
    url: `${origin}/v1`,
    origin,
    port: actualPort,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const controller of open) controller.abort();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new KeelError(
          "MOCK_LLM_LISTEN",
          `The mock LLM could not listen on ${host}:${port} (${error.message}). Choose another port, or 0 for a free one.`,
          { cause: error },
        ),
      );
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function looseJson(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
