/**
 * One verification pass over a contiguous range of a tenant's events: each envelope is hashed again
 * and the tree is rebuilt in aligned blocks of 2^blockLevel leaves, so ranges scanned by different
 * threads combine into the whole tree (RFC 6962 subtrees of aligned blocks are the tree's own nodes).
 */
import type { Statement } from "better-sqlite3";
import type { SqliteDatabase } from "../db/index.js";
import { STORED_LEVEL } from "./log.js";
import { Frontier, type Hash, leafHash } from "./merkle.js";
import type { Problem } from "./verify.js";

export interface EdgeNode {
  level: number;
  hash: Hash;
}

/** What a verification thread is asked to scan (see `scanRange`). */
export interface RangeTask {
  file: string;
  tenant: string;
  start: number;
  end: number | null;
  blockLevel: number;
  wanted: number[];
}

export interface RangeScan {
  problems: Problem[];
  /** False once an event is missing or out of place: the rebuilt roots then mean nothing. */
  intact: boolean;
  /** Roots of the range's full blocks, in order. */
  blocks: Hash[];
  /** The perfect subtrees of the range's last, partial block (largest first). */
  tail: EdgeNode[];
  /** For each wanted tree size inside the range: the subtrees of its block up to that size. */
  edges: Record<number, EdgeNode[]>;
  /** Position after the last event scanned. */
  next: number;
}

export function missingDetail(from: number, to: number): string {
  return `events ${from} to ${to} are missing (deleted)`;
}

/** Reads the `seq` written in a canonical envelope without parsing the whole JSON. */
export function envelopeSeq(envelope: Buffer): number | undefined {
  // `data` sorts before `seq` and may hold a "seq" of its own; only `tenant`, `time`, `type` and `v`
  // (no object among them) follow the envelope's, so it is the last one.
  const at = envelope.lastIndexOf(',"seq":');
  if (at < 0) return undefined;
  let n = 0;
  let i = at + 7;
  for (let c = envelope[i]; c !== undefined && c >= 48 && c <= 57; c = envelope[++i]) n = n * 10 + (c - 48);
  return i === at + 7 ? undefined : n;
}

/**
 * Compares rebuilt subtrees of 16 leaves and up, inside one block, with the stored ones. The stored
 * leaf hashes are not read row by row (a blob per row doubles the reading): a block of 16 that
 * differs is opened to tell a modified event from a tampered stored node.
 */
class BlockCheck {
  readonly #node: Statement;
  readonly #leafAt: Statement;
  readonly #recent: Hash[] = [];
  /** The last event found modified: the stored nodes above it differ from the rebuilt ones because of it. */
  #modified = -1;
  readonly #tenant: string;
  readonly #problems: Problem[];

  constructor(db: SqliteDatabase, tenant: string, problems: Problem[]) {
    this.#node = db
      .prepare("SELECT hash FROM audit_nodes WHERE tenant = ? AND level = ? AND idx = ?")
      .pluck();
    this.#leafAt = db.prepare("SELECT leaf FROM audit_events WHERE tenant = ? AND seq = ?").pluck();
    this.#tenant = tenant;
    this.#problems = problems;
  }

  /** `made` are the nodes a leaf completed, indexed within the block starting at `blockStart`. */
  check(
    leaf: Hash,
    made: ReadonlyArray<{ level: number; index: number; hash: Hash }>,
    blockStart: number,
  ): void {
    this.#recent.push(leaf);
    let opened = false;
    for (const node of made) {
      if (node.level < STORED_LEVEL) continue;
      const index = node.index + blockStart / 2 ** node.level;
      const stored = this.#node.get(this.#tenant, node.level, index) as Buffer | undefined;
      if (stored?.equals(node.hash)) continue;
      if (node.level === STORED_LEVEL) opened = this.#open(index * 2 ** STORED_LEVEL, false);
      else if (!opened && this.#modified < index * 2 ** node.level) {
        this.#problems.push({
          kind: "tree-nodes",
          detail: `stored tree node ${node.level}/${index} ${stored ? "was altered" : "is missing"}: proofs would be wrong`,
        });
      }
    }
    if (this.#recent.length === 2 ** STORED_LEVEL) this.#recent.length = 0;
  }

  /** The last leaves have no stored node above them yet: they are compared one by one. */
  finish(size: number): void {
    if (this.#recent.length > 0) this.#open(size - this.#recent.length, true);
    this.#recent.length = 0;
  }

  #open(start: number, quiet: boolean): boolean {
    let named = false;
    this.#recent.forEach((leaf, i) => {
      const stored = this.#leafAt.get(this.#tenant, start + i) as Buffer | undefined;
      if (!stored?.equals(leaf)) {
        named = true;
        this.#modified = start + i;
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
    return true;
  }
}

/**
 * Scans events [start, end) of a tenant (`end` null: to the last one). `start` must be a multiple
 * of the block size; `wanted` are tree sizes whose roots the caller needs.
 */
export function scanRange(
  db: SqliteDatabase,
  tenant: string,
  start: number,
  end: number | null,
  blockLevel: number,
  wanted: readonly number[],
): RangeScan {
  const block = 2 ** blockLevel;
  const want = new Set(wanted);
  const result: RangeScan = { problems: [], intact: true, blocks: [], tail: [], edges: {}, next: start };
  const checker = new BlockCheck(db, tenant, result.problems);
  const ownTenant = Buffer.from(`,"tenant":${JSON.stringify(tenant)},"time":`);
  let frontier = new Frontier();
  let blockStart = start;
  let expected = start;
  const rows = db
    .prepare(
      `SELECT seq, envelope FROM audit_events WHERE tenant = ? AND seq >= ?${end === null ? "" : " AND seq < ?"} ORDER BY seq`,
    )
    .raw()
    .iterate(...(end === null ? [tenant, start] : [tenant, start, end]));
  for (const [seq, envelope] of rows as Iterable<[number, Buffer]>) {
    if (seq !== expected) {
      result.problems.push({
        kind: "missing",
        seq: expected,
        detail: missingDetail(expected, seq - 1),
      });
      expected = seq;
      result.intact = false;
    }
    const inside = envelopeSeq(envelope);
    if (inside !== seq) {
      result.problems.push({
        kind: "reordered",
        seq,
        detail: `position ${seq} holds the event written as ${inside ?? "(unreadable)"}`,
      });
      result.intact = false;
    } else if (!envelope.includes(ownTenant, envelope.lastIndexOf(',"seq":'))) {
      // A genuine event moved (or copied) from another tenant's log hashes to its own leaf.
      result.problems.push({
        kind: "reordered",
        seq,
        detail: `position ${seq} holds an event written to another tenant's log`,
      });
      result.intact = false;
    }
    const leaf = leafHash(envelope);
    const made = frontier.append(leaf);
    if (result.intact) checker.check(leaf, made, blockStart);
    expected++;
    if (want.has(expected)) result.edges[expected] = frontier.edge();
    if (frontier.size === block) {
      result.blocks.push(frontier.root());
      frontier = new Frontier();
      blockStart += block;
    }
  }
  if (end !== null && expected < end) {
    result.problems.push({
      kind: "missing",
      seq: expected,
      detail: missingDetail(expected, end - 1),
    });
    result.intact = false;
  }
  if (result.intact) checker.finish(expected);
  result.tail = frontier.edge();
  result.next = expected;
  return result;
}
