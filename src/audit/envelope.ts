/**
 * An event's envelope, as every audit store builds it: content redacted (failing closed), sealed
 * under a data key with the event's tenant and seq as associated data, and written as canonical
 * JSON. Storage-free, so the SQLite log and its PostgreSQL twin store the same bytes for an event.
 */
import { KeelError } from "../errors/index.js";
import { canonicalJson } from "./canonical-json.js";
import { dayOf, type KeyScope, seal, unseal } from "./content-keys.js";
import type { AuditEventInput, Envelope, JsonObject } from "./events.js";

/** An event as read back: its envelope and, when its key still exists, its decrypted content. */
export interface StoredEvent {
  envelope: Envelope;
  /** The decrypted content; null when there was none or its key was destroyed (see `erased`). */
  content: Record<string, string> | null;
  erased: boolean;
}

export type EnvelopeContent = Pick<Envelope, "sealed" | "contentOmitted">;

/**
 * `canonicalJson(envelope)`, written field by field: the envelope's keys are known and written in
 * RFC 8785 order, so only `data` and `sealed` need the general writer (a test checks the two agree).
 */
export function envelopeJson(e: Envelope): string {
  let out = `{"actor":${JSON.stringify(e.actor)}`;
  if (e.contentOmitted !== undefined) out += `,"contentOmitted":${JSON.stringify(e.contentOmitted)}`;
  out += `,"data":${canonicalJson(e.data)},"redaction":${JSON.stringify(e.redaction)}`;
  if (e.runId !== undefined) out += `,"runId":${JSON.stringify(e.runId)}`;
  if (e.sealed !== undefined) out += `,"sealed":${canonicalJson(e.sealed)}`;
  return `${out},"seq":${e.seq},"tenant":${JSON.stringify(e.tenant)},"time":${canonicalJson(e.time)},"type":${JSON.stringify(e.type)},"v":1}`;
}

/** The redaction version recorded on every event (default "none" without `redact`, else "custom"). */
export function redactionLabel(options: { redact?: unknown; redactionVersion?: string }): string {
  return options.redactionVersion ?? (options.redact ? "custom" : "none");
}

/**
 * The content to store, redacted: undefined when there is none, "redaction-failed" when `redact`
 * threw or returned no text (the content is then dropped whole, never kept unredacted).
 */
export function redactContent(
  content: Record<string, string> | undefined,
  redact: ((text: string) => string) | undefined,
): Record<string, string> | "redaction-failed" | undefined {
  if (!content || Object.keys(content).length === 0) return undefined;
  try {
    const apply = redact ?? ((t: string) => t);
    return Object.fromEntries(
      Object.entries(content).map(([k, v]) => {
        const out = apply(v);
        if (typeof out !== "string") throw new Error("redaction returned no text");
        return [k, out];
      }),
    );
  } catch {
    return "redaction-failed";
  }
}

/** The data key an event's content is sealed under: per (tenant, subject, data class, UTC day). */
export function keyScopeOf(input: AuditEventInput, time: number): KeyScope {
  return {
    tenant: input.tenant,
    subject: input.subject ?? null,
    dataClass: input.dataClass ?? "default",
    day: dayOf(time),
  };
}

/** Seals redacted content for the event at (tenant, seq). */
export function sealContent(
  redacted: Record<string, string>,
  key: { id: string; key: Buffer },
  tenant: string,
  seq: number,
): EnvelopeContent {
  const sealed = seal(canonicalJson(redacted), key.key, `${tenant}\n${seq}`);
  return { sealed: { key: key.id, ...sealed } };
}

/** The envelope of an event at `seq`, with its keys in RFC 8785 order (the canonical writer need not sort). */
export function buildEnvelope(
  input: AuditEventInput,
  seq: number,
  time: number,
  redaction: string,
  { sealed, contentOmitted }: EnvelopeContent,
): Envelope {
  return {
    actor: input.actor,
    ...(contentOmitted ? { contentOmitted } : {}),
    data: input.data as JsonObject,
    redaction,
    ...(input.runId ? { runId: input.runId } : {}),
    ...(sealed ? { sealed } : {}),
    seq,
    tenant: input.tenant,
    time,
    type: input.type,
    v: 1,
  };
}

/** The bytes stored and hashed; an event whose data is not JSON is `INVALID_EVENT` (nothing written). */
export function encodeEnvelope(envelope: Envelope): Buffer {
  try {
    return Buffer.from(envelopeJson(envelope));
  } catch (cause) {
    throw new KeelError(
      "INVALID_EVENT",
      `A ${envelope.type} event's data is not JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/** An envelope with its content decrypted under `key` (null: the key was destroyed). */
export function openEnvelope(envelope: Envelope, key: Buffer | null): StoredEvent {
  if (!envelope.sealed) return { envelope, content: null, erased: false };
  if (!key) return { envelope, content: null, erased: true };
  const text = unseal(envelope.sealed, key, `${envelope.tenant}\n${envelope.seq}`);
  return { envelope, content: JSON.parse(text) as Record<string, string>, erased: false };
}
