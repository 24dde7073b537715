/**
 * Data keys for event content (crypto-shredding). Content is encrypted with AES-256-GCM under a key
 * per (tenant, subject, data class, UTC day): erasing a subject destroys its keys, and retention
 * destroys a class's keys older than its period. The tree commits to the ciphertext, so the log
 * still verifies after either. Keys are deleted with `secure_delete` on, so their bytes are
 * overwritten in the database file rather than left in free pages.
 */
import { createCipheriv, createDecipheriv, randomUUID } from "node:crypto";
import type { Statement } from "better-sqlite3";
import type { SqliteDatabase } from "../db/index.js";
import { randomBytesPooled as randomBytes } from "../util/random.js";

export interface KeyScope {
  tenant: string;
  subject: string | null;
  dataClass: string;
  day: number;
}

const DAY_MS = 86_400_000;

export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

export class ContentKeys {
  readonly #db: SqliteDatabase;
  readonly #cache = new Map<string, { id: string; key: Buffer }>();
  readonly #byId = new Map<string, Buffer | null>();

  readonly #find: Statement;
  readonly #insert: Statement;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#find = db.prepare(
      "SELECT id, key FROM audit_keys WHERE tenant = ? AND subject IS ? AND data_class = ? AND day = ?",
    );
    this.#insert = db.prepare(
      "INSERT INTO audit_keys (id, tenant, subject, data_class, day, key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
  }

  /** The key for a scope, made (inside the caller's transaction) on first use. */
  keyFor(scope: KeyScope, now: number): { id: string; key: Buffer } {
    const name = `${scope.tenant}\u0000${scope.subject ?? ""}\u0000${scope.dataClass}\u0000${scope.day}`;
    let entry = this.#cache.get(name);
    if (entry) return entry;
    const row = this.#find.get(scope.tenant, scope.subject, scope.dataClass, scope.day) as
      | { id: string; key: Buffer }
      | undefined;
    entry = row ?? { id: randomUUID(), key: randomBytes(32) };
    if (!row) {
      this.#insert.run(entry.id, scope.tenant, scope.subject, scope.dataClass, scope.day, entry.key, now);
    }
    this.#cache.set(name, entry);
    return entry;
  }

  /** A key by id, or null when it was destroyed. */
  keyById(id: string): Buffer | null {
    if (this.#byId.has(id)) return this.#byId.get(id) ?? null;
    const row = this.#db.prepare("SELECT key FROM audit_keys WHERE id = ?").get(id) as
      | { key: Buffer }
      | undefined;
    return row?.key ?? null;
  }

  /** Destroys keys matching a condition; returns how many. Call inside a transaction. */
  destroy(where: string, params: unknown[]): number {
    const ids = this.#db
      .prepare(`SELECT id FROM audit_keys WHERE ${where}`)
      .pluck()
      .all(...params) as string[];
    const drop = this.#db.prepare("DELETE FROM audit_keys WHERE id = ?");
    for (const id of ids) drop.run(id);
    this.forget();
    for (const id of ids) this.#byId.set(id, null);
    return ids.length;
  }

  /** Drops cached keys (after a rollback, or another process's erasure). */
  forget(): void {
    this.#cache.clear();
    this.#byId.clear();
  }
}

export function seal(plaintext: string, key: Buffer, aad: string): { iv: string; ct: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { iv: iv.toString("base64"), ct: ct.toString("base64") };
}

/** Decrypts sealed content; throws if it was tampered with (GCM tag) or sealed for another event. */
export function unseal(sealed: { iv: string; ct: string }, key: Buffer, aad: string): string {
  const data = Buffer.from(sealed.ct, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}
