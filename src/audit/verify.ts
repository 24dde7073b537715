/**
 * Verification of a tenant's log from its raw rows: every envelope is hashed again, the tree is
 * rebuilt from those hashes alone, and the roots it gives are checked against every stored signed
 * checkpoint and, when given, a checkpoint exported earlier (which catches a log truncated or
 * rewritten together with its own checkpoints). Problems are reported precisely, never thrown.
 */

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { openCheckpoint, parseVerifierKey, type Verifier } from "./checkpoint-note.js";
import { STORED_LEVEL } from "./log.js";
import { Frontier, type Hash } from "./merkle.js";
import { missingDetail, type RangeScan, type RangeTask, scanRange } from "./scan-range.js";

export type ProblemKind =
  | "missing"
  | "reordered"
  | "modified"
  | "tree-nodes"
  | "checkpoint-signature"
  | "checkpoint-mismatch"
  | "truncated"
  | "rewritten"
  | "foreign-checkpoint";

export interface Problem {
  kind: ProblemKind;
  /** The event concerned, when there is one. */
  seq?: number;
  detail: string;
}

export interface TenantReport {
  tenant: string;
  size: number;
  root: string;
  checkpoints: number;
  problems: Problem[];
}

export interface VerifyReport {
  ok: boolean;
  tenants: TenantReport[];
  events: number;
  ms: number;
}

export interface VerifyOptions {
  /** The public key that signs this log's checkpoints (vkey text). */
  vkey: string;
  /** Only this tenant (default: every tenant in the file). */
  tenant?: string;
  /** A checkpoint note exported earlier, to prove the log only grew since. */
  checkpoint?: string;
  /** Threads that rebuild the tree in parallel for large logs (default: the cores, at most 4). */
  workers?: number;
  /** The origin line of a tenant's checkpoints (default `keel/audit/<tenant>`). */
  origin?: (tenant: string) => string;
}

export interface StoredCheckpoint {
  size: number;
  note: string;
}

/** How a tenant's events are cut into ranges: blocks of 2^level, ranges of whole blocks. */
function plan(
  size: number,
  workers: number,
): { blockLevel: number; ranges: Array<{ start: number; end: number }> } {
  if (workers <= 1 || size < 2 ** 14) return { blockLevel: 16, ranges: [{ start: 0, end: size }] };
  // About eight blocks per worker, at least 16 leaves each (the stored subtrees start there).
  const blockLevel = Math.max(STORED_LEVEL, Math.min(20, Math.floor(Math.log2(size / (8 * workers)))));
  const block = 2 ** blockLevel;
  const blocks = Math.ceil(size / block);
  const ranges: Array<{ start: number; end: number }> = [];
  for (let w = 0; w < workers; w++) {
    const from = Math.round((w * blocks) / workers) * block;
    const to = Math.round(((w + 1) * blocks) / workers) * block;
    if (from < to) ranges.push({ start: from, end: w === workers - 1 ? size : to });
  }
  return { blockLevel, ranges };
}

function asBuffer(h: Uint8Array): Hash {
  return Buffer.isBuffer(h) ? h : Buffer.from(h.buffer, h.byteOffset, h.byteLength);
}

/**
 * Runs range scans on `threads` worker threads, each taking the next task when it is done; results
 * come back in task order. A fixed list of tasks needs no more than this (no queueing library).
 */
async function runOnThreads(tasks: RangeTask[], threads: number): Promise<RangeScan[]> {
  const results: RangeScan[] = new Array(tasks.length);
  let next = 0;
  const thread = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL("./verify-worker.js", import.meta.url));
      let current = -1;
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        reject(error);
      };
      const take = () => {
        if (next >= tasks.length) {
          settled = true;
          worker.postMessage(null);
          resolve();
          return;
        }
        current = next++;
        worker.postMessage(tasks[current]);
      };
      worker.on("message", (m: { scan?: RangeScan; error?: string }) => {
        if (m.error !== undefined || !m.scan)
          return fail(new KeelError("VERIFY_FAILED", `A verification thread failed: ${m.error}`));
        results[current] = m.scan;
        take();
      });
      worker.once("error", fail);
      worker.once("exit", (code) => {
        if (code !== 0)
          fail(new KeelError("VERIFY_FAILED", `A verification thread stopped with code ${code}.`));
      });
      take();
    });
  await Promise.all(Array.from({ length: Math.min(threads, tasks.length) }, thread));
  return results;
}

interface TenantPlan {
  tenant: string;
  size: number;
  blockLevel: number;
  wanted: number[];
  /** Indexes of its ranges in the list of tasks. */
  tasks: number[];
}

/**
 * Scans every tenant's events: in this thread for small logs, else as ranges shared out among
 * worker threads (a large tenant is cut into several ranges, so one tenant keeps every thread busy).
 */
async function scanTenants(
  db: SqliteDatabase,
  tenants: Array<{ tenant: string; size: number; wanted: number[] }>,
  workers: number,
): Promise<Array<{ blockLevel: number; scans: RangeScan[] }>> {
  const total = tenants.reduce((n, t) => n + t.size, 0);
  const threads = db.memory || total < 2 ** 14 ? 1 : workers;
  const tasks: RangeTask[] = [];
  const plans: TenantPlan[] = tenants.map(({ tenant, size, wanted }) => {
    // About two ranges per thread over the whole file, in proportion to each tenant's size.
    const pieces = threads <= 1 ? 1 : Math.min(threads, Math.ceil((2 * threads * size) / total));
    const { blockLevel, ranges } = plan(size, pieces);
    const ids = ranges.map((r) => tasks.push({ file: db.name, tenant, ...r, blockLevel, wanted }) - 1);
    return { tenant, size, blockLevel, wanted, tasks: ids };
  });
  const scans =
    threads <= 1
      ? tasks.map((t) => scanRange(db, t.tenant, t.start, t.end, t.blockLevel, t.wanted))
      : await runOnThreads(tasks, threads);
  return plans.map((p) => ({ blockLevel: p.blockLevel, scans: p.tasks.map((i) => scans[i] as RangeScan) }));
}

/** A stored tree node of the tenant being judged (undefined when it is not stored). */
export type StoredNode = (level: number, index: number) => Buffer | undefined;

/** Joins the ranges' block roots into the tenant's tree: its root, and the roots at the wanted sizes. */
function combine(storedNode: StoredNode, blockLevel: number, scans: RangeScan[], problems: Problem[]) {
  const blocks = scans.flatMap((s) => s.blocks.map(asBuffer));
  // A modified event already explains why the nodes above it differ from the stored ones.
  const modified = problems.flatMap((p) => (p.kind === "modified" && p.seq !== undefined ? [p.seq] : []));
  const whole = new Frontier();
  for (const root of blocks) {
    // Subtrees above a block are stored too: they must be what the blocks give.
    for (const made of whole.appendSubtree(blockLevel, root)) {
      const stored = storedNode(made.level, made.index);
      const start = made.index * 2 ** made.level;
      if (modified.some((seq) => seq >= start && seq < start + 2 ** made.level)) continue;
      if (!stored?.equals(made.hash)) {
        problems.push({
          kind: "tree-nodes",
          detail: `stored tree node ${made.level}/${made.index} ${stored ? "was altered" : "is missing"}: proofs would be wrong`,
        });
      }
    }
  }
  const last = scans.at(-1) as RangeScan;
  for (const e of last.tail) whole.appendSubtree(e.level, asBuffer(e.hash));
  const block = 2 ** blockLevel;
  const rootAt = (size: number): Hash | undefined => {
    const edge = scans.find((s) => s.edges[size])?.edges[size];
    if (!edge && size % block !== 0) return undefined;
    const f = new Frontier();
    for (const root of blocks.slice(0, Math.floor((size - 1) / block) + (edge ? 0 : 1)))
      f.appendSubtree(blockLevel, root);
    for (const e of edge ?? []) f.appendSubtree(e.level, asBuffer(e.hash));
    return f.size === size ? f.root() : undefined;
  };
  return { size: whole.size, root: whole.root(), rootAt };
}

/** What a tenant's verification needs before its events are scanned. */
export interface TenantCheck {
  tenant: string;
  origin: string;
  size: number;
  checkpoints: Array<StoredCheckpoint & { opened: ReturnType<typeof openCheckpoint> }>;
  external: ReturnType<typeof openCheckpoint> | undefined;
  /** Tree sizes whose roots are compared with a signed one. */
  wanted: number[];
}

function prepareTenant(
  db: SqliteDatabase,
  tenant: string,
  verifier: Verifier,
  options: VerifyOptions,
): TenantCheck {
  const stored = db
    .prepare("SELECT size, note FROM audit_checkpoints WHERE tenant = ? ORDER BY size")
    .all(tenant) as StoredCheckpoint[];
  // Read after the checkpoints: events appended meanwhile are past every checkpoint read.
  const size = db
    .prepare("SELECT coalesce(max(seq) + 1, 0) FROM audit_events WHERE tenant = ?")
    .pluck()
    .get(tenant) as number;
  return tenantCheck(tenant, stored, size, verifier, options);
}

/**
 * A tenant's stored checkpoints (in size order) and the given one opened with the key, and the tree
 * sizes whose roots the scan must give. `size` is one past the tenant's last stored position.
 */
export function tenantCheck(
  tenant: string,
  stored: StoredCheckpoint[],
  size: number,
  verifier: Verifier,
  options: VerifyOptions,
): TenantCheck {
  const checkpoints = stored.map((c) => ({ ...c, opened: openCheckpoint(c.note, verifier) }));
  const external =
    options.checkpoint === undefined ? undefined : openCheckpoint(options.checkpoint, verifier);
  const wanted = checkpoints.flatMap((c) => (c.opened.ok ? [c.opened.checkpoint.size] : []));
  if (external?.ok) wanted.push(external.checkpoint.size);
  return { tenant, origin: originOf(options, tenant), size, checkpoints, external, wanted };
}

/** A tenant's report from its scanned ranges (in order) and its checkpoints. */
export function judgeTenant(
  storedNode: StoredNode,
  check: TenantCheck,
  { blockLevel, scans }: { blockLevel: number; scans: RangeScan[] },
): TenantReport {
  const { tenant, checkpoints, external, wanted, origin } = check;
  const problems = joinProblems(scans);
  const intact = scans.every((s) => s.intact);
  const tree = combine(storedNode, blockLevel, scans, intact ? problems : []);
  // Positions are what the log holds even when events are missing (then the tree's leaves are fewer).
  const size = intact ? tree.size : (scans.at(-1) as RangeScan).next;
  const roots = new Map<number, Hash[]>();
  for (const at of wanted) {
    const r = at <= tree.size ? tree.rootAt(at) : undefined;
    roots.set(at, r ? [r] : []);
  }
  for (const c of checkpoints) {
    if (!c.opened.ok) {
      problems.push({
        kind: "checkpoint-signature",
        detail: `stored checkpoint of size ${c.size}: ${c.opened.detail}`,
      });
      continue;
    }
    const cp = c.opened.checkpoint;
    if (cp.size > size) {
      problems.push({
        kind: "truncated",
        detail: `a signed checkpoint covers ${cp.size} events, the log holds ${size}`,
      });
    } else if (intact && !roots.get(cp.size)?.[0]?.equals(cp.root)) {
      problems.push({
        kind: "checkpoint-mismatch",
        detail: `the first ${cp.size} events no longer give the root signed at that size`,
      });
    }
  }
  if (external) checkExternal(external, origin, size, intact ? roots : undefined, problems);
  return {
    tenant,
    size,
    root: tree.root.toString("hex"),
    checkpoints: checkpoints.length,
    problems,
  };
}

/**
 * The ranges' problems as one thread scanning the whole log reports them: a gap across two ranges is
 * one gap, and once an event is missing or out of place, hashes after it are no longer compared.
 */
function joinProblems(scans: RangeScan[]): Problem[] {
  const problems: Problem[] = [];
  let intact = true;
  for (const scan of scans) {
    for (const p of scan.problems) {
      if (!intact && p.kind !== "missing" && p.kind !== "reordered") continue;
      const last = problems.at(-1);
      const from = last?.seq as number;
      if (
        p.kind === "missing" &&
        last?.kind === "missing" &&
        last.detail === missingDetail(from, (p.seq as number) - 1)
      ) {
        last.detail = missingDetail(from, Number(/ to (\d+) are/.exec(p.detail)?.[1]));
        continue;
      }
      problems.push(p);
    }
    intact &&= scan.intact;
  }
  return problems;
}

function originOf(options: VerifyOptions, tenant: string): string {
  return options.origin?.(tenant) ?? `keel/audit/${tenant}`;
}

function defaultWorkers(): number {
  return Math.min(4, availableParallelism());
}

function checkExternal(
  external: ReturnType<typeof openCheckpoint>,
  origin: string,
  size: number,
  roots: Map<number, Hash[]> | undefined,
  problems: Problem[],
): void {
  if (!external.ok) {
    problems.push({ kind: "checkpoint-signature", detail: `the given checkpoint: ${external.detail}` });
    return;
  }
  const cp = external.checkpoint;
  if (cp.origin !== origin) {
    problems.push({
      kind: "foreign-checkpoint",
      detail: `the given checkpoint is for "${cp.origin}", not "${origin}"`,
    });
  } else if (cp.size > size) {
    problems.push({
      kind: "truncated",
      detail: `the given checkpoint covers ${cp.size} events, the log now holds ${size}: events were removed from its end`,
    });
  } else if (roots && !roots.get(cp.size)?.[0]?.equals(cp.root)) {
    problems.push({
      kind: "rewritten",
      detail: `the first ${cp.size} events no longer give the root of the given checkpoint: history was rewritten`,
    });
  }
}

/** The tenants of the log, one index seek each (DISTINCT would read every event). */
const TENANTS = `
  WITH RECURSIVE t(tenant) AS (
    SELECT min(tenant) FROM audit_events
    UNION ALL SELECT (SELECT min(tenant) FROM audit_events WHERE tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL)
  SELECT tenant FROM t WHERE tenant IS NOT NULL`;

/** Verifies every tenant's log in `db` (or one), with the checkpoints' public key. */
export async function verifyAuditLog(db: SqliteDatabase, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const verifier = parseVerifierKey(options.vkey);
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_events'").get();
  const tenants = !hasTable
    ? []
    : options.tenant
      ? [options.tenant]
      : (db.prepare(TENANTS).pluck().all() as string[]);
  if (tenants.length === 0) {
    throw new KeelError(
      "NOT_FOUND",
      "The audit log is empty: there is nothing to verify (check the --db path).",
    );
  }
  const given = checkpointOf(tenants, options);
  const checks = tenants.map((t) => prepareTenant(db, t, verifier, { ...options, checkpoint: given(t) }));
  const scanned = await scanTenants(db, checks, options.workers ?? defaultWorkers());
  const node = db.prepare("SELECT hash FROM audit_nodes WHERE tenant = ? AND level = ? AND idx = ?").pluck();
  const reports = checks.map((c, i) =>
    judgeTenant(
      (level, index) => node.get(c.tenant, level, index) as Buffer | undefined,
      c,
      scanned[i] as (typeof scanned)[number],
    ),
  );
  return verifyReport(reports, options, started);
}

/**
 * Which tenant an exported checkpoint is checked against: it is one tenant's, so checking every
 * tenant of a log, it applies to the tenant its origin names (to all of them, as foreign, when it
 * names none).
 */
export function checkpointOf(
  tenants: readonly string[],
  options: VerifyOptions,
): (tenant: string) => string | undefined {
  const named = options.tenant
    ? undefined
    : tenants.find((t) => originOf(options, t) === options.checkpoint?.split("\n", 1)[0]);
  return (t) => (named === undefined || named === t ? options.checkpoint : undefined);
}

/** The report of every tenant's verification; an asked-for tenant without events is `NOT_FOUND`. */
export function verifyReport(reports: TenantReport[], options: VerifyOptions, started: number): VerifyReport {
  if (options.tenant && reports[0]?.size === 0 && (reports[0]?.problems.length ?? 0) === 0) {
    throw new KeelError("NOT_FOUND", `The audit log has no events for tenant "${options.tenant}".`);
  }
  return {
    ok: reports.every((r) => r.problems.length === 0),
    tenants: reports,
    events: reports.reduce((n, r) => n + r.size, 0),
    ms: performance.now() - started,
  };
}
