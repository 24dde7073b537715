import type { ServerResponse } from "node:http";
import {
  completionBody,
  completionChunks,
  type Reply,
  type ReplySource,
  type ResponseMeta,
  resolveReply,
} from "./completion.js";
import { defaultReply } from "./default-reply.js";
import { aborted, delay, type StreamShape, sendError, streamFrames, write } from "./http-io.js";
import type { ChatRequest, Step } from "./types.js";

export interface AnswerContext {
  request: ChatRequest;
  meta: ResponseMeta;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
}

const DEFAULT_CHUNK_SIZE = 4;

/** Sends the response a step describes: a reply, streamed or not, or a fault. */
export async function answer(res: ServerResponse, step: Step, ctx: AnswerContext): Promise<void> {
  if (!(await delay(step.latencyMs ?? 0, ctx.signal))) return;
  if (step.fault === "rate-limit") {
    const retryAfter = step.retryAfter ?? 1;
    sendError(
      res,
      429,
      {
        message: `Rate limit reached for ${ctx.request.model ?? "the mock model"} (a scripted fault). Please try again in ${retryAfter}s.`,
        type: "requests",
        code: "rate_limit_exceeded",
      },
      { "retry-after": String(retryAfter) },
    );
    return;
  }
  if (step.fault === "server-error") {
    sendError(res, step.status ?? 500, {
      message: "The server had an error while processing your request (a scripted fault).",
      type: "server_error",
      code: "server_error",
    });
    return;
  }
  const reply = resolveReply(withContent(step, ctx.request), ctx.request, ctx.meta);
  if (ctx.request.stream === true) await streamReply(res, reply, step, ctx);
  else await sendReply(res, reply, step, ctx);
}

/** A content fault without content carries the default reply. */
function withContent(step: ReplyStepOrContentFault, request: ChatRequest): ReplySource {
  if (step.text !== undefined || step.json !== undefined || step.toolCalls !== undefined) return step;
  return { ...step, ...defaultReply(request) };
}

type ReplyStepOrContentFault = Exclude<Step, { fault: "rate-limit" | "server-error" }>;

async function sendReply(
  res: ServerResponse,
  reply: Reply,
  step: ReplyStepOrContentFault,
  { meta, signal }: AnswerContext,
): Promise<void> {
  const body = JSON.stringify(completionBody(reply, meta));
  switch (step.fault) {
    case undefined:
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
      });
      res.end(body);
      return;
    case "malformed-json":
      // A proxy that cut the body: valid headers, a JSON prefix that does not parse.
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body.slice(0, Math.floor(body.length / 2)));
      return;
    case "truncate":
      // The promised length is never reached: the client sees the connection end mid-body.
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
      });
      await write(res, body.slice(0, Math.floor(body.length / 2)), signal);
      res.destroy();
      return;
    case "stall":
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      await aborted(signal);
      res.destroy();
      return;
  }
}

async function streamReply(
  res: ServerResponse,
  reply: Reply,
  step: ReplyStepOrContentFault,
  { request, meta, signal }: AnswerContext,
): Promise<void> {
  const chunks = completionChunks(reply, meta, {
    chunkSize: step.chunkSize ?? DEFAULT_CHUNK_SIZE,
    includeUsage: request.stream_options?.include_usage === true,
  });
  const frames = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
  const broken = `data: {"id":"${meta.id}","object":"chat.completion.chunk","choices":[{\n\n`;
  if (!(await streamFrames(res, frames, step as StreamShape, broken, signal))) return;
  if (await write(res, "data: [DONE]\n\n", signal)) res.end();
}
