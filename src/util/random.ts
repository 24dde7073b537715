/**
 * Random bytes for keys and nonces, taken from a pool filled from the system's CSPRNG a few
 * kilobytes at a time (as Node does for `randomUUID`): one call into the random source per pool
 * instead of one per 12-byte nonce, which the gateway makes several times per request. Every byte is
 * handed out once; the slice returned is a copy, so no caller can see another's bytes.
 */
import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let used = POOL_SIZE;

export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_SIZE / 4) return randomFillSync(Buffer.alloc(n));
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  // The handed-out bytes are wiped from the pool, so they do not linger in memory twice.
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
