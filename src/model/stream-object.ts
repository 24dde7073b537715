import type { z } from "zod";
import { ProviderError } from "./errors.js";
import {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  objectRequest,
  repairLoop,
} from "./generate-object.js";
import { type DeepPartial, parsePartialJson } from "./partial-json.js";
import type { ModelRequest, ModelResponse } from "./types.js";

export type StreamObjectOptions<S extends z.ZodType> = GenerateObjectOptions<S>;

/** What `streamObject` yields: partial objects while the JSON arrives, then the validated object. */
export type StreamObjectPart<T> =
  | { type: "partial"; object: DeepPartial<T> }
  | ({ type: "object" } & GenerateObjectResult<T>);

/**
 * Like generateObject, but yields `partial` objects as the first reply streams in, then one `object`
 * part after full validation. Partials are previews: they have not been checked against the schema.
 * A reply that fails is repaired with non-streamed `generate` calls (no partials for those), and
 * exhausted repairs end the iteration with OutputValidationError. The options are checked and the
 * schema converted when this is called, before any request.
 *
 * @example
 * for await (const part of streamObject({ model, schema, messages })) {
 *   if (part.type === "partial") render(part.object);
 *   else save(part.object);
 * }
 */
export function streamObject<S extends z.ZodType>(
  options: StreamObjectOptions<S>,
): AsyncIterable<StreamObjectPart<z.output<S>>> {
  const request = objectRequest(options);
  return run(options, request);
}

async function* run<S extends z.ZodType>(
  options: StreamObjectOptions<S>,
  request: ModelRequest,
): AsyncGenerator<StreamObjectPart<z.output<S>>> {
  const { model, signal } = options;
  let first: ModelResponse | undefined;
  if (!model.capabilities.streaming) {
    first = await model.generate(request, { signal });
  } else {
    let text = "";
    let shown = "";
    for await (const part of model.stream(request, { signal })) {
      if (part.type === "finish") first = part.response;
      if (part.type !== "text-delta") continue;
      text += part.text;
      // Re-parsing the whole prefix per delta is quadratic, but replies are small and it keeps the
      // parser a pure function of the text.
      const partial = parsePartialJson(text);
      const key = partial && JSON.stringify(partial.value);
      if (partial && key !== shown) {
        shown = key!;
        yield { type: "partial", object: partial.value as DeepPartial<z.output<S>> };
      }
    }
    if (!first) {
      throw new ProviderError(model.id, "stream-interrupted", "the stream ended without a final response");
    }
  }
  const result = await repairLoop(options, request, Promise.resolve(first));
  yield { type: "object", ...result };
}
