/**
 * The reversible pseudonymization vault: a per-request map from typed placeholders (`<PERSON_1>`)
 * to the values they replace. Values are held encrypted with AES-256-GCM under a key that lives only
 * in this vault (or with whoever is given it), each bound to its placeholder and vault id as
 * associated data, so a sealed vault can travel (a checkpoint, a queue) without exposing what it
 * holds, and a swapped or altered entry fails to open instead of restoring the wrong value.
 */
import { createCipheriv, createDecipheriv, randomUUID } from "node:crypto";
import { KeelError } from "../errors/index.js";
import { randomBytesPooled as randomBytes } from "../util/random.js";
import { createNumbering, numberFor, PLACEHOLDER, reserveNumbers } from "./placeholders.js";

export class VaultError extends KeelError {
  constructor(message: string, cause?: unknown) {
    super("GUARD_VAULT_INVALID", message, { cause });
  }
}

interface SealedEntry {
  /** base64 of iv (12 bytes) || tag (16 bytes) || ciphertext */
  v: string;
}

export interface Vault {
  readonly id: string;
  /**
   * The placeholder for a value, the same one each time the same value (of the same type) comes
   * back. With `restorable: false` the placeholder is numbered in the same sequence (so it never
   * collides with a restorable one) but the value is not kept, and `restore` leaves it in place.
   */
  placeholderFor(type: string, value: string, options?: { restorable?: boolean }): string;
  /**
   * Text with every placeholder this vault issued replaced by its value; other text unchanged.
   * With `json: true` each value is escaped for a JSON string (tool-call arguments), so a value
   * holding `"` or `\` can neither break the JSON nor add fields to it.
   */
  restore(text: string, options?: { json?: boolean }): string;
  /**
   * A streaming restorer: `push` returns what can be shown now, holding back a trailing piece that
   * may be the start of a placeholder split across chunks; `flush` returns the rest at the end.
   */
  restorer(options?: { json?: boolean }): StreamRestorer;
  /**
   * Marks every placeholder-shaped token in `text` as taken (one way), so that new values are
   * numbered past them: a conversation that already shows `<EMAIL_1>` never gets a second,
   * different `<EMAIL_1>` that would restore to the wrong value.
   */
  reserve(text: string): void;
  /** The number of values held. */
  readonly size: number;
  /** The vault as one string, its values still encrypted; `openVault(sealed, key)` reads it back. */
  seal(): string;
  /** The 32-byte key (give it only to what must restore values). */
  readonly key: Uint8Array;
}

export interface StreamRestorer {
  push(chunk: string): string;
  flush(): string;
}

export interface VaultOptions {
  /** A 32-byte AES-256 key; a fresh random key when omitted (the usual per-request case). */
  key?: Uint8Array;
}

/** The longest held-back tail: "<" + a type name + "_" + digits. */
const MAX_PLACEHOLDER = 48;

export function createVault(options: VaultOptions = {}): Vault {
  return makeVault(randomUUID(), keyOf(options.key), new Map(), new Map(), []);
}

/** Reads a sealed vault back; a wrong key or any altered byte is a `VaultError`, never a wrong value. */
export function openVault(sealed: string, key: Uint8Array): Vault {
  let parsed: { id: string; entries: [string, SealedEntry][]; oneWay?: string[] };
  try {
    parsed = JSON.parse(Buffer.from(sealed, "base64url").toString("utf8"));
  } catch (cause) {
    throw new VaultError("This is not a sealed vault: pass the string that vault.seal() returned.", cause);
  }
  const wellFormed = (e: unknown) =>
    Array.isArray(e) && typeof e[0] === "string" && typeof (e[1] as SealedEntry | undefined)?.v === "string";
  if (typeof parsed?.id !== "string" || !Array.isArray(parsed.entries) || !parsed.entries.every(wellFormed)) {
    throw new VaultError("This is not a sealed vault: pass the string that vault.seal() returned.");
  }
  const byValue = new Map<string, string>();
  const vault = makeVault(parsed.id, keyOf(key), new Map(parsed.entries), byValue, parsed.oneWay ?? []);
  // Open every entry now, so a wrong key or a tampered entry fails here rather than mid-answer, and
  // so a value seen again gets its old placeholder.
  for (const [placeholder] of parsed.entries) {
    const type = /^<(.+)_\d+>$/.exec(placeholder)?.[1];
    if (type !== undefined) byValue.set(`${type}\u0000${vault.restore(placeholder)}`, placeholder);
  }
  return vault;
}

function keyOf(key: Uint8Array | undefined): Buffer {
  if (key === undefined) return randomBytes(32);
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new VaultError("A vault key must be 32 bytes (AES-256); pass the key a vault was created with.");
  }
  return Buffer.from(key);
}

function makeVault(
  id: string,
  key: Buffer,
  entries: Map<string, SealedEntry>,
  byValue: Map<string, string>,
  oneWayPlaceholders: string[],
): Vault {
  const numbering = createNumbering(byValue);
  const oneWay = new Set<string>(oneWayPlaceholders); // numbered, value not kept
  reserveNumbers(numbering, [...entries.keys(), ...oneWay].join(" "));
  const opened = new Map<string, string>();

  const encrypt = (placeholder: string, value: string): SealedEntry => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(`${id}\u0000${placeholder}`));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return { v: Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64") };
  };
  const decrypt = (placeholder: string, entry: SealedEntry): string => {
    const cached = opened.get(placeholder);
    if (cached !== undefined) return cached;
    try {
      const raw = Buffer.from(entry.v, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${id}\u0000${placeholder}`));
      decipher.setAuthTag(raw.subarray(12, 28));
      const value = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      opened.set(placeholder, value);
      return value;
    } catch (cause) {
      throw new VaultError(
        `Vault entry ${placeholder} failed authentication: the vault was altered or opened with the wrong key.`,
        cause,
      );
    }
  };
  const restore = (text: string, options?: { json?: boolean }): string =>
    entries.size === 0
      ? text
      : text.replace(PLACEHOLDER, (placeholder) => {
          const entry = entries.get(placeholder);
          if (entry === undefined) return placeholder;
          const value = decrypt(placeholder, entry);
          return options?.json ? JSON.stringify(value).slice(1, -1) : value;
        });

  return {
    id,
    key: new Uint8Array(key),
    get size() {
      return entries.size;
    },
    placeholderFor(type, value, options) {
      const name = type.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
      const restorable = options?.restorable ?? true;
      const { placeholder, isNew } = numberFor(numbering, name, value, restorable ? "" : "-");
      if (!isNew) return placeholder;
      if (!restorable) {
        oneWay.add(placeholder);
        return placeholder;
      }
      entries.set(placeholder, encrypt(placeholder, value));
      opened.set(placeholder, value);
      return placeholder;
    },
    restore,
    restorer(options) {
      let held = "";
      return {
        push(chunk) {
          const text = held + chunk;
          const cut = heldBackFrom(text);
          held = text.slice(cut);
          return restore(text.slice(0, cut), options);
        },
        flush() {
          const rest = held;
          held = "";
          return restore(rest, options);
        },
      };
    },
    reserve(text) {
      for (const placeholder of reserveNumbers(numbering, text)) {
        if (!entries.has(placeholder)) oneWay.add(placeholder);
      }
    },
    seal() {
      return Buffer.from(JSON.stringify({ id, entries: [...entries], oneWay: [...oneWay] })).toString(
        "base64url",
      );
    },
  };
}

/** Where a trailing piece that could still grow into a placeholder starts (text.length when none). */
function heldBackFrom(text: string): number {
  const lt = text.lastIndexOf("<");
  if (lt === -1 || text.length - lt > MAX_PLACEHOLDER) return text.length;
  return /^<[A-Z0-9_]*$/.test(text.slice(lt)) ? lt : text.length;
}
