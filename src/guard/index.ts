export { type Canary, canaryScanner, createCanary } from "./canary.js";
export {
  type DecidedFinding,
  defaultScanners,
  type Guard,
  GuardBlockedError,
  type GuardOptions,
  guard,
  PERSONAL_DATA_TYPES,
  type ScanOptions,
  type Verdict,
  type VerdictRecord,
} from "./guard.js";
export { detectInjection, injectionScanner } from "./injection/index.js";
export { piiScanner } from "./pii/index.js";
export { createNumbering, type Numbering } from "./placeholders.js";
export {
  type Action,
  type ActionRules,
  defaultPolicy,
  type Policy,
  type PolicyDefinition,
  PolicyError,
  policy,
  strictest,
} from "./policy.js";
export { type GuardedOptions, guarded } from "./provider.js";
export { mergeSpans, type RedactionMode, type RedactOptions, redact } from "./redact.js";
export { secretsScanner } from "./secrets/index.js";
export { DEFAULT_HOLDBACK, type StreamScanner } from "./stream.js";
export {
  type Finding,
  type FindingType,
  type PiiType,
  type ScanContext,
  type Scanner,
  scanner,
  type TextSource,
} from "./types.js";
export {
  createVault,
  openVault,
  type StreamRestorer,
  type Vault,
  VaultError,
  type VaultOptions,
} from "./vault.js";
