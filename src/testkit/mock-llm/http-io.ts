/**
 * The few node:http chores the mock needs, each aware of the request's AbortSignal (aborted when the
 * connection closes or the server shuts down) so nothing waits on a client that has gone.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The fields of an OpenAI error body: `{ error: { message, type, param, code } }`. */
export interface WireError {
  message: string;
  type: string;
  code: string | null;
  param?: string | null;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  error: WireError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { param: null, ...error } }, headers);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

/** Header names lower-cased (as node gives them), repeated values joined. */
export function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Writes and waits until the data is handed to the socket; false when the connection is gone. */
export function write(res: ServerResponse, data: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    res.write(data, (error) => {
      signal.removeEventListener("abort", onAbort);
      resolve(!error);
    });
  });
}

/** Waits `ms`; resolves false at once if the signal aborts first (the timer is cleared). */
export function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** How a step shapes a stream: its pacing, and the content fault (if any) that ends it. */
export interface StreamShape {
  fault?: string;
  afterChunks?: number;
  chunkDelayMs?: number;
}

/**
 * Streams SSE frames as a step says: all of them, or the first `afterChunks` and then the step's
 * fault: "truncate" cuts the connection, "stall" goes silent until the client or close() gives up,
 * "malformed-json" sends `brokenFrame`. Resolves true when the caller should close the stream
 * normally, false when it is already over.
 */
export async function streamFrames(
  res: ServerResponse,
  frames: string[],
  step: StreamShape,
  brokenFrame: string,
  signal: AbortSignal,
): Promise<boolean> {
  const gap = step.chunkDelayMs ?? 0;
  const sent = step.fault === undefined ? frames.length : (step.afterChunks ?? 1);
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  res.flushHeaders();
  for (const [i, frame] of frames.slice(0, sent).entries()) {
    if (i > 0 && !(await delay(gap, signal))) return false;
    if (!(await write(res, frame, signal))) return false;
  }
  switch (step.fault) {
    case "truncate":
      res.destroy();
      return false;
    case "stall":
      await aborted(signal);
      res.destroy();
      return false;
    case "malformed-json":
      if (sent > 0 && !(await delay(gap, signal))) return false;
      return write(res, brokenFrame, signal);
    default:
      return true;
  }
}
