/**
 * API keys: each belongs to one tenant and has one role. The secret is shown once, when it is
 * created, and only its SHA-256 is stored (keys are 192 random bits, so a fast hash is as safe as a
 * slow one and costs microseconds per request). A key's id (`key_…`) is public: it names the key in
 * logs, audit events and `keel keys list`.
 */
import { hash, randomBytes } from "node:crypto";
import { migrate, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";

export const ROLES = ["admin", "app", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export interface KeyLimits {
  /** USD the key may spend per UTC day / calendar month. */
  dailyUsd?: number;
  monthlyUsd?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface ApiKey {
  id: string;
  tenant: string;
  role: Role;
  name: string | null;
  /** The guard settings it uses (a name from the configuration's `guards`; null: "default"). */
  guard: string | null;
  limits: KeyLimits;
  createdAt: number;
  revokedAt: number | null;
}

export interface CreatedKey extends ApiKey {
  /** The secret: shown once, never stored. */
  key: string;
}

export interface CreateKeyInput {
  tenant: string;
  role?: Role;
  name?: string;
  guard?: string;
  limits?: KeyLimits;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const KEY_PREFIX = "keel_";

export const hashOf = (secret: string) => hash("sha256", secret, "hex");

/** Whether a string can be a key at all (checked before any lookup). */
export const looksLikeKey = (secret: string) => secret.startsWith(KEY_PREFIX) && secret.length <= 100;

/** A new key from checked input: its secret, id and fields (every store shares the checks). */
export function newKey(input: CreateKeyInput, createdAt: number): CreatedKey {
  if (typeof input.tenant !== "string" || !TENANT.test(input.tenant)) {
    throw new KeelError(
      "INVALID_REQUEST",
      `A tenant is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(input.tenant)}.`,
    );
  }
  const role = input.role ?? "app";
  if (!ROLES.includes(role)) {
    throw new KeelError("INVALID_REQUEST", `Unknown role "${role}"; a key is one of: ${ROLES.join(", ")}.`);
  }
  return {
    id: `key_${randomBytes(6).toString("hex")}`,
    key: KEY_PREFIX + randomBytes(24).toString("base64url"),
    tenant: input.tenant,
    role,
    name: input.name ?? null,
    guard: input.guard ?? null,
    limits: checkLimits(input.limits ?? {}),
    createdAt,
    revokedAt: null,
  };
}

/** The row a new key is stored as, in the order of both stores' INSERT (the secret only as its hash). */
export const keyRowValues = (k: CreatedKey) => [
  k.id,
  hashOf(k.key),
  k.tenant,
  k.role,
  k.name,
  k.guard,
  JSON.stringify(k.limits),
  k.createdAt,
];

export interface KeyRow {
  id: string;
  tenant: string;
  role: Role;
  name: string | null;
  guard: string | null;
  limits: string;
  created_at: number | string;
  revoked_at: number | string | null;
}

export const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  tenant: r.tenant,
  role: r.role,
  name: r.name,
  guard: r.guard,
  limits: JSON.parse(r.limits) as KeyLimits,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export class KeyStore {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #byHash;
  readonly #version;
  readonly #bump;
  /**
   * Verified keys by hash, valid while the revocation counter (bumped by every revocation, in any
   * process) has not moved: one small read per request instead of a lookup and a parse.
   */
  #verified = new Map<string, ApiKey>();
  #verifiedAt = -1;

  constructor(db: SqliteDatabase, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    migrate(db, "server-keys", [
      {
        id: 1,
        name: "api keys",
        sql: `CREATE TABLE keel_api_keys (
          id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, role TEXT NOT NULL,
          name TEXT, guard TEXT, limits TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER);
          CREATE INDEX keel_api_keys_tenant ON keel_api_keys (tenant);`,
      },
      {
        id: 2,
        name: "key revocation counter",
        sql: `CREATE TABLE keel_api_key_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
          INSERT INTO keel_api_key_version VALUES (1, 0);`,
      },
    ]);
    this.#byHash = db.prepare("SELECT * FROM keel_api_keys WHERE hash = ?");
    this.#version = db.prepare("SELECT version FROM keel_api_key_version WHERE id = 1").pluck();
    this.#bump = db.prepare("UPDATE keel_api_key_version SET version = version + 1 WHERE id = 1");
  }

  /** Creates a key; the returned `key` is the only copy of the secret. */
  create(input: CreateKeyInput): CreatedKey {
    const created = newKey(input, this.#now());
    this.#db
      .prepare(
        "INSERT INTO keel_api_keys (id, hash, tenant, role, name, guard, limits, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(...keyRowValues(created));
    return created;
  }

  /** The key a secret belongs to, if it exists and is not revoked. */
  verify(secret: string): ApiKey | undefined {
    if (!looksLikeKey(secret)) return undefined;
    const version = this.#version.get() as number;
    if (version !== this.#verifiedAt) {
      this.#verified = new Map();
      this.#verifiedAt = version;
    }
    const hash = hashOf(secret);
    const known = this.#verified.get(hash);
    if (known) return known;
    const row = this.#byHash.get(hash) as KeyRow | undefined;
    if (!row || row.revoked_at !== null) return undefined;
    const key = toKey(row);
    if (this.#verified.size >= 10_000) this.#verified.clear();
    this.#verified.set(hash, key);
    return key;
  }

  get(id: string): ApiKey | undefined {
    const row = this.#db.prepare("SELECT * FROM keel_api_keys WHERE id = ?").get(id) as KeyRow | undefined;
    return row ? toKey(row) : undefined;
  }

  list(filter: { tenant?: string; includeRevoked?: boolean } = {}): ApiKey[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM keel_api_keys WHERE (? IS NULL OR tenant = ?) AND (? OR revoked_at IS NULL) ORDER BY created_at, id`,
      )
      .all(filter.tenant ?? null, filter.tenant ?? null, filter.includeRevoked ? 1 : 0) as KeyRow[];
    return rows.map(toKey);
  }

  /** Revokes a key at once, for every process sharing the store; revoking twice is an error. */
  revoke(id: string): ApiKey {
    const key = this.get(id);
    if (!key) throw new KeelError("NOT_FOUND", `No API key "${id}"; \`keel keys list\` shows the ids.`);
    if (key.revokedAt !== null) throw new KeelError("CONFLICT", `API key ${id} is already revoked.`);
    const at = this.#now();
    this.#db.transaction(() => {
      this.#db.prepare("UPDATE keel_api_keys SET revoked_at = ? WHERE id = ?").run(at, id);
      this.#bump.run();
    })();
    return { ...key, revokedAt: at };
  }

  /** How many keys can still be used (a store with none gets an admin key at first start). */
  activeCount(): number {
    return this.#db
      .prepare("SELECT count(*) FROM keel_api_keys WHERE revoked_at IS NULL")
      .pluck()
      .get() as number;
  }
}

function checkLimits(limits: KeyLimits): KeyLimits {
  const out: KeyLimits = {};
  for (const [field, value] of Object.entries(limits)) {
    if (value === undefined) continue;
    if (!["dailyUsd", "monthlyUsd", "requestsPerMinute", "tokensPerMinute"].includes(field)) {
      throw new KeelError("INVALID_REQUEST", `Unknown key limit "${field}".`);
    }
    const integer = field.endsWith("PerMinute");
    if (
      typeof value !== "number" ||
      !(value >= 0) ||
      !Number.isFinite(value) ||
      (integer && !Number.isInteger(value))
    ) {
      throw new KeelError(
        "INVALID_REQUEST",
        `${field} must be a ${integer ? "whole number" : "number"} of at least 0, got ${JSON.stringify(value)}.`,
      );
    }
    out[field as keyof KeyLimits] = value;
  }
  return out;
}
