/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification. Leaves and interior nodes
 * are domain-separated (0x00 and 0x01 prefixes), so a leaf can never pass for a node.
 *
 * The tree is read through `NodeSource`: the hash of the perfect subtree of 2^level leaves that
 * starts at leaf `index * 2^level`. An append-only store keeps exactly those, so any subtree hash a
 * proof needs takes O(log n) reads and hashes, whatever the tree's size.
 */
import { hash } from "node:crypto";

export type Hash = Buffer;

export function sha256(data: Buffer): Hash {
  return hash("sha256", data, "buffer");
}

// One scratch buffer per kind of hash input avoids an allocation and a copy per hash: verification
// hashes two inputs per event.
let scratch = Buffer.alloc(4096);
const pair = Buffer.alloc(65, 1);

export function leafHash(data: Buffer | Uint8Array): Hash {
  if (data.length + 1 > scratch.length) scratch = Buffer.alloc(Math.max(data.length + 1, scratch.length * 2));
  scratch[0] = 0;
  scratch.set(data, 1);
  return sha256(scratch.subarray(0, data.length + 1));
}

export function nodeHash(left: Hash, right: Hash): Hash {
  left.copy(pair, 1);
  right.copy(pair, 33);
  return sha256(pair);
}

/** The root of the empty tree: the hash of nothing. */
export const EMPTY_ROOT: Hash = sha256(Buffer.alloc(0));

/** Reads stored perfect-subtree hashes: level 0 is a leaf hash. */
export type NodeSource = (level: number, index: number) => Hash;

/** Largest power of two strictly below n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  // Not `n & (n - 1)`: bitwise operators truncate to 32 bits, and a tree may pass 2^32 leaves.
  return n > 0 && 2 ** Math.floor(Math.log2(n)) === n;
}

/** MTH of leaves [start, end): `start` is always aligned to the largest power of two in the range. */
export function subtreeHash(nodes: NodeSource, start: number, end: number): Hash {
  const size = end - start;
  if (size === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(size) && start % size === 0) return nodes(Math.log2(size), start / size);
  const k = split(size);
  return nodeHash(subtreeHash(nodes, start, start + k), subtreeHash(nodes, start + k, end));
}

export function rootHash(nodes: NodeSource, size: number): Hash {
  return subtreeHash(nodes, 0, size);
}

/** The audit path of leaf `index` in the tree of the first `size` leaves (RFC 6962 PATH). */
export function inclusionProof(nodes: NodeSource, index: number, size: number): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path: Hash[] = [];
  let start = 0;
  let end = size;
  const siblings: Hash[] = [];
  while (end - start > 1) {
    const k = split(end - start);
    if (index < start + k) {
      siblings.push(subtreeHash(nodes, start + k, end));
      end = start + k;
    } else {
      siblings.push(subtreeHash(nodes, start, start + k));
      start += k;
    }
  }
  // Collected from the root down; the proof lists them from the leaf up.
  for (let i = siblings.length - 1; i >= 0; i--) path.push(siblings[i] as Hash);
  return path;
}

/** The consistency proof between the trees of the first `from` and `to` leaves (RFC 6962 PROOF). */
export function consistencyProof(nodes: NodeSource, from: number, to: number): Hash[] {
  if (!(from >= 0 && from <= to)) throw new RangeError(`cannot prove ${from} consistent with ${to}`);
  if (from === 0 || from === to) return [];
  const proof: Hash[] = [];
  const walk = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.unshift(subtreeHash(nodes, start, end));
      return;
    }
    const k = split(n);
    if (m <= k) {
      proof.unshift(subtreeHash(nodes, start + k, end));
      walk(m, start, start + k, complete);
    } else {
      proof.unshift(subtreeHash(nodes, start, start + k));
      walk(m - k, start + k, end, false);
    }
  };
  walk(from, 0, to, true);
  return proof;
}

/** RFC 9162 2.1.3.2: does `proof` show leaf `index` (with hash `leaf`) in the tree of `size` with `root`? */
export function verifyInclusion(
  leaf: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (index >= size || index < 0) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2: is the tree (`size2`, `root2`) an append-only extension of (`size1`, `root1`)? */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): boolean {
  if (size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

/**
 * The right edge of an append-only tree: the perfect subtrees that the leaves so far form, largest
 * first. Appending a leaf merges equal-sized subtrees and yields each new stored node.
 */
export class Frontier {
  /** [level, index, hash] of each perfect subtree on the edge, largest (leftmost) first. */
  readonly #edge: Array<{ level: number; index: number; hash: Hash }> = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Rebuilds the edge of a stored tree of `size` leaves. */
  static load(nodes: NodeSource, size: number): Frontier {
    const f = new Frontier();
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const width = 2 ** level;
      if (size - start >= width) {
        f.#edge.push({ level, index: start / width, hash: nodes(level, start / width) });
        start += width;
      }
    }
    f.#size = size;
    return f;
  }

  /** Adds a leaf hash; returns the nodes completed by it (the leaf itself first), to be stored. */
  append(leaf: Hash): Array<{ level: number; index: number; hash: Hash }> {
    const index = this.#size;
    return [{ level: 0, index, hash: leaf }, ...this.appendSubtree(0, leaf)];
  }

  /**
   * Appends a whole perfect subtree of 2^level leaves (the tree's size must be a multiple of it);
   * returns the nodes above it that it completes.
   */
  appendSubtree(level: number, hash: Hash): Array<{ level: number; index: number; hash: Hash }> {
    const width = 2 ** level;
    if (this.#size % width !== 0)
      throw new RangeError(`a subtree of ${width} leaves cannot start at leaf ${this.#size}`);
    const made: Array<{ level: number; index: number; hash: Hash }> = [];
    let node = { level, index: this.#size / width, hash };
    this.#size += width;
    for (let top = this.#edge.at(-1); top && top.level === node.level; top = this.#edge.at(-1)) {
      this.#edge.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      made.push(node);
    }
    this.#edge.push(node);
    return made;
  }

  /** The perfect subtrees the leaves so far form, largest first. */
  edge(): Array<{ level: number; hash: Hash }> {
    return this.#edge.map(({ level, hash }) => ({ level, hash }));
  }

  root(): Hash {
    if (this.#edge.length === 0) return EMPTY_ROOT;
    let hashValue = (this.#edge.at(-1) as { hash: Hash }).hash;
    for (let i = this.#edge.length - 2; i >= 0; i--)
      hashValue = nodeHash((this.#edge[i] as { hash: Hash }).hash, hashValue);
    return hashValue;
  }
}
