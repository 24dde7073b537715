/**
 * The chat-completions wire over Node's own HTTP client with keep-alive connections, for callers
 * where every tenth of a millisecond shows (the gateway): the official SDK adds about 0.3 ms per
 * call here (request building through fetch, response objects, its own parsing), which this path
 * does not pay. Requests and answers are the same JSON the SDK path sends and reads (the payload
 * builders and readers are shared), errors the same `ProviderError`s; SSE is parsed with
 * eventsource-parser.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { createParser } from "eventsource-parser";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import { ProviderError } from "./errors.js";
import { cancelled, errorForStatus, retryAfterMs } from "./wire-errors.js";

export interface HttpTarget {
  provider: string;
  baseURL: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Longest silence of the connection (no byte of the answer) before the call fails as a timeout. */
  timeoutMs?: number;
}

export interface WireClient {
  /** POSTs a chat-completions body; resolves with the parsed completion. */
  complete(body: string, signal?: AbortSignal): Promise<ChatCompletion>;
  /** POSTs a streaming body; yields the chunks until `[DONE]`. */
  chunks(body: string, signal?: AbortSignal): Promise<AsyncIterable<ChatCompletionChunk>>;
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

const headersOf = (h: IncomingHttpHeaders) =>
  ({ get: (name: string) => [h[name]].flat()[0] ?? null }) as unknown as Headers;

export function wireClient(target: HttpTarget): WireClient {
  const url = new URL(`${target.baseURL.replace(/\/+$/, "")}/chat/completions`);
  const secure = url.protocol === "https:";
  const request = (body: string, signal: AbortSignal | undefined, accept: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled(target.provider, signal.reason));
      const req = (secure ? https : http).request(
        {
          host: url.hostname,
          port: url.port || (secure ? 443 : 80),
          path: url.pathname + url.search,
          method: "POST",
          agent: secure ? agents.https : agents.http,
          headers: {
            "content-type": "application/json",
            accept,
            "content-length": Buffer.byteLength(body),
            ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
            ...target.headers,
          },
        },
        resolve,
      );
      if (target.timeoutMs !== undefined) {
        req.setTimeout(target.timeoutMs, () =>
          req.destroy(
            new ProviderError(
              target.provider,
              "timeout",
              `no answer within ${target.timeoutMs} ms (timeoutMs)`,
            ),
          ),
        );
      }
      const onAbort = () => req.destroy(cancelled(target.provider, signal?.reason));
      signal?.addEventListener("abort", onAbort, { once: true });
      req.once("close", () => signal?.removeEventListener("abort", onAbort));
      req.once("error", (error) =>
        reject(
          error instanceof ProviderError
            ? error
            : new ProviderError(target.provider, "network", `could not reach the server (${error.message})`, {
                cause: error,
              }),
        ),
      );
      req.end(body);
    });

  const readAll = (res: IncomingMessage, signal: AbortSignal | undefined) =>
    new Promise<string>((resolve, reject) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.once("end", () => resolve(text));
      res.once("error", (error) =>
        reject(
          signal?.aborted
            ? cancelled(target.provider, signal.reason)
            : new ProviderError(target.provider, "network", `the response was cut off (${error.message})`, {
                cause: error,
              }),
        ),
      );
      res.once("aborted", () =>
        reject(new ProviderError(target.provider, "network", "the server closed the connection mid-answer")),
      );
    });

  const failure = async (res: IncomingMessage, signal: AbortSignal | undefined) => {
    const text = await readAll(res, signal).catch(() => "");
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: the text itself (first 500 characters) says what went wrong
    }
    const status = res.statusCode ?? 500;
    return errorForStatus(target.provider, status, `HTTP ${status}${message ? `: ${message}` : ""}`, {
      status,
      retryAfterMs: retryAfterMs(headersOf(res.headers)),
    });
  };

  return {
    async complete(body, signal) {
      const res = await request(body, signal, "application/json");
      if ((res.statusCode ?? 500) >= 400) throw await failure(res, signal);
      const text = await readAll(res, signal);
      try {
        return JSON.parse(text) as ChatCompletion;
      } catch (cause) {
        throw new ProviderError(
          target.provider,
          "invalid-response",
          `the server sent malformed JSON (${(cause as Error).message})`,
          { cause },
        );
      }
    },
    async chunks(body, signal) {
      const res = await request(body, signal, "text/event-stream");
      if ((res.statusCode ?? 500) >= 400) throw await failure(res, signal);
      return sseChunks(target.provider, res, signal);
    },
  };
}

async function* sseChunks(
  provider: string,
  res: IncomingMessage,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatCompletionChunk> {
  const pending: ChatCompletionChunk[] = [];
  let done = false;
  let bad: Error | undefined;
  const parser = createParser({
    onEvent(event) {
      if (done || bad) return;
      if (event.data === "[DONE]") {
        done = true;
        return;
      }
      try {
        const chunk = JSON.parse(event.data) as ChatCompletionChunk & { error?: { message?: string } };
        if (chunk.error) {
          bad = new ProviderError(
            provider,
            "unavailable",
            `the server reported an error mid-stream: ${chunk.error.message}`,
          );
          return;
        }
        pending.push(chunk);
      } catch (cause) {
        bad = new ProviderError(
          provider,
          "invalid-response",
          `the server sent malformed JSON in the stream`,
          { cause },
        );
      }
    },
  });
  res.setEncoding("utf8");
  try {
    for await (const text of res as AsyncIterable<string>) {
      // After [DONE], the rest of the body (the end of the chunked encoding) is read rather than
      // left: leaving a `for await` early destroys the socket, which the agent would then have to
      // open again for the next call.
      if (done) continue;
      parser.feed(text);
      while (pending.length > 0) yield pending.shift() as ChatCompletionChunk;
      if (bad) throw bad;
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    if (signal?.aborted) throw cancelled(provider, signal.reason);
    throw new ProviderError(
      provider,
      "stream-interrupted",
      `the stream was cut off (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  } finally {
    // Given up early (the caller stopped reading): free the connection rather than read on.
    if (!done && !res.complete) res.destroy();
  }
}
