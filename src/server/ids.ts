/**
 * Ids for requests and completions: unique, not secret. A random prefix per process and a counter
 * (a random id per request costs a call into the system's random source each time).
 */
import { randomBytes } from "node:crypto";

const prefix = randomBytes(6).toString("base64url");
let counter = 0;

export function newId(kind: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${kind}_${prefix}${counter.toString(36)}`;
}
