import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  EMPTY_ROOT,
  Frontier,
  type Hash,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";

/** The RFC 6962 definition, written as plainly as possible, to check the stored-node version against. */
function mth(leaves: Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Hash;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function tree(leafData: Buffer[]) {
  const stored = new Map<string, Hash>();
  const frontier = new Frontier();
  const roots: Hash[] = [EMPTY_ROOT];
  for (const d of leafData) {
    for (const n of frontier.append(leafHash(d))) stored.set(`${n.level}:${n.index}`, n.hash);
    roots.push(frontier.root());
  }
  const nodes = (level: number, index: number) => {
    const h = stored.get(`${level}:${index}`);
    if (!h) throw new Error(`node ${level}:${index} not stored`);
    return h;
  };
  return { nodes, roots, frontier };
}

// The inputs and roots of the Certificate Transparency reference tests (RFC 6962 section 2.1).
const CT_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((hex) => Buffer.from(hex, "hex"));
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

describe("RFC 6962 Merkle tree", () => {
  it("gives the Certificate Transparency reference roots", () => {
    const { roots, nodes } = tree(CT_LEAVES);
    expect(EMPTY_ROOT.toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    CT_ROOTS.forEach((root, i) => {
      expect(roots[i + 1]?.toString("hex")).toBe(root);
      expect(rootHash(nodes, i + 1).toString("hex")).toBe(root);
    });
  });

  it("computes every root from stored nodes as the plain definition does, and proofs that verify", () => {
    const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`event ${i}`));
    const { nodes, roots } = tree(data);
    const leaves = data.map(leafHash);
    for (let n = 0; n <= 70; n++) {
      expect(rootHash(nodes, n).equals(mth(leaves.slice(0, n)))).toBe(true);
      expect(roots[n]?.equals(mth(leaves.slice(0, n)))).toBe(true);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(nodes, i, n);
        expect(verifyInclusion(leaves[i] as Hash, i, n, proof, roots[n] as Hash)).toBe(true);
      }
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(nodes, m, n);
        expect(verifyConsistency(m, n, roots[m] as Hash, roots[n] as Hash, proof)).toBe(true);
      }
    }
  });

  it("rejects proofs of another leaf, another index, a modified root or a rewritten history", () => {
    const data = Array.from({ length: 37 }, (_, i) => Buffer.from(`e${i}`));
    const { nodes, roots } = tree(data);
    const leaf5 = leafHash(data[5] as Buffer);
    const proof = inclusionProof(nodes, 5, 37);
    expect(verifyInclusion(leafHash(Buffer.from("forged")), 5, 37, proof, roots[37] as Hash)).toBe(false);
    expect(verifyInclusion(leaf5, 6, 37, proof, roots[37] as Hash)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 37, proof, roots[36] as Hash)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 37, proof.slice(1), roots[37] as Hash)).toBe(false);
    const rewritten = tree([...data.slice(0, 20), Buffer.from("changed"), ...data.slice(21)]);
    const c = consistencyProof(rewritten.nodes, 30, 37);
    expect(verifyConsistency(30, 37, roots[30] as Hash, rewritten.roots[37] as Hash, c)).toBe(false);
    expect(verifyConsistency(37, 30, roots[37] as Hash, roots[30] as Hash, [])).toBe(false);
  });

  it("rebuilds its right edge from stored nodes", () => {
    const data = Array.from({ length: 45 }, (_, i) => Buffer.from(`x${i}`));
    const { nodes, roots } = tree(data);
    const reloaded = Frontier.load(nodes, 45);
    expect(reloaded.root().equals(roots[45] as Hash)).toBe(true);
    const extra = leafHash(Buffer.from("next"));
    reloaded.append(extra);
    expect(reloaded.root().equals(mth([...data.map(leafHash), extra]))).toBe(true);
  });
});
