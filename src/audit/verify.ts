/**
 * Verification of a tenant's log from its raw rows: every envelope is hashed again, the tree is
 * rebuilt from those hashes alone, and the roots it gives are checked against every stored signed
 * checkpoint and, when given, a checkpoint exported earlier (which catches a log truncated or
 * rewritten together with its own checkpoints). Problems are reported precisely, never thrown.
 */
import type { Statement } from "better-sqlite3";
import type { SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { openCheckpoint, parseVerifierKey, type Verifier } from "./checkpoint-note.js";
import { STORED_LEVEL } from "./log.js";
import { Frontier, type Hash, leafHash } from "./merkle.js";

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
  /** The origin line of a tenant's checkpoints (default `keel/audit/<tenant>`). */
  origin?: (tenant: string) => string;
}

/** Reads the `seq` written in a canonical envelope without parsing the whole JSON. */
function envelopeSeq(envelope: Buffer): number | undefined {
  const at = envelope.indexOf(',"seq":');
  if (at < 0) return undefined;
  let n = 0;
  let i = at + 7;
  for (let c = envelope[i]; c !== undefined && c >= 48 && c <= 57; c = envelope[++i]) n = n * 10 + (c - 48);
  return i === at + 7 ? undefined : n;
}

interface StoredCheckpoint {
  size: number;
  note: string;
}

function verifyTenant(
  db: SqliteDatabase,
  tenant: string,
  verifier: Verifier,
  options: VerifyOptions,
): TenantReport {
  const origin = options.origin?.(tenant) ?? `keel/audit/${tenant}`;
  const problems: Problem[] = [];
  const checkpoints = (
    db
      .prepare("SELECT size, note FROM audit_checkpoints WHERE tenant = ? ORDER BY size")
      .all(tenant) as StoredCheckpoint[]
  ).map((c) => ({ ...c, opened: openCheckpoint(c.note, verifier) }));
  const external =
    options.checkpoint === undefined ? undefined : openCheckpoint(options.checkpoint, verifier);
  // Roots are needed at each checkpointed size: ask the rebuild to stop by at each.
  const wanted = new Map<number, Hash[]>();
  const want = (size: number) => wanted.set(size, []);
  for (const c of checkpoints) if (c.opened.ok) want(c.opened.checkpoint.size);
  if (external?.ok) want(external.checkpoint.size);

  const frontier = new Frontier();
  const blocks = new BlockCheck(db, tenant, problems);
  let expected = 0;
  let intact = true;
  // The stored leaf hashes are not read row by row (a blob per row doubles the reading): the events
  // are checked 16 at a time against the stored subtree above them, and only a block that differs is
  // opened to name the event.
  const rows = db
    .prepare("SELECT seq, envelope FROM audit_events WHERE tenant = ? ORDER BY seq")
    .raw()
    .iterate(tenant);
  for (const [seq, envelope] of rows as Iterable<[number, Buffer]>) {
    if (seq !== expected) {
      problems.push({
        kind: "missing",
        seq: expected,
        detail: `events ${expected} to ${seq - 1} are missing (deleted)`,
      });
      expected = seq;
      intact = false;
    }
    const inside = envelopeSeq(envelope);
    if (inside !== seq) {
      problems.push({
        kind: "reordered",
        seq,
        detail: `position ${seq} holds the event written as ${inside ?? "(unreadable)"}`,
      });
      intact = false;
    }
    const computed = leafHash(envelope);
    const made = frontier.append(computed);
    if (intact) blocks.check(computed, made);
    expected++;
    wanted.get(frontier.size)?.push(frontier.root());
  }
  if (intact) blocks.finish(frontier.size);
  const size = frontier.size;
  const root = frontier.root();

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
    } else if (!wanted.get(cp.size)?.[0]?.equals(cp.root)) {
      problems.push({
        kind: "checkpoint-mismatch",
        detail: `the first ${cp.size} events no longer give the root signed at that size`,
      });
    }
  }
  if (external) checkExternal(external, origin, size, wanted, problems);
  return { tenant, size, root: root.toString("hex"), checkpoints: checkpoints.length, problems };
}

function checkExternal(
  external: ReturnType<typeof openCheckpoint>,
  origin: string,
  size: number,
  roots: Map<number, Hash[]>,
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
  } else if (!roots.get(cp.size)?.[0]?.equals(cp.root)) {
    problems.push({
      kind: "rewritten",
      detail: `the first ${cp.size} events no longer give the root of the given checkpoint: history was rewritten`,
    });
  }
}

/**
 * Compares the rebuilt tree with the stored one: each stored subtree (16 leaves and up) must be what
 * the events give. A block of 16 that differs is opened to tell a modified event (its stored leaf
 * hash no longer matches it) from a tampered stored node.
 */
class BlockCheck {
  readonly #stored: Map<string, Buffer>;
  readonly #leafAt: Statement;
  readonly #recent: Hash[] = [];
  readonly #tenant: string;
  readonly #problems: Problem[];
  #blockBad = false;

  constructor(db: SqliteDatabase, tenant: string, problems: Problem[]) {
    const rows = db
      .prepare("SELECT level, idx, hash FROM audit_nodes WHERE tenant = ?")
      .raw()
      .all(tenant) as Array<[number, number, Buffer]>;
    this.#stored = new Map(rows.map(([level, idx, hash]) => [`${level}:${idx}`, hash]));
    this.#leafAt = db.prepare("SELECT leaf FROM audit_events WHERE tenant = ? AND seq = ?").pluck();
    this.#tenant = tenant;
    this.#problems = problems;
  }

  check(leaf: Hash, made: ReadonlyArray<{ level: number; index: number; hash: Hash }>): void {
    this.#recent.push(leaf);
    for (const node of made) {
      if (node.level < STORED_LEVEL) continue;
      const stored = this.#stored.get(`${node.level}:${node.index}`);
      if (stored?.equals(node.hash)) continue;
      if (node.level === STORED_LEVEL) this.#openBlock(node.index * 2 ** STORED_LEVEL);
      else if (!this.#blockBad) {
        this.#problems.push({
          kind: "tree-nodes",
          detail: `stored tree node ${node.level}/${node.index} ${stored ? "was altered" : "is missing"}: proofs would be wrong`,
        });
      }
    }
    if (this.#recent.length === 2 ** STORED_LEVEL) {
      this.#recent.length = 0;
      this.#blockBad = false;
    }
  }

  /** The last, partial block has no stored node above it: its leaves are compared one by one. */
  finish(size: number): void {
    if (this.#recent.length > 0) this.#openBlock(size - this.#recent.length, true);
  }

  #openBlock(start: number, quiet = false): void {
    let named = false;
    this.#recent.forEach((leaf, i) => {
      const stored = this.#leafAt.get(this.#tenant, start + i) as Buffer | undefined;
      if (!stored?.equals(leaf)) {
        named = true;
        this.#problems.push({
          kind: "modified",
          seq: start + i,
          detail: `event ${start + i} no longer matches the hash recorded when it was appended`,
        });
      }
    });
    if (!named && !quiet) {
      this.#problems.push({
        kind: "tree-nodes",
        detail: `stored tree node ${STORED_LEVEL}/${start / 2 ** STORED_LEVEL} was altered: proofs would be wrong`,
      });
    }
    this.#blockBad = true;
  }
}

/** Verifies every tenant's log in `db` (or one), with the checkpoints' public key. */
export function verifyAuditLog(db: SqliteDatabase, options: VerifyOptions): VerifyReport {
  const started = performance.now();
  const verifier = parseVerifierKey(options.vkey);
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'audit_events'").get();
  const tenants = options.tenant
    ? [options.tenant]
    : hasTable
      ? (db.prepare("SELECT DISTINCT tenant FROM audit_events ORDER BY tenant").pluck().all() as string[])
      : [];
  if (tenants.length === 0 || !hasTable) {
    throw new KeelError(
      "NOT_FOUND",
      "The audit log is empty: there is nothing to verify (check the --db path).",
    );
  }
  const reports = tenants.map((t) => verifyTenant(db, t, verifier, options));
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
