/**
 * `POST /v1/embeddings` on the mock: the offline hashing embedder's vectors, so a client of an
 * OpenAI-compatible embeddings API can be tested for real without a model. Float and base64
 * encodings are both served (the official client asks for base64 by default).
 */
import type { ServerResponse } from "node:http";
import { hashEmbed } from "../../rag/embedder.js";
import { sendError, sendJson } from "./http-io.js";

/** Vector length when the request does not ask for one. */
export const MOCK_EMBEDDING_DIMENSIONS = 256;

export function answerEmbeddings(raw: string, res: ServerResponse): void {
  let body: { model?: unknown; input?: unknown; dimensions?: unknown; encoding_format?: unknown };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    sendError(res, 400, {
      message: "The body is not valid JSON.",
      type: "invalid_request_error",
      code: null,
    });
    return;
  }
  const input = typeof body.input === "string" ? [body.input] : body.input;
  if (
    typeof body.model !== "string" ||
    !Array.isArray(input) ||
    input.length === 0 ||
    input.some((t) => typeof t !== "string")
  ) {
    sendError(res, 400, {
      message: "Send { model: string, input: string | string[] } with at least one string.",
      type: "invalid_request_error",
      code: null,
    });
    return;
  }
  const dimensions = body.dimensions ?? MOCK_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(dimensions) || (dimensions as number) < 8 || (dimensions as number) > 8192) {
    sendError(res, 400, {
      message: "dimensions must be a whole number from 8 to 8192.",
      type: "invalid_request_error",
      code: null,
    });
    return;
  }
  const base64 = body.encoding_format === "base64";
  const data = (input as string[]).map((text, index) => {
    const vector = hashEmbed(text, dimensions as number);
    const embedding = base64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector);
    return { object: "embedding", index, embedding };
  });
  const tokens = (input as string[]).reduce((n, t) => n + Math.ceil(t.length / 4), 0);
  sendJson(res, 200, {
    object: "list",
    data,
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
