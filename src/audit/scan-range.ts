/**
 * One verification pass over a contiguous range of a tenant's events: each envelope is hashed again
 * and the tree is rebuilt in aligned blocks of 2^blockLevel leaves, so ranges scanned by different
 * threads combine into the whole tree (RFC 6962 subtrees of aligned blocks are the tree's own nodes).
 *
 * Speed comes from doing per event only what verification needs: envelopes are read thousands at a
 * time in one blob (a row per event costs more than hashing it), and the tree of each group of 16
 * leaves is hashed with hashes kept as latin1 strings (a Buffer per hash costs more than the hash).
 * A group that is not exactly as appended (a gap, an envelope not at its position, a wanted tree size
 * inside it) is scanned event by event instead, which names the problem.
 */
import { hash } from "node:crypto";
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
  end: number;
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

const SEQ_KEY = Buffer.from(',"seq":');

/** Reads the `seq` written in a canonical envelope without parsing the whole JSON. */
export function envelopeSeq(envelope: Buffer): number | undefined {
  return seqBefore(envelope, 0, envelope.length)?.seq;
}

/**
 * The envelope's own `seq` among bytes [from, to), and where its digits end. `data` sorts before
 * `seq` and may hold a "seq" of its own; only `tenant`, `time`, `type` and `v` (no object among them)
 * follow the envelope's, so it is the last one.
 */
function seqBefore(bytes: Buffer, from: number, to: number): { seq: number; end: number } | undefined {
  // Backwards from the end for `,"seq":` (by its "q": no other key of the tail has one); a loop here
  // beats a native search, whose call costs more than the few dozen bytes it would look at.
  let at = -1;
  for (let q = to - 3; q >= from + 4; q--) {
    if (
      bytes[q] === 0x71 &&
      bytes[q + 1] === 0x22 &&
      bytes[q + 2] === 0x3a &&
      bytes[q - 1] === 0x65 &&
      bytes[q - 2] === 0x73 &&
      bytes[q - 3] === 0x22 &&
      bytes[q - 4] === 0x2c
    ) {
      at = q - 4;
      break;
    }
  }
  if (at < 0) return undefined;
  let n = 0;
  let i = at + SEQ_KEY.length;
  for (let c = bytes[i]; i < to && c !== undefined && c >= 48 && c <= 57; c = bytes[++i])
    n = n * 10 + (c - 48);
  return i === at + SEQ_KEY.length ? undefined : { seq: n, end: i };
}

const GROUP = 2 ** STORED_LEVEL;
/** Events read per statement: a multiple of GROUP. */
const CHUNK = 4096;
/** Stored nodes up to this level are read per chunk (a chunk spans whole subtrees up to it). */
const CHUNK_LEVEL = Math.log2(CHUNK);

/** RFC 6962 interior-node input, reused: 0x01, left, right. */
const pair = Buffer.alloc(65, 1);

function nodeHashLatin1(left: string, right: string): string {
  pair.write(left, 1, 32, "latin1");
  pair.write(right, 33, 32, "latin1");
  return hash("sha256", pair, "binary");
}

const nodes: string[] = new Array(GROUP / 2);

/** Root of 16 leaf hashes (latin1). */
function groupRoot(leaves: readonly string[]): string {
  for (let i = 0; i < GROUP / 2; i++)
    nodes[i] = nodeHashLatin1(leaves[2 * i] as string, leaves[2 * i + 1] as string);
  for (let width = GROUP / 2; width > 1; width /= 2) {
    for (let i = 0; i < width / 2; i++)
      nodes[i] = nodeHashLatin1(nodes[2 * i] as string, nodes[2 * i + 1] as string);
  }
  return nodes[0] as string;
}

export type Stored = "same" | "altered" | "missing";

/** Compares a rebuilt subtree hash with the stored one. */
export interface StoredNodeCheck {
  compare(level: number, index: number, hash: Buffer): Stored;
}

/** A stored leaf hash by position (undefined when there is none). */
export type LeafLookup = (seq: number) => Buffer | undefined;

/**
 * Stored subtree hashes of a tenant: those of the current chunk read at once (one blob per level),
 * others one by one.
 */
class StoredNodes implements StoredNodeCheck {
  readonly #one: Statement;
  readonly #level: Statement;
  readonly #tenant: string;
  /** Per level from STORED_LEVEL: the chunk's hashes of that level in one blob, or null if not all are there. */
  #blobs: Array<Buffer | null> = [];
  #from = 0;
  #to = 0;

  constructor(db: SqliteDatabase, tenant: string) {
    this.#one = db.prepare("SELECT hash FROM audit_nodes WHERE tenant = ? AND level = ? AND idx = ?").pluck();
    this.#level = db
      .prepare(
        `SELECT CAST(group_concat(hash, '') AS BLOB), count(*), min(idx), max(idx), sum(length(hash))
        FROM (SELECT idx, hash FROM audit_nodes WHERE tenant = ? AND level = ? AND idx >= ? AND idx < ? ORDER BY idx)`,
      )
      .raw();
    this.#tenant = tenant;
  }

  /** Reads the stored nodes of levels STORED_LEVEL..CHUNK_LEVEL lying inside leaves [from, to). */
  load(from: number, to: number): void {
    this.#from = from;
    this.#to = to;
    for (let level = STORED_LEVEL; level <= CHUNK_LEVEL; level++) {
      const width = 2 ** level;
      const first = Math.ceil(from / width);
      const end = Math.floor(to / width);
      const [blob, count, min, max, bytes] = this.#level.get(this.#tenant, level, first, end) as [
        Buffer | null,
        number,
        number | null,
        number | null,
        number | null,
      ];
      // Anything but every hash in order, 32 bytes each, is looked up one by one (and reported).
      const whole = count === end - first && min === first && max === end - 1 && bytes === 32 * count;
      this.#blobs[level - STORED_LEVEL] = whole && blob?.length === bytes ? blob : null;
    }
  }

  compare(level: number, index: number, hash: Buffer): Stored {
    const width = 2 ** level;
    if (level <= CHUNK_LEVEL && index * width >= this.#from && (index + 1) * width <= this.#to) {
      const blob = this.#blobs[level - STORED_LEVEL];
      if (blob) {
        const at = (index - Math.ceil(this.#from / width)) * 32;
        if (blob.compare(hash, 0, 32, at, at + 32) === 0) return "same";
        return this.#fromRow(level, index, hash);
      }
    }
    return this.#fromRow(level, index, hash);
  }

  #fromRow(level: number, index: number, hash: Buffer): Stored {
    const stored = this.#one.get(this.#tenant, level, index) as Buffer | undefined;
    return stored === undefined ? "missing" : stored.equals(hash) ? "same" : "altered";
  }
}

/**
 * Compares rebuilt subtrees of 16 leaves and up, inside one block, with the stored ones. The stored
 * leaf hashes are not read row by row (a blob per row doubles the reading): a group of 16 that
 * differs is opened to tell a modified event from a tampered stored node.
 */
class BlockCheck {
  readonly #nodes: StoredNodeCheck;
  readonly #leafAt: LeafLookup;
  readonly #recent: Hash[] = [];
  /** The last event found modified: the stored nodes above it differ from the rebuilt ones because of it. */
  #modified = -1;
  readonly #problems: Problem[];

  constructor(nodes: StoredNodeCheck, leafAt: LeafLookup, problems: Problem[]) {
    this.#nodes = nodes;
    this.#leafAt = leafAt;
    this.#problems = problems;
  }

  /** One leaf added by the event-by-event scan; `made` are the nodes it completed within its block. */
  leaf(
    leaf: Hash,
    made: ReadonlyArray<{ level: number; index: number; hash: Hash }>,
    blockStart: number,
  ): void {
    this.#recent.push(leaf);
    this.#compare(made, blockStart, () => this.#recent);
    if (this.#recent.length === GROUP) this.#recent.length = 0;
  }

  /** A whole group of 16 leaves (latin1 hashes) added at once: `made` starts with the group's own node. */
  group(
    leaves: readonly string[],
    made: ReadonlyArray<{ level: number; index: number; hash: Hash }>,
    blockStart: number,
  ): void {
    this.#compare(made, blockStart, () => leaves.map((l) => Buffer.from(l, "latin1")));
  }

  #compare(
    made: ReadonlyArray<{ level: number; index: number; hash: Hash }>,
    blockStart: number,
    leaves: () => Hash[],
  ): void {
    let opened = false;
    for (const node of made) {
      if (node.level < STORED_LEVEL) continue;
      const index = node.index + blockStart / 2 ** node.level;
      const stored = this.#nodes.compare(node.level, index, node.hash);
      if (stored === "same") continue;
      if (node.level === STORED_LEVEL) opened = this.#open(index * GROUP, leaves(), false);
      else if (!opened && this.#modified < index * 2 ** node.level) {
        this.#problems.push({
          kind: "tree-nodes",
          detail: `stored tree node ${node.level}/${index} ${stored === "altered" ? "was altered" : "is missing"}: proofs would be wrong`,
        });
      }
    }
  }

  /** The last leaves have no stored node above them yet: they are compared one by one. */
  finish(size: number): void {
    if (this.#recent.length > 0) this.#open(size - this.#recent.length, this.#recent, true);
    this.#recent.length = 0;
  }

  #open(start: number, leaves: Hash[], quiet: boolean): boolean {
    let named = false;
    leaves.forEach((leaf, i) => {
      const stored = this.#leafAt(start + i);
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
        detail: `stored tree node ${STORED_LEVEL}/${start / GROUP} was altered: proofs would be wrong`,
      });
    }
    return true;
  }
}

/**
 * The scan's state: the block being built, the next expected position, and what was found. Stores
 * other than a SQLite file feed it event by event (`event`), with their stored nodes and leaves.
 */
export class RangeScanner {
  readonly result: RangeScan;
  readonly #tenant: string;
  readonly #ownTenant: Buffer;
  readonly #block: number;
  readonly #want: Set<number>;
  /** Groups (by first position / 16) that a wanted tree size ends inside of. */
  readonly #splitGroups: Set<number>;
  readonly #checker: BlockCheck;
  #frontier = new Frontier();
  #blockStart: number;
  /** The next position expected. */
  expected: number;
  readonly #leaves: string[] = new Array(GROUP);

  constructor(
    tenant: string,
    start: number,
    blockLevel: number,
    wanted: readonly number[],
    stored: { nodes: StoredNodeCheck; leafAt: LeafLookup },
  ) {
    this.#tenant = tenant;
    this.#ownTenant = Buffer.from(`,"tenant":${JSON.stringify(tenant)},"time":`);
    this.#block = 2 ** blockLevel;
    this.#want = new Set(wanted);
    this.#splitGroups = new Set(wanted.filter((w) => w % GROUP !== 0).map((w) => Math.floor(w / GROUP)));
    this.result = { problems: [], intact: true, blocks: [], tail: [], edges: {}, next: start };
    this.#checker = new BlockCheck(stored.nodes, stored.leafAt, this.result.problems);
    this.#blockStart = start;
    this.expected = start;
  }

  /**
   * The group of 16 events at `first` whose envelopes are `bytes[offsets[i] + 1, offsets[i + 1])`
   * (each preceded by the 0x00 leaf prefix). Returns false, having done nothing, when the group must
   * be scanned event by event.
   */
  group(bytes: Buffer, offsets: Int32Array, at: number, first: number): boolean {
    if (!this.result.intact || first !== this.expected || this.#splitGroups.has(first / GROUP)) return false;
    const leaves = this.#leaves;
    for (let i = 0; i < GROUP; i++) {
      const from = offsets[at + i] as number;
      const to = offsets[at + i + 1] as number;
      const own = seqBefore(bytes, from + 1, to);
      if (own === undefined || own.seq !== first + i || !this.#hasOwnTenant(bytes, own.end, to)) return false;
      leaves[i] = hash("sha256", bytes.subarray(from, to), "binary");
    }
    const root = Buffer.from(groupRoot(leaves), "latin1");
    const index = this.#frontier.size / GROUP;
    const made = [
      { level: STORED_LEVEL, index, hash: root },
      ...this.#frontier.appendSubtree(STORED_LEVEL, root),
    ];
    this.#checker.group(leaves, made, this.#blockStart);
    this.expected += GROUP;
    if (this.#want.has(this.expected)) this.result.edges[this.expected] = this.#frontier.edge();
    this.#endBlock();
    return true;
  }

  /** Whether the tenant written right after the envelope's `seq` (at `from`) is this log's. */
  #hasOwnTenant(bytes: Buffer, from: number, to: number): boolean {
    const own = this.#ownTenant;
    if (to - from < own.length) return false;
    // A loop: a native compare costs more to call than these few bytes take to compare.
    for (let i = 0; i < own.length; i++) if (bytes[from + i] !== own[i]) return false;
    return true;
  }

  /** One event, checked for its place and tenant (the event-by-event scan). */
  event(seq: number, envelope: Buffer): void {
    const result = this.result;
    if (seq !== this.expected) {
      result.problems.push({
        kind: "missing",
        seq: this.expected,
        detail: missingDetail(this.expected, seq - 1),
      });
      this.expected = seq;
      result.intact = false;
    }
    const inside = seqBefore(envelope, 0, envelope.length);
    if (inside?.seq !== seq) {
      result.problems.push({
        kind: "reordered",
        seq,
        detail: `position ${seq} holds the event written as ${inside?.seq ?? "(unreadable)"}`,
      });
      result.intact = false;
    } else if (!envelope.includes(this.#ownTenant, inside.end)) {
      // A genuine event moved (or copied) from another tenant's log hashes to its own leaf.
      result.problems.push({
        kind: "reordered",
        seq,
        detail: `position ${seq} holds an event written to another tenant's log`,
      });
      result.intact = false;
    }
    const leaf = leafHash(envelope);
    const made = this.#frontier.append(leaf);
    if (result.intact) this.#checker.leaf(leaf, made, this.#blockStart);
    this.expected++;
    if (this.#want.has(this.expected)) result.edges[this.expected] = this.#frontier.edge();
    this.#endBlock();
  }

  #endBlock(): void {
    if (this.#frontier.size === this.#block) {
      this.result.blocks.push(this.#frontier.root());
      this.#frontier = new Frontier();
      this.#blockStart += this.#block;
    }
  }

  finish(end: number): RangeScan {
    const result = this.result;
    if (this.expected < end) {
      result.problems.push({
        kind: "missing",
        seq: this.expected,
        detail: missingDetail(this.expected, end - 1),
      });
      result.intact = false;
    }
    if (result.intact) this.#checker.finish(this.expected);
    result.tail = this.#frontier.edge();
    result.next = this.expected;
    return result;
  }

  get tenant(): string {
    return this.#tenant;
  }
}

/**
 * Scans events [start, end) of a tenant. `start` must be a multiple of the block size; `wanted` are
 * tree sizes whose roots the caller needs.
 */
export function scanRange(
  db: SqliteDatabase,
  tenant: string,
  start: number,
  end: number,
  blockLevel: number,
  wanted: readonly number[],
): RangeScan {
  const nodes = new StoredNodes(db, tenant);
  const leaf = db.prepare("SELECT leaf FROM audit_events WHERE tenant = ? AND seq = ?").pluck();
  const scanner = new RangeScanner(tenant, start, blockLevel, wanted, {
    nodes,
    leafAt: (seq) => leaf.get(tenant, seq) as Buffer | undefined,
  });
  // The envelopes of a chunk in one blob, each preceded by the leaf prefix 0x00 (`||` and
  // group_concat copy bytes as they are), with their lengths; count and bounds tell a gap. SQLite
  // does not promise group_concat keeps the subquery's order (its ORDER BY argument sorts again,
  // which doubles the cost): an envelope out of order fails its position check and its group is
  // then read row by row, so the order only matters for speed.
  const chunkOf = db
    .prepare(
      `SELECT CAST(group_concat(X'00' || envelope, '') AS BLOB), group_concat(length(envelope), ','),
        count(*), min(seq), max(seq)
      FROM (SELECT seq, envelope FROM audit_events WHERE tenant = ? AND seq >= ? AND seq < ? ORDER BY seq)`,
    )
    .raw();
  const rowsOf = db
    .prepare("SELECT seq, envelope FROM audit_events WHERE tenant = ? AND seq >= ? AND seq < ? ORDER BY seq")
    .raw();
  const offsets = new Int32Array(CHUNK + 1);
  for (let from = start; from < end; from += CHUNK) {
    const to = Math.min(end, from + CHUNK);
    const [bytes, lengths, count, min, max] = chunkOf.get(tenant, from, to) as [
      Buffer | null,
      string | null,
      number,
      number | null,
      number | null,
    ];
    const whole = count === to - from && min === from && max === to - 1 && bytes !== null && lengths !== null;
    if (whole && readOffsets(lengths, offsets, count) === bytes.length) {
      nodes.load(from, to);
      let i = 0;
      for (; i + GROUP <= count; i += GROUP) {
        if (scanner.group(bytes, offsets, i, from + i)) continue;
        for (let j = i; j < i + GROUP; j++)
          scanner.event(from + j, bytes.subarray((offsets[j] as number) + 1, offsets[j + 1]));
      }
      for (; i < count; i++)
        scanner.event(from + i, bytes.subarray((offsets[i] as number) + 1, offsets[i + 1]));
    } else {
      for (const [seq, envelope] of rowsOf.iterate(tenant, from, to) as Iterable<[number, Buffer]>)
        scanner.event(seq, envelope);
    }
  }
  return scanner.finish(end);
}

/** Fills `offsets` with where each envelope starts in the chunk's blob; returns the blob's expected length. */
function readOffsets(lengths: string, offsets: Int32Array, count: number): number {
  let at = 0;
  let n = 0;
  let k = 0;
  offsets[0] = 0;
  for (let i = 0; i < lengths.length; i++) {
    const c = lengths.charCodeAt(i);
    if (c === 44) {
      at += n + 1;
      offsets[++k] = at;
      n = 0;
    } else n = n * 10 + (c - 48);
  }
  at += n + 1;
  offsets[++k] = at;
  return k === count ? at : -1;
}
