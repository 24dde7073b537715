/**
 * Reads a JSON request body within a size limit: a declared length over the limit is refused before
 * anything is read, a chunked body is counted as it arrives and cut at the limit. Wrong content
 * types and malformed JSON get their own clear errors (415, 400 with the position).
 */
import type { Context } from "hono";
import { RequestError } from "../http-errors.js";

export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new RequestError(
      "UNSUPPORTED_MEDIA_TYPE",
      `The body must be JSON with content-type: application/json${type ? `; got "${type.split(";")[0]}"` : " (none was given)"}.`,
    );
  }
  const tooLarge = () =>
    new RequestError(
      "PAYLOAD_TOO_LARGE",
      `The request body is over this server's limit of ${maxBytes} bytes.`,
    );
  const declared = c.req.header("content-length");
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge();
  let text: string;
  if (declared !== undefined) {
    text = await c.req.text();
  } else {
    const reader = c.req.raw.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader?.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
    text = Buffer.concat(chunks).toString("utf8");
  }
  if (text.length === 0)
    throw new RequestError("INVALID_JSON", "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new RequestError(
      "INVALID_JSON",
      `The request body is not valid JSON: ${(cause as Error).message}.`,
    );
  }
}
