export { type AnthropicOptions, anthropic } from "./anthropic.js";
export {
  type CachedOptions,
  type CachedResponse,
  cached,
  cacheKey,
  type ResponseCache,
  type ResponseCacheLike,
  type ResponseCacheOptions,
  responseCache,
} from "./cache.js";
export {
  type Cascade,
  type CascadeAnswer,
  type CascadeCandidate,
  CascadeExhaustedError,
  type CascadeInput,
  type CascadeModel,
  type CascadeOptions,
  type CascadeResult,
  type CascadeTry,
  type CascadeTryReason,
  cascade,
} from "./cascade.js";
export { type DefaultModel, defaultModel } from "./default-model.js";
export { ModelConfigError, ProviderError, type ProviderErrorKind } from "./errors.js";
export { EXTRACTIVE_MODEL, type ExtractiveOptions, extractive } from "./extractive.js";
export {
  AllProvidersFailedError,
  type FallbackOptions,
  fallback,
  type ProviderFailure,
  shouldFallBack,
} from "./fallback.js";
export { type GenerateObjectOptions, type GenerateObjectResult, generateObject } from "./generate-object.js";
export {
  type CallResult,
  type GenerateTextOptions,
  generateText,
  streamText,
  type TextStreamPart,
} from "./generate-text.js";
export type { SemanticValidator, ValidateContext } from "./object-check.js";
export {
  type ObjectAttempt,
  type OutputIssue,
  OutputValidationError,
  SchemaNotSupportedError,
} from "./object-errors.js";
export { type OpenAICompatibleOptions, openaiCompatible } from "./openai-compatible.js";
export type { DeepPartial } from "./partial-json.js";
export { type Cost, costOf, defaultPrices, type ModelPrice, type PriceTable } from "./pricing.js";
export {
  type AttemptedResponse,
  type AttemptedStreamPart,
  attemptsOf,
  type BreakerOptions,
  CircuitOpenError,
  type ResilienceOptions,
  type ResilientProvider,
  type RetryOptions,
  resilient,
} from "./resilience.js";
export {
  type Capability,
  type CheapestChoice,
  type CheapestOptions,
  type ModelTarget,
  NoCapableModelError,
  type RankedModel,
  type ResolvedModel,
  type Router as ModelRouter,
  type RouterCallOptions,
  type RouterOptions,
  router,
  UnknownModelError,
} from "./router.js";
export { type StreamObjectOptions, type StreamObjectPart, streamObject } from "./stream-object.js";
export { countPromptTokens, countTextTokens, estimateUsage } from "./tokens.js";
export type {
  CallOptions,
  ContentPart,
  FinishReason,
  ImagePart,
  Message,
  ModelRequest,
  ModelResponse,
  Provider,
  ProviderCapabilities,
  ResponseFormat,
  StreamPart,
  TextPart,
  ToolCall,
  ToolSpec,
  Usage,
} from "./types.js";
