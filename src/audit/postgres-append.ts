/**
 * One append transaction of the PostgreSQL audit log: the tenants' head rows locked, each event's
 * envelope built (clock, redaction, sealing, canonical bytes: as the SQLite log builds it) at the
 * next position of its tenant's tree, the events and new stored nodes inserted in one statement
 * each, and the heads written back.
 */
import type { Queryable } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import {
  buildEnvelope,
  type EnvelopeContent,
  encodeEnvelope,
  keyScopeOf,
  redactContent,
  redactionLabel,
  sealContent,
} from "./envelope.js";
import type { AuditEventInput } from "./events.js";
import type { AppendResult } from "./log.js";
import { type Hash, leafHash } from "./merkle.js";
import { keysFor, scopeName } from "./postgres-keys.js";
import { type Head, lockHeads, writeHeads } from "./postgres-tree.js";
import { STORED_LEVEL } from "./stored-tree.js";

export interface AppendOptions {
  now: () => number;
  redact?: (text: string) => string;
  redactionVersion?: string;
}

/** What one append transaction did: each event's result, and the tenants' heads after it. */
export interface Written {
  results: Array<AppendResult | KeelError>;
  heads: Map<string, Head>;
}

interface EventRow {
  tenant: string;
  seq: number;
  leaf: Hash;
  bytes: Buffer;
  input: AuditEventInput;
  time: number;
}

interface NodeRow {
  tenant: string;
  level: number;
  index: number;
  hash: Hash;
}

/**
 * Writes events in the current transaction, holding their tenants' head rows. An event whose data
 * is not JSON gets its error as its result, takes no position, and fails alone.
 */
export async function appendEvents(
  tx: Queryable,
  inputs: AuditEventInput[],
  options: AppendOptions,
): Promise<Written> {
  const heads = await lockHeads(
    tx,
    inputs.map((i) => i.tenant),
  );
  // Clock and redaction first, in event order (as the SQLite log does), then every key the batch
  // needs in one query.
  const prepared = inputs.map((input) => {
    const time = options.now();
    return { input, time, redacted: redactContent(input.content, options.redact) };
  });
  const keys = await keysFor(
    tx,
    prepared.flatMap((p) =>
      typeof p.redacted === "object" ? [{ scope: keyScopeOf(p.input, p.time), time: p.time }] : [],
    ),
  );
  const events: EventRow[] = [];
  const nodes: NodeRow[] = [];
  const results = prepared.map(({ input, time, redacted }): AppendResult | KeelError => {
    const head = heads.get(input.tenant) as Head;
    const seq = head.frontier.size;
    let content: EnvelopeContent = {};
    if (redacted === "redaction-failed") content = { contentOmitted: redacted };
    else if (redacted) {
      const key = keys.get(scopeName(keyScopeOf(input, time)));
      if (!key) throw new KeelError("AUDIT_CORRUPT", "A content key vanished inside its transaction.");
      content = sealContent(redacted, key, input.tenant, seq);
    }
    let bytes: Buffer;
    try {
      bytes = encodeEnvelope(buildEnvelope(input, seq, time, redactionLabel(options), content));
    } catch (error) {
      if (error instanceof KeelError) return error;
      throw error;
    }
    const leaf = leafHash(bytes);
    events.push({ tenant: input.tenant, seq, leaf, bytes, input, time });
    for (const node of head.frontier.append(leaf)) {
      if (node.level >= STORED_LEVEL) nodes.push({ tenant: input.tenant, ...node });
    }
    return { tenant: input.tenant, seq };
  });
  await insertRows(tx, events, nodes);
  await writeHeads(tx, heads);
  return { results, heads };
}

/** The batch's events and stored nodes, one `unnest` insert each. */
async function insertRows(tx: Queryable, events: EventRow[], nodes: NodeRow[]): Promise<void> {
  if (events.length > 0) {
    await tx.query(
      `INSERT INTO keel_audit_events (tenant, seq, leaf, envelope, run_id, type, time)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::bigint[])`,
      [
        events.map((e) => e.tenant),
        events.map((e) => e.seq),
        events.map((e) => e.leaf),
        events.map((e) => e.bytes),
        events.map((e) => e.input.runId ?? null),
        events.map((e) => e.input.type),
        events.map((e) => e.time),
      ],
    );
  }
  if (nodes.length > 0) {
    await tx.query(
      `INSERT INTO keel_audit_nodes (tenant, level, idx, hash)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[])`,
      [
        nodes.map((n) => n.tenant),
        nodes.map((n) => n.level),
        nodes.map((n) => n.index),
        nodes.map((n) => n.hash),
      ],
    );
  }
}
