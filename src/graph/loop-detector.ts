import { createHash } from "node:crypto";
import { serialize } from "./serde.js";
import type { StateModel } from "./state.js";
import type { Head } from "./thread-store.js";

const HASH_ABOVE = 256;

/**
 * Remembers every (state, next tasks, join progress) a run has been in and reports the step that
 * first had one that comes back. Within a run an append-reduced list only grows, so its length alone
 * identifies it; other keys are compared by their serialized form, computed once per value object.
 */
export class LoopDetector {
  private readonly firstSeen = new Map<string, number>();
  private readonly cache = new WeakMap<object, string>();
  private readonly identities = new WeakMap<object, number>();
  private nextIdentity = 0;

  constructor(private readonly state: StateModel) {}

  /** Records `head` at `step`; returns the earlier step that had the same fingerprint, if any. */
  seen(head: Head, step: number): number | undefined {
    const fp = this.fingerprint(head);
    const first = this.firstSeen.get(fp);
    if (first !== undefined) return first;
    this.firstSeen.set(fp, step);
    return undefined;
  }

  private fingerprint(head: Head): string {
    let fp = "";
    for (const key of this.state.keyNames) {
      const value = head.values[key];
      const kind = this.state.reducerKind(key);
      if (Array.isArray(value) && kind === "append") fp += `#${value.length}\u0000`;
      // A custom reducer may change its value in place, so its value object proves nothing.
      else fp += `${this.valueFingerprint(value, kind !== "custom")}\u0000`;
    }
    fp += serialize(head.meta.next);
    if (Object.keys(head.meta.joins).length) fp += serialize(head.meta.joins);
    return shorten(fp);
  }

  private valueFingerprint(value: unknown, cacheable: boolean): string {
    if (typeof value !== "object" || value === null) return this.describe(value, cacheable);
    let fp = cacheable ? this.cache.get(value) : undefined;
    if (fp === undefined) {
      fp = shorten(this.describe(value, cacheable));
      if (cacheable) this.cache.set(value, fp);
    }
    return fp;
  }

  /**
   * The serialized value; for what cannot be serialized (a client object in a graph without a
   * checkpointer), its identity: the same object is the same state, another object is not.
   */
  private describe(value: unknown, identityMeansSame: boolean): string {
    try {
      return serialize(value);
    } catch {
      if ((typeof value !== "object" && typeof value !== "function") || value === null) return String(value);
      // A custom reducer may have changed this object in place: it never equals an earlier state.
      if (!identityMeansSame) return `@fresh${this.nextIdentity++}`;
      let id = this.identities.get(value);
      if (id === undefined) this.identities.set(value, (id = this.nextIdentity++));
      return `@${id}`;
    }
  }
}

function shorten(text: string): string {
  return text.length > HASH_ABOVE ? createHash("sha256").update(text).digest("base64") : text;
}
