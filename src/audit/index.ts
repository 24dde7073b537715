// The audit trail: typed events in a per-tenant Merkle log (RFC 6962) over canonical JSON, signed
// checkpoints (C2SP notes), proofs, verification, and erasure by destroying content keys.
export { type AuditedOptions, audited, requestHash } from "./audited-provider.js";
export {
  type Checkpoint,
  generateSigningKey,
  type NoteSigner,
  noteSigner,
  openCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  verifierKey,
} from "./checkpoint-note.js";
export {
  type AuditEventInput,
  type Envelope,
  EVENT_TYPES,
  type EventData,
  type EventType,
} from "./events.js";
export { type AuditedRunOptions, auditedRun } from "./graph-events.js";
export {
  type AppendResult,
  AuditLog,
  type AuditLogOptions,
  type InclusionProof,
  openAuditLog,
  type StoredEvent,
} from "./log.js";
export {
  consistencyProof,
  inclusionProof,
  leafHash,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";
export {
  guardAttributes,
  recordGuardVerdict,
  routeAttributes,
  type TelemetryOptions,
  traceAgent,
  traced,
  traceTool,
  traceWorkflow,
} from "./otel.js";
export {
  type AuditedToolOptions,
  auditedTool,
  type Divergence,
  loadRecording,
  type Recording,
  type ReplayDeps,
  ReplayDivergedError,
  type ReplayReport,
  replayRun,
  toolCallHash,
} from "./replay.js";
export { type AuditReport, auditReport, type CostRow, type ReportOptions } from "./report.js";
export { reportHtml } from "./report-html.js";
export { currentRunId, recordRun } from "./run-context.js";
export {
  type Problem,
  type ProblemKind,
  type TenantReport,
  type VerifyOptions,
  type VerifyReport,
  verifyAuditLog,
} from "./verify.js";
