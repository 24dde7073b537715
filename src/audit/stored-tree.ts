/**
 * How a tenant's Merkle tree is stored, by every audit store: each event row holds its leaf hash,
 * perfect subtrees of 16 leaves and more are stored as nodes, and smaller ones are hashed again from
 * their leaves when a proof needs them (at most 8 leaves each). That stores one node per 16 events
 * instead of one per event, which is most of the append cost, and keeps a proof to a few dozen reads.
 */
import { KeelError } from "../errors/index.js";
import { type Hash, type NodeSource, nodeHash } from "./merkle.js";

export const STORED_LEVEL = 4;

/**
 * The tree's subtree hashes from a reader of stored rows: `read(0, seq)` is an event's leaf hash,
 * `read(level, index)` for level >= STORED_LEVEL a stored node; smaller subtrees are rehashed.
 */
export function storedTreeNodes(
  tenant: string,
  read: (level: number, index: number) => Hash | undefined,
): NodeSource {
  const nodes: NodeSource = (level, index) => {
    if (level > 0 && level < STORED_LEVEL)
      return nodeHash(nodes(level - 1, 2 * index), nodes(level - 1, 2 * index + 1));
    const h = read(level, index);
    if (!h)
      throw new KeelError(
        "AUDIT_CORRUPT",
        `The audit tree of ${tenant} lacks node ${level}/${index}; run keel audit verify.`,
      );
    return h;
  };
  return nodes;
}
