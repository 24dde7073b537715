import { describe, expect, it } from "vitest";
import { randomBytesPooled } from "./random.js";

describe("randomBytesPooled", () => {
  it("hands out distinct bytes of the asked length, across pool refills, and never the same nonce twice", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const nonce = randomBytesPooled(12);
      expect(nonce).toHaveLength(12);
      seen.add(nonce.toString("hex"));
    }
    expect(seen.size).toBe(5000);
    expect(randomBytesPooled(32)).toHaveLength(32);
    expect(randomBytesPooled(5000)).toHaveLength(5000);
    // Not all zero (the pool is wiped behind what it hands out, never ahead of it).
    expect(randomBytesPooled(64).some((b) => b !== 0)).toBe(true);
  });
});
