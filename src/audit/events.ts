/**
 * The typed events of the audit log. `data` holds the decision's facts (models, counts, costs,
 * policy ids, finding types: never personal content); `content` holds text that may be personal
 * (prompts, answers, tool arguments), which is redacted, then encrypted with a data key before it is
 * stored, so it can be erased by destroying that key.
 */
import { KeelError } from "../errors/index.js";

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ModelCallData extends JsonObject {
  provider: string;
  requestedModel: string;
  resolvedModel: string;
  parameters: JsonObject;
  usage: { inputTokens: number; outputTokens: number };
  cost: { usd: number; priceTable: string };
  latencyMs: number;
  attempts: number;
}

/** The facts each event type must carry (more fields are allowed). */
export interface EventData {
  "model.call": ModelCallData & { seed?: number; systemFingerprint?: string; requestHash?: string };
  "tool.call": {
    name: string;
    callId: string;
    status: "ok" | "error" | "denied";
    latencyMs: number;
    requestHash?: string;
  };
  "guard.verdict": {
    source: string;
    scanners: string[];
    policy: { id: string; version: string | number };
    findingTypes: string[];
    action: string;
  };
  "route.choice": { candidates: string[]; choice: string; reason: string; fallbacks: string[] };
  "cache.hit": { key: string; provider: string; model: string };
  "graph.run": {
    graph: string;
    status: "started" | "completed" | "failed" | "interrupted" | "cancelled";
    steps?: number;
  };
  "graph.step": {
    graph: string;
    node: string;
    superstep: number;
    status: "completed" | "failed";
    durationMs?: number;
    ns?: string;
    error?: string;
  };
  "graph.interrupt": { graph: string; node: string; interruptId: string };
  "graph.resume": { graph: string; interruptId: string };
  "budget.decision": {
    budget: string;
    decision: "reserved" | "settled" | "refused";
    amountUsd: number;
    remainingUsd: number;
  };
  "ratelimit.decision": { limiter: string; decision: "allowed" | "limited"; retryAfterMs?: number };
  "admin.action": { action: string; target: string };
  "audit.read": { what: string; seq?: number };
  "audit.erasure": { keys: number; legalBasis: string };
  "audit.retention": { dataClass: string; before: string; keys: number };
}

export type EventType = keyof EventData;

export const EVENT_TYPES: readonly EventType[] = [
  "model.call",
  "tool.call",
  "guard.verdict",
  "route.choice",
  "cache.hit",
  "graph.run",
  "graph.step",
  "graph.interrupt",
  "graph.resume",
  "budget.decision",
  "ratelimit.decision",
  "admin.action",
  "audit.read",
  "audit.erasure",
  "audit.retention",
];

/** Fields each type's `data` must have, checked on append (their values are the caller's to get right). */
const REQUIRED: Record<EventType, readonly string[]> = {
  "model.call": [
    "provider",
    "requestedModel",
    "resolvedModel",
    "parameters",
    "usage",
    "cost",
    "latencyMs",
    "attempts",
  ],
  "tool.call": ["name", "callId", "status", "latencyMs"],
  "guard.verdict": ["source", "scanners", "policy", "findingTypes", "action"],
  "route.choice": ["candidates", "choice", "reason", "fallbacks"],
  "cache.hit": ["key", "provider", "model"],
  "graph.run": ["graph", "status"],
  "graph.step": ["graph", "node", "superstep", "status"],
  "graph.interrupt": ["graph", "node", "interruptId"],
  "graph.resume": ["graph", "interruptId"],
  "budget.decision": ["budget", "decision", "amountUsd", "remainingUsd"],
  "ratelimit.decision": ["limiter", "decision"],
  "admin.action": ["action", "target"],
  "audit.read": ["what"],
  "audit.erasure": ["keys", "legalBasis"],
  "audit.retention": ["dataClass", "before", "keys"],
};

/** What a caller appends. */
export interface AuditEventInput<T extends EventType = EventType> {
  type: T;
  tenant: string;
  /** Who caused it: a user, an API key id, a service. */
  actor: string;
  runId?: string;
  data: EventData[T];
  /** Text that may be personal: redacted, then encrypted before it is stored. */
  content?: Record<string, string>;
  /** Whose personal data `content` is (an id of yours): erasing this subject destroys its key. */
  subject?: string;
  /** Retention class of `content` (default "default"). */
  dataClass?: string;
}

/** What is hashed into the tree: canonical JSON of this object (RFC 8785). */
export interface Envelope {
  v: 1;
  seq: number;
  tenant: string;
  time: number;
  type: EventType;
  actor: string;
  runId?: string;
  redaction: string;
  data: JsonObject;
  /** The encrypted content: data key id, nonce and ciphertext with tag (base64). */
  sealed?: { key: string; iv: string; ct: string };
  /** Why there is no content although the caller gave some. */
  contentOmitted?: "redaction-failed";
}

const NAME = /^[A-Za-z0-9._:@-]{1,128}$/;

export function checkEventInput(input: unknown): AuditEventInput {
  const bad = (message: string) => new KeelError("INVALID_EVENT", message);
  if (typeof input !== "object" || input === null)
    throw bad("An audit event is an object { type, tenant, actor, data }.");
  const e = input as AuditEventInput;
  if (!EVENT_TYPES.includes(e.type))
    throw bad(`Unknown audit event type ${JSON.stringify(e.type)}; known: ${EVENT_TYPES.join(", ")}.`);
  if (typeof e.tenant !== "string" || !NAME.test(e.tenant)) {
    throw bad("tenant must be 1 to 128 letters, digits or . _ : @ -.");
  }
  if (typeof e.actor !== "string" || e.actor.length === 0 || e.actor.length > 256)
    throw bad("actor must be a non-empty string.");
  if (e.runId !== undefined && (typeof e.runId !== "string" || e.runId.length === 0))
    throw bad("runId must be a non-empty string.");
  if (typeof e.data !== "object" || e.data === null || Array.isArray(e.data))
    throw bad(`A ${e.type} event needs a data object.`);
  const missing = REQUIRED[e.type].filter((f) => (e.data as Record<string, unknown>)[f] === undefined);
  if (missing.length > 0) throw bad(`A ${e.type} event needs data.${missing.join(", data.")}.`);
  if (e.content !== undefined) {
    if (
      typeof e.content !== "object" ||
      e.content === null ||
      Object.values(e.content).some((v) => typeof v !== "string")
    ) {
      throw bad("content must be an object of strings.");
    }
  }
  if (e.subject !== undefined && (typeof e.subject !== "string" || e.subject.length === 0))
    throw bad("subject must be a non-empty string.");
  if (e.dataClass !== undefined && (typeof e.dataClass !== "string" || !NAME.test(e.dataClass)))
    throw bad("dataClass must be a short name.");
  return e;
}
