import type { z } from "zod";
import { ModelConfigError } from "./errors.js";
import { checkReply, repairMessage, type SemanticValidator, withJsonInstruction } from "./object-check.js";
import { type ObjectAttempt, OutputValidationError } from "./object-errors.js";
import { toOutputJsonSchema } from "./object-schema.js";
import type { Message, ModelRequest, ModelResponse, Provider, Usage } from "./types.js";

export interface GenerateObjectOptions<S extends z.ZodType> {
  model: Provider;
  /** The provider's model name (`ModelRequest.model`); default "default", which offline providers ignore. */
  modelName?: string;
  schema: S;
  messages: Message[];
  /** How many times a failing reply is sent back with its issues (default 2; 0 = one call only). */
  maxRepairs?: number;
  /** Semantic checks that run once the schema passed; issues they return are repaired like schema issues. */
  validate?: SemanticValidator<z.output<S>>;
  /** Passed to every model call, repairs included. */
  signal?: AbortSignal;
  /** The schema's name in the provider's JSON-schema mode (letters, digits, _ and -; default "output"). */
  name?: string;
}

export interface GenerateObjectResult<T> {
  object: T;
  /** The response whose reply was accepted. */
  response: ModelResponse;
  /** Every call, the accepted one last; each with its text, issues and usage. */
  attempts: ObjectAttempt[];
  /** The usage of all attempts together: every repair is paid for. */
  usage: Usage;
}

/**
 * Asks a model for a value that passes a Zod schema (and an optional semantic validator). Uses the
 * provider's JSON-schema mode when it has one, otherwise an instruction in the system prompt. A reply
 * that is not JSON, fails the schema or fails `validate` is sent back with its exact issues, at most
 * `maxRepairs` times; then OutputValidationError carries every attempt. Provider errors propagate
 * unchanged: retrying a failed call is the retry layer's job, not this loop's.
 *
 * @example
 * const { object } = await generateObject({
 *   model, modelName: "gpt-4o-mini",
 *   schema: z.object({ city: z.string(), population: z.number().int() }),
 *   messages: [{ role: "user", content: "Largest city in Norway?" }],
 *   validate: (v) => (v.population > 0 ? [] : [{ path: ["population"], message: "must be positive" }]),
 * });
 */
export async function generateObject<S extends z.ZodType>(
  options: GenerateObjectOptions<S>,
): Promise<GenerateObjectResult<z.output<S>>> {
  const request = objectRequest(options);
  return repairLoop(options, request, options.model.generate(request, { signal: options.signal }));
}

/**
 * The first request: checks the options and converts the schema before anything is sent, so a schema
 * the model cannot be given fails with SchemaNotSupportedError and no tokens spent.
 */
export function objectRequest<S extends z.ZodType>(options: GenerateObjectOptions<S>): ModelRequest {
  const maxRepairs = options.maxRepairs ?? 2;
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0) {
    throw new ModelConfigError(`maxRepairs must be a whole number, 0 or more; got ${String(maxRepairs)}.`);
  }
  const name = options.name ?? "output";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new ModelConfigError(
      `The output name ${JSON.stringify(name)} is not allowed: use 1 to 64 letters, digits, "_" or "-".`,
    );
  }
  const json = toOutputJsonSchema(options.schema);
  const model = options.modelName ?? "default";
  if (options.model.capabilities.jsonSchema) {
    return {
      model,
      messages: options.messages,
      responseFormat: { type: "json_schema", name, schema: json.schema, strict: json.strict },
    };
  }
  return { model, messages: withJsonInstruction(options.messages, json.schema) };
}

/**
 * Checks the first reply and repairs until one passes or the repairs run out. The first response is
 * given (generated or streamed by the caller); repairs are plain `generate` calls that carry the
 * conversation so far: the failing reply as the assistant's turn, then the issues as the user's.
 */
export async function repairLoop<S extends z.ZodType>(
  options: GenerateObjectOptions<S>,
  request: ModelRequest,
  first: Promise<ModelResponse>,
): Promise<GenerateObjectResult<z.output<S>>> {
  const maxRepairs = options.maxRepairs ?? 2;
  const attempts: ObjectAttempt[] = [];
  let messages = request.messages;
  let pending = first;
  for (let attempt = 0; ; attempt++) {
    const response = await pending;
    const check = await checkReply(response.text, options.schema, options.validate, {
      attempt,
      signal: options.signal,
    });
    attempts.push({
      text: response.text,
      issues: check.success ? [] : check.issues,
      usage: response.usage,
      response,
    });
    if (check.success) return { object: check.data, response, attempts, usage: sumUsage(attempts) };
    if (attempt >= maxRepairs) throw new OutputValidationError(attempts, { maxRepairs });
    messages = [
      ...messages,
      { role: "assistant", content: response.text },
      repairMessage(check.issues, response.finishReason),
    ];
    pending = options.model.generate({ ...request, messages }, { signal: options.signal });
  }
}

/** Token counts added up; "estimated" as soon as one attempt's counts were. */
export function sumUsage(attempts: ObjectAttempt[]): Usage {
  const total: Usage = {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    source: "provider",
  };
  for (const { usage } of attempts) {
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    total.cachedInputTokens += usage.cachedInputTokens;
    total.cacheWriteTokens += usage.cacheWriteTokens;
    if (usage.source === "estimated") total.source = "estimated";
  }
  return total;
}
