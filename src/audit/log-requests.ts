/**
 * The checks and refusals every audit store makes of a request before touching its storage, so the
 * SQLite log and its PostgreSQL twin refuse the same requests with the same errors.
 */
import { KeelError } from "../errors/index.js";
import { dayOf } from "./content-keys.js";

export function noEventsError(tenant: string): KeelError {
  return new KeelError("NOT_FOUND", `The audit log has no events for tenant "${tenant}".`);
}

export function noEventError(tenant: string, seq: number): KeelError {
  return new KeelError("NOT_FOUND", `Tenant "${tenant}" has no audit event ${seq}.`);
}

export function noRunError(tenant: string, runId: string): KeelError {
  return new KeelError("NOT_FOUND", `Tenant "${tenant}" has no recorded run "${runId}".`);
}

export function noSignerError(): KeelError {
  return new KeelError(
    "NO_SIGNER",
    "This audit log has no signing key; open it with signer: noteSigner(name, pem) to write checkpoints.",
  );
}

export function unknownSubjectError(tenant: string): KeelError {
  return new KeelError(
    "UNKNOWN_SUBJECT",
    `Tenant "${tenant}" holds no content of that subject; nothing was erased.`,
  );
}

/** Throws unless event `seq` is in a tree of `size` among the tenant's `total` events. */
export function checkInclusionQuery(tenant: string, seq: number, size: number, total: number): void {
  if (!Number.isInteger(seq) || seq < 0 || !Number.isInteger(size) || seq >= size || size > total) {
    throw new KeelError(
      "INVALID_QUERY",
      `Event ${seq} is not in a tree of ${size} (tenant "${tenant}" has ${total} events).`,
    );
  }
}

/** Throws unless the tree of `from` events can be proved consistent with that of `to`. */
export function checkConsistencyQuery(tenant: string, from: number, to: number, total: number): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || from > to || to > total) {
    throw new KeelError(
      "INVALID_QUERY",
      `Cannot prove ${from} consistent with ${to} (tenant "${tenant}" has ${total} events).`,
    );
  }
}

export function checkLegalBasis(legalBasis: unknown): void {
  if (typeof legalBasis !== "string" || legalBasis.trim() === "") {
    throw new KeelError("INVALID_EVENT", 'An erasure needs a legalBasis, e.g. "GDPR Art. 17(1)(a)".');
  }
}

/** Throws unless a retention period is a whole number of days of at least `floor`. */
export function checkRetention(policy: { days: number }, floor: number): void {
  if (!Number.isInteger(policy.days) || policy.days < floor) {
    throw new KeelError(
      "INVALID_OPTION",
      `Retention must be a whole number of days of at least ${floor} (minimumRetentionDays), got ${policy.days}.`,
    );
  }
}

/**
 * The first UTC day (days since the epoch) whose keys a retention of `days` keeps at `now`, and that
 * day as the `audit.retention` event records it.
 */
export function retentionCutoff(days: number, now: number): { day: number; date: string } {
  const day = dayOf(now) - days;
  return { day, date: new Date(day * 86_400_000).toISOString().slice(0, 10) };
}
