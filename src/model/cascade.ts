import type { z } from "zod";
import { isKeelError, KeelError } from "../errors/index.js";
import { ModelConfigError } from "./errors.js";
import { shouldFallBack } from "./fallback.js";
import { generateObject } from "./generate-object.js";
import { generateText, responseCost } from "./generate-text.js";
import { formatIssue, OutputValidationError } from "./object-errors.js";
import { defaultPrices, type PriceTable } from "./pricing.js";
import type { ModelTarget, Router } from "./router.js";
import type { ModelRequest, ModelResponse, Provider } from "./types.js";

/** A model of the cascade: a target, or an alias of the `router` option. */
export type CascadeModel = ModelTarget | string;

/** What `accept` sees: one model's answer, already through the schema when there is one. */
export interface CascadeCandidate<T> {
  /** The parsed object with a schema, the text without one. */
  answer: T;
  text: string;
  /** The provider's model name; `alias` when the model was given as one. */
  model: string;
  alias?: string;
  /** Position in the cascade, 0 for the first (cheapest) model. */
  index: number;
  response: ModelResponse;
}

export interface CascadeOptions<S extends z.ZodType | undefined = undefined> {
  /** Semantic check of an answer; false escalates to the next model. A throw propagates (it is a bug). */
  accept?: (candidate: CascadeCandidate<CascadeAnswer<S>>) => boolean | Promise<boolean>;
  /** Answers must parse as JSON and pass this schema (through `generateObject`). */
  schema?: S;
  /** Resolves models given as aliases. */
  router?: Router;
  /** Repairs for every model but the last (default 0: escalating is the repair). */
  maxRepairs?: number;
  /** Repairs for the last model, which has no one to escalate to (default 2). */
  lastMaxRepairs?: number;
  /** Prices for the tries' costs (default: the shipped table). */
  prices?: PriceTable;
  now?: () => number;
}

export type CascadeAnswer<S> = S extends z.ZodType ? z.output<S> : string;

/** Why a try ended as it did. */
export type CascadeTryReason = "accepted" | "output-invalid" | "not-accepted" | "provider-error";

/** One model's turn in a cascade, in the order they were tried. */
export interface CascadeTry {
  model: string;
  alias?: string;
  provider: string;
  accepted: boolean;
  reason: CascadeTryReason;
  /** The schema issues, or the provider error's code; absent when accepted or not accepted. */
  detail?: string;
  /** USD of this model's calls, repairs included; 0 for a provider error (nothing was answered); `null` when unpriced. */
  costUsd: number | null;
  latencyMs: number;
  /** The reply text, when the model answered. */
  text?: string;
  /** The provider's error, for `reason: "provider-error"`. */
  error?: unknown;
}

export interface CascadeResult<T> extends CascadeCandidate<T> {
  /** Every model tried, the accepted one last. */
  tried: CascadeTry[];
  /** USD of every try together; `null` when a try's model has no price (see `tried`). */
  costUsd: number | null;
}

export type CascadeInput = Omit<ModelRequest, "model"> & { signal?: AbortSignal };

export interface Cascade<T> {
  generate(input: CascadeInput): Promise<CascadeResult<T>>;
}

/**
 * Every model of a cascade failed: the last one's answer failed the schema or `accept`, or it (or a
 * model before it) could not be reached. `tried` holds each try with its reason and cost; the last
 * model's reply text is in `tried.at(-1).text` for a caller that wants it anyway.
 */
export class CascadeExhaustedError extends KeelError {
  readonly tried: readonly CascadeTry[];
  readonly costUsd: number | null;

  constructor(tried: CascadeTry[]) {
    const list = tried
      .map((t) => `${t.alias ?? t.model}: ${t.reason}${t.detail ? ` (${t.detail})` : ""}`)
      .join("; ");
    super(
      "CASCADE_EXHAUSTED",
      `No model of the cascade gave an acceptable answer: ${list}. ` +
        "Add a stronger model at the end, loosen the schema or accept check, or raise lastMaxRepairs; " +
        "error.tried holds every try with its text and cost.",
    );
    this.tried = tried;
    this.costUsd = totalCost(tried);
  }
}

/**
 * Tries the cheapest model first and moves to the next only when its answer fails the schema or the
 * `accept` check, or its provider failed in a way another may not (retryable errors, open circuits).
 * The last model's answer must pass too: a cascade never returns an unchecked answer as if it were
 * accepted, so when every model fails it throws `CascadeExhaustedError` carrying every try.
 *
 * @example
 * const answer = cascade(["fast", "smart"], {
 *   router: models,
 *   schema: z.object({ category: z.enum(["bug", "billing", "other"]) }),
 *   accept: ({ answer }) => answer.category !== "other",
 * });
 * const { answer: ticket, tried, costUsd } = await answer.generate({ messages });
 */
export function cascade<S extends z.ZodType | undefined = undefined>(
  models: readonly CascadeModel[],
  options: CascadeOptions<S> = {},
): Cascade<CascadeAnswer<S>> {
  if (!Array.isArray(models) || models.length === 0) {
    throw new ModelConfigError(
      "cascade() needs at least one model, cheapest first, e.g. cascade([small, large]).",
    );
  }
  if (!options.schema && !options.accept) {
    throw new ModelConfigError(
      "cascade() needs a check to escalate on: pass accept and/or schema. " +
        "Without one it would always return the first model's answer; use fallback() to move on provider failures only.",
    );
  }
  for (const n of [options.maxRepairs, options.lastMaxRepairs]) {
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      throw new ModelConfigError(`cascade() repairs must be whole numbers, 0 or more; got ${String(n)}.`);
    }
  }
  const steps = models.map((m) => resolveStep(m, options.router));
  return { generate: (input) => run(steps, options, input) };
}

interface Step extends ModelTarget {
  alias?: string;
}

function resolveStep(model: CascadeModel, modelRouter: Router | undefined): Step {
  if (typeof model === "string") {
    if (!modelRouter) {
      throw new ModelConfigError(
        `cascade() got the alias "${model}" but no router: pass cascade([...], { router }) or { provider, model }.`,
      );
    }
    // Resolved now, so an unknown alias fails when the cascade is built, not on the first request.
    return modelRouter.resolve(model);
  }
  if (typeof model?.provider?.generate !== "function" || typeof model.model !== "string") {
    throw new ModelConfigError("cascade(): each model must be { provider, model } or a router alias.");
  }
  return { provider: model.provider, model: model.model };
}

async function run<S extends z.ZodType | undefined>(
  steps: readonly Step[],
  options: CascadeOptions<S>,
  input: CascadeInput,
): Promise<CascadeResult<CascadeAnswer<S>>> {
  checkInput(input, options.schema !== undefined);
  const tried: CascadeTry[] = [];
  for (const [index, step] of steps.entries()) {
    const last = index === steps.length - 1;
    const outcome = await attempt(step, index, last, options, input);
    tried.push(outcome.try);
    if (outcome.candidate) return { ...outcome.candidate, tried, costUsd: totalCost(tried) };
  }
  throw new CascadeExhaustedError(tried);
}

interface Outcome<T> {
  try: CascadeTry;
  candidate?: CascadeCandidate<T>;
}

/** One model's turn: call (with the schema when there is one), then check; never throws for a failed answer. */
async function attempt<S extends z.ZodType | undefined>(
  step: Step,
  index: number,
  last: boolean,
  options: CascadeOptions<S>,
  input: CascadeInput,
): Promise<Outcome<CascadeAnswer<S>>> {
  const now = options.now ?? performance.now.bind(performance);
  const prices = options.prices ?? defaultPrices;
  const started = now();
  const base = { model: step.model, alias: step.alias, provider: step.provider.id };
  let call: { answer: CascadeAnswer<S>; response: ModelResponse; responses: ModelResponse[] };
  try {
    call = await callModel(step, last, options, input, prices);
  } catch (error) {
    const latencyMs = now() - started;
    if (error instanceof OutputValidationError) {
      const issues = error.attempts.at(-1)?.issues ?? [];
      return {
        try: {
          ...base,
          accepted: false,
          reason: "output-invalid",
          detail: issues.slice(0, 3).map(formatIssue).join("; "),
          costUsd: priceOf(
            step.model,
            error.attempts.map((a) => a.response),
            prices,
          ),
          latencyMs,
          text: error.attempts.at(-1)?.text,
        },
      };
    }
    // Bad requests, bad credentials and cancellations are the caller's to fix: another model would
    // hide the mistake behind a bigger bill, so they propagate as they are.
    if (!shouldFallBack(error)) throw error;
    const detail = isKeelError(error) ? error.code : String(error);
    return {
      try: { ...base, accepted: false, reason: "provider-error", detail, costUsd: 0, latencyMs, error },
    };
  }
  const candidate: CascadeCandidate<CascadeAnswer<S>> = {
    answer: call.answer,
    text: call.response.text,
    model: step.model,
    ...(step.alias === undefined ? {} : { alias: step.alias }),
    index,
    response: call.response,
  };
  const accepted = options.accept ? (await options.accept(candidate)) === true : true;
  const done: CascadeTry = {
    ...base,
    accepted,
    reason: accepted ? "accepted" : "not-accepted",
    costUsd: priceOf(step.model, call.responses, prices),
    latencyMs: now() - started,
    text: call.response.text,
  };
  return accepted ? { try: done, candidate } : { try: done };
}

async function callModel<S extends z.ZodType | undefined>(
  step: Step,
  last: boolean,
  options: CascadeOptions<S>,
  input: CascadeInput,
  prices: PriceTable,
): Promise<{ answer: CascadeAnswer<S>; response: ModelResponse; responses: ModelResponse[] }> {
  const { signal, ...request } = input;
  if (options.schema) {
    const result = await generateObject({
      model: step.provider,
      modelName: step.model,
      schema: options.schema,
      messages: input.messages,
      maxRepairs: last ? (options.lastMaxRepairs ?? 2) : (options.maxRepairs ?? 0),
      signal,
    });
    return {
      answer: result.object as CascadeAnswer<S>,
      response: result.response,
      responses: result.attempts.map((a) => a.response),
    };
  }
  const result = await generateText({
    model: step.provider as Provider,
    request: { ...request, model: step.model },
    signal,
    prices,
    now: options.now,
  });
  return { answer: result.text as CascadeAnswer<S>, response: result, responses: [result] };
}

const OBJECT_INPUT = new Set(["messages", "signal"]);

/** With a schema, generateObject sends only the messages: other fields would be dropped silently, so refuse them. */
function checkInput(input: CascadeInput, withSchema: boolean): void {
  if (!Array.isArray(input?.messages) || input.messages.length === 0) {
    throw new ModelConfigError(
      "cascade.generate() needs messages, e.g. { messages: [{ role: 'user', content }] }.",
    );
  }
  const extra = Object.keys(input).filter(
    (k) => !OBJECT_INPUT.has(k) && input[k as keyof CascadeInput] !== undefined,
  );
  if (withSchema && extra.length > 0) {
    throw new ModelConfigError(
      `cascade() with a schema sends only messages; got ${extra.join(", ")} too. ` +
        "Drop them, or use a cascade without schema and parse the text yourself.",
    );
  }
}

/** Every call a try made, each priced as the step's model (cache hits cost nothing). */
function priceOf(model: string, responses: ModelResponse[], prices: PriceTable): number | null {
  let total = 0;
  for (const response of responses) {
    const cost = responseCost(response, prices, model);
    if (cost === null) return null;
    total += cost;
  }
  return total;
}

function totalCost(tried: readonly CascadeTry[]): number | null {
  let total = 0;
  for (const t of tried) {
    if (t.costUsd === null) return null;
    total += t.costUsd;
  }
  return total;
}
