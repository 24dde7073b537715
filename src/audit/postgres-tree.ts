/**
 * A tenant's tree in PostgreSQL: its head row (size and right edge), locked by every writer, and
 * subtree hashes read for proofs. The proof functions of `merkle.ts` read nodes synchronously, so a
 * proof is computed twice: once over placeholder hashes to learn which stored rows it reads (the
 * functions never branch on a hash's value), then over those rows fetched in one query.
 */
import type { Queryable } from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import { Frontier, type Hash, type NodeSource } from "./merkle.js";
import { storedTreeNodes } from "./stored-tree.js";

export interface Head {
  frontier: Frontier;
  /** Size of the tenant's latest stored checkpoint. */
  checkpointed: number;
}

/** The right edge as stored in the head row: its hashes, largest subtree first. */
export function edgeBytes(frontier: Frontier): Buffer {
  return Buffer.concat(frontier.edge().map((e) => e.hash));
}

/** Rebuilds a tree's right edge from its head row: one subtree per set bit of `size`, largest first. */
export function frontierOf(tenant: string, size: number, edge: Buffer): Frontier {
  const byLevel = new Map<number, Hash>();
  let at = 0;
  for (let level = 52; level >= 0; level--) {
    if (Math.floor(size / 2 ** level) % 2 === 1) {
      byLevel.set(level, edge.subarray(at, at + 32));
      at += 32;
    }
  }
  if (at !== edge.length) {
    throw new KeelError(
      "AUDIT_CORRUPT",
      `The audit head of ${tenant} does not match its size ${size}; run keel audit verify.`,
    );
  }
  return Frontier.load((level) => byLevel.get(level) as Hash, size);
}

/**
 * Locks the head rows of `tenants` (made if missing) for the rest of the transaction, in one order
 * every transaction shares (sorted), so two batches over the same tenants queue instead of
 * deadlocking. Another process's appends are in what this reads: the edge is always the current one.
 */
export async function lockHeads(tx: Queryable, tenants: readonly string[]): Promise<Map<string, Head>> {
  const sorted = [...new Set(tenants)].sort();
  await tx.query(
    `INSERT INTO keel_audit_heads (tenant)
     SELECT tenant FROM unnest($1::text[]) WITH ORDINALITY AS t(tenant, n) ORDER BY n
     ON CONFLICT (tenant) DO NOTHING`,
    [sorted],
  );
  const { rows } = await tx.query<{ tenant: string; size: string; edge: Buffer; checkpointed: string }>(
    `SELECT h.tenant, h.size, h.edge, h.checkpointed
     FROM keel_audit_heads h JOIN unnest($1::text[]) WITH ORDINALITY AS t(tenant, n) ON h.tenant = t.tenant
     ORDER BY t.n
     FOR UPDATE OF h`,
    [sorted],
  );
  return new Map(
    rows.map((r) => [
      r.tenant,
      { frontier: frontierOf(r.tenant, Number(r.size), r.edge), checkpointed: Number(r.checkpointed) },
    ]),
  );
}

/** Writes the heads back after appending (sizes and edges). */
export async function writeHeads(tx: Queryable, heads: Map<string, Head>): Promise<void> {
  const all = [...heads.entries()];
  await tx.query(
    `UPDATE keel_audit_heads AS h SET size = v.size, edge = v.edge, checkpointed = v.checkpointed
     FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bigint[]) AS v(tenant, size, edge, checkpointed)
     WHERE h.tenant = v.tenant`,
    [
      all.map(([t]) => t),
      all.map(([, h]) => h.frontier.size),
      all.map(([, h]) => edgeBytes(h.frontier)),
      all.map(([, h]) => h.checkpointed),
    ],
  );
}

const PLACEHOLDER = Buffer.alloc(32);

/**
 * Runs `compute` over the tenant's stored tree: first over placeholders to learn the rows it reads,
 * then over those rows. `compute` must read the same nodes whatever their hashes (the proof and
 * root functions of merkle.ts do).
 */
export async function withTreeNodes<T>(
  db: Queryable,
  tenant: string,
  compute: (nodes: NodeSource) => T,
): Promise<T> {
  const leaves: number[] = [];
  const levels: number[] = [];
  const indexes: number[] = [];
  compute(
    storedTreeNodes(tenant, (level, index) => {
      if (level === 0) leaves.push(index);
      else {
        levels.push(level);
        indexes.push(index);
      }
      return PLACEHOLDER;
    }),
  );
  const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
    `SELECT 0 AS level, seq AS idx, leaf AS hash FROM keel_audit_events WHERE tenant = $1 AND seq = ANY($2::bigint[])
     UNION ALL
     SELECT n.level, n.idx, n.hash FROM unnest($3::int[], $4::bigint[]) AS w(level, idx)
     JOIN keel_audit_nodes n ON n.tenant = $1 AND n.level = w.level AND n.idx = w.idx`,
    [tenant, leaves, levels, indexes],
  );
  const stored = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
  return compute(storedTreeNodes(tenant, (level, index) => stored.get(`${level}/${index}`)));
}
