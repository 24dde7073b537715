/**
 * Verification of the PostgreSQL audit log, with the checks and report of `verify.ts`: every
 * envelope is hashed again and each tenant's tree rebuilt from those hashes alone, the stored nodes
 * and leaf hashes compared with it, and its roots with the signed checkpoints. Events are read in
 * batches by position inside one read-only REPEATABLE READ transaction, so appends made meanwhile
 * by running servers are not half seen. There is no worker-thread fast path: the server, not this
 * process, is what bounds the speed here.
 */
import type { PostgresDatabase, Queryable } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import { parseVerifierKey } from "./checkpoint-note.js";
import { RangeScanner, type Stored } from "./scan-range.js";
import { STORED_LEVEL } from "./stored-tree.js";
import {
  checkpointOf,
  judgeTenant,
  type StoredCheckpoint,
  type TenantCheck,
  type TenantReport,
  tenantCheck,
  type VerifyOptions,
  type VerifyReport,
  verifyReport,
} from "./verify.js";

export type PostgresVerifyOptions = Omit<VerifyOptions, "workers">;

/** Events read per query: a multiple of 16, so a group of leaves is never split across two reads. */
const BATCH = 4096;
/**
 * One range and one block that never fills: the scan then compares every stored node itself while
 * it rebuilds the tree, and nothing is left to join.
 */
const WHOLE = 52;

/** The tenants with events, one index seek each (DISTINCT would read every event). */
const TENANTS = `
  WITH RECURSIVE t(tenant) AS (
    SELECT min(tenant) FROM keel_audit_events
    UNION ALL SELECT (SELECT min(tenant) FROM keel_audit_events WHERE tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL)
  SELECT tenant FROM t WHERE tenant IS NOT NULL`;

/**
 * Verifies every tenant's log in the database (or one), with the checkpoints' public key.
 *
 * @example
 * const report = await verifyPostgresAuditLog(openPostgres(url), { vkey, checkpoint: exportedNote });
 */
export async function verifyPostgresAuditLog(
  db: PostgresDatabase,
  options: PostgresVerifyOptions,
): Promise<VerifyReport> {
  const started = performance.now();
  const verifier = parseVerifierKey(options.vkey);
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const table = await tx.query<{ t: string | null }>("SELECT to_regclass('keel_audit_events')::text AS t");
    const tenants = !table.rows[0]?.t
      ? []
      : options.tenant
        ? [options.tenant]
        : (await tx.query<{ tenant: string }>(TENANTS)).rows.map((r) => r.tenant);
    if (tenants.length === 0) {
      throw new KeelError(
        "NOT_FOUND",
        `The audit log is empty: there is nothing to verify (check the database ${db.display}).`,
      );
    }
    const given = checkpointOf(tenants, options);
    const reports: TenantReport[] = [];
    for (const tenant of tenants) {
      const stored = await tx.query<{ size: string; note: string }>(
        "SELECT size, note FROM keel_audit_checkpoints WHERE tenant = $1 ORDER BY size",
        [tenant],
      );
      const size = await tx.query<{ size: string }>(
        "SELECT coalesce(max(seq) + 1, 0) AS size FROM keel_audit_events WHERE tenant = $1",
        [tenant],
      );
      const check = tenantCheck(
        tenant,
        stored.rows.map((r): StoredCheckpoint => ({ size: Number(r.size), note: r.note })),
        Number(size.rows[0]?.size ?? 0),
        verifier,
        { ...options, checkpoint: given(tenant) },
      );
      const scan = await scanTenant(tx, check);
      // Every stored node was compared during the scan; there are no blocks above it to look up.
      reports.push(judgeTenant(() => undefined, check, { blockLevel: WHOLE, scans: [scan] }));
    }
    return verifyReport(reports, options, started);
  });
}

/** Rebuilds one tenant's tree from its envelopes, batch by batch. */
async function scanTenant(tx: Queryable, check: TenantCheck) {
  const { tenant, size, wanted } = check;
  let leaves = new Map<number, Buffer>();
  let nodes = new Map<string, Buffer>();
  const scanner = new RangeScanner(tenant, 0, WHOLE, wanted, {
    nodes: {
      compare(level, index, hash): Stored {
        const stored = nodes.get(`${level}/${index}`);
        return stored === undefined ? "missing" : stored.equals(hash) ? "same" : "altered";
      },
    },
    leafAt: (seq) => leaves.get(seq),
  });
  for (let from = 0; from < size; from += BATCH) {
    const to = Math.min(size, from + BATCH);
    const events = await tx.query<{ seq: string; leaf: Buffer; envelope: Buffer }>(
      "SELECT seq, leaf, envelope FROM keel_audit_events WHERE tenant = $1 AND seq >= $2 AND seq < $3 ORDER BY seq",
      [tenant, from, to],
    );
    leaves = new Map(events.rows.map((r) => [Number(r.seq), r.leaf]));
    nodes = await nodesCompletedIn(tx, tenant, from, to);
    for (const row of events.rows) scanner.event(Number(row.seq), row.envelope);
  }
  return scanner.finish(size);
}

/** The stored nodes that leaves [from, to) complete: those whose last leaf is in the range. */
async function nodesCompletedIn(
  tx: Queryable,
  tenant: string,
  from: number,
  to: number,
): Promise<Map<string, Buffer>> {
  const levels: number[] = [];
  const lows: number[] = [];
  const highs: number[] = [];
  for (let level = STORED_LEVEL; 2 ** level <= to; level++) {
    const width = 2 ** level;
    // Node i ends at leaf (i + 1) * width - 1: in [from, to) for i from floor(from / width).
    levels.push(level);
    lows.push(Math.floor(from / width));
    highs.push(Math.floor(to / width));
  }
  if (levels.length === 0) return new Map();
  const { rows } = await tx.query<{ level: number; idx: string; hash: Buffer }>(
    `SELECT n.level, n.idx, n.hash FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS r(level, lo, hi)
     JOIN keel_audit_nodes n ON n.tenant = $1 AND n.level = r.level AND n.idx >= r.lo AND n.idx < r.hi`,
    [tenant, levels, lows, highs],
  );
  return new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
}
