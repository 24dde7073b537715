import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { migrate, openSqlite, type SqliteDatabase } from "../db/index.js";
import { ModelConfigError } from "./errors.js";
import type { CallOptions, ModelRequest, ModelResponse, Provider, StreamPart } from "./types.js";

/** A response served from the cache: it cost nothing this time. */
export type CachedResponse = ModelResponse & { cacheHit?: true };

export interface ResponseCacheOptions {
  /** SQLite file of the cache (created if missing), or ":memory:". */
  path?: string;
  /** An open database instead of `path` (it stays open when the cache is closed). */
  db?: SqliteDatabase;
  /** How long an entry is served (default 24 h). */
  ttlMs?: number;
  now?: () => number;
}

export interface ResponseCache {
  get(tenant: string, key: string): ModelResponse | undefined;
  set(tenant: string, key: string, response: ModelResponse): void;
  /** Removes expired entries; returns how many. */
  purge(): number;
  close(): void;
}

/** What `cached()` needs: the SQLite cache above, or a store answering with promises (PostgreSQL). */
export interface ResponseCacheLike {
  get(tenant: string, key: string): ModelResponse | undefined | Promise<ModelResponse | undefined>;
  set(tenant: string, key: string, response: ModelResponse): void | Promise<void>;
}

const MIGRATIONS = [
  {
    id: 1,
    name: "exact response cache",
    sql: `
      CREATE TABLE keel_model_cache (
        tenant TEXT NOT NULL,
        key TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, key)
      );
      CREATE INDEX keel_model_cache_expiry ON keel_model_cache (expires_at);
    `,
  },
];

/** An exact response cache on the embedded store, scoped by tenant, entries expiring after `ttlMs`. */
export function responseCache(options: ResponseCacheOptions): ResponseCache {
  const ttl = options.ttlMs ?? 24 * 60 * 60 * 1000;
  if (!(ttl > 0))
    throw new ModelConfigError(`responseCache ttlMs must be a positive number of milliseconds; got ${ttl}.`);
  const now = options.now ?? Date.now;
  if (!options.db && !options.path)
    throw new ModelConfigError('responseCache needs a path (a SQLite file or ":memory:") or an open db.');
  const db: SqliteDatabase = options.db ?? openSqlite(options.path as string);
  migrate(db, "model-cache", MIGRATIONS);
  const select = db.prepare(
    "SELECT response FROM keel_model_cache WHERE tenant = ? AND key = ? AND expires_at > ?",
  );
  const upsert = db.prepare(
    "INSERT OR REPLACE INTO keel_model_cache (tenant, key, response, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
  );
  const purge = db.prepare("DELETE FROM keel_model_cache WHERE expires_at <= ?");
  return {
    get(tenant, key) {
      const row = select.get(tenant, key, now()) as { response: string } | undefined;
      return row ? (JSON.parse(row.response) as ModelResponse) : undefined;
    },
    set(tenant, key, response) {
      const at = now();
      upsert.run(tenant, key, JSON.stringify(response), at, at + ttl);
    },
    purge: () => purge.run(now()).changes,
    close: () => {
      if (!options.db) db.close();
    },
  };
}

/**
 * The cache key: a SHA-256 of the canonical JSON (RFC 8785) of everything that shapes the answer:
 * provider, model, messages, tools, tool choice, output format and sampling parameters. Two requests
 * that differ only in key order or formatting share an entry; any other difference does not.
 */
export function cacheKey(provider: string, request: ModelRequest): string {
  const { model, messages, tools, toolChoice, responseFormat, temperature, maxTokens, seed, stop } = request;
  const canonical = canonicalize({
    provider,
    model,
    messages,
    tools,
    toolChoice,
    responseFormat,
    temperature,
    maxTokens,
    seed,
    stop,
  });
  return createHash("sha256")
    .update(canonical ?? "")
    .digest("hex");
}

export interface CachedOptions {
  cache: ResponseCacheLike;
  /** Entries of one tenant are never served to another (default "default"). */
  tenant?: string;
}

/**
 * Wraps a provider with the exact cache: a hit is served without a call (marked `cacheHit`, so the
 * call path prices it at zero); a miss is called and its completed response stored. Streams are
 * replayed from a hit, and stored only once they finished. Errors, and answers cut off by the token
 * limit or a content filter, are never cached.
 */
export function cached(provider: Provider, options: CachedOptions): Provider {
  const tenant = options.tenant ?? "default";
  const { cache } = options;
  return {
    id: provider.id,
    capabilities: provider.capabilities,
    async generate(request: ModelRequest, callOptions?: CallOptions): Promise<CachedResponse> {
      const key = cacheKey(provider.id, request);
      const hit = await cache.get(tenant, key);
      if (hit) return { ...hit, cacheHit: true };
      const response = await provider.generate(request, callOptions);
      if (complete(response)) await store(cache, tenant, key, response);
      return response;
    },
    async *stream(request: ModelRequest, callOptions?: CallOptions): AsyncGenerator<StreamPart> {
      const key = cacheKey(provider.id, request);
      const hit = await cache.get(tenant, key);
      if (hit) {
        if (hit.text) yield { type: "text-delta", text: hit.text };
        for (const toolCall of hit.toolCalls) yield { type: "tool-call", toolCall };
        yield { type: "finish", response: { ...hit, cacheHit: true } as CachedResponse };
        return;
      }
      for await (const part of provider.stream(request, callOptions)) {
        if (part.type === "finish" && complete(part.response)) await store(cache, tenant, key, part.response);
        yield part;
      }
    },
  };
}

/** Stores an answer; a cache that cannot store (its database away) costs the caller nothing. */
async function store(cache: ResponseCacheLike, tenant: string, key: string, response: ModelResponse) {
  try {
    await cache.set(tenant, key, withoutCallFields(response));
  } catch {
    // The answer is still good; only its reuse is lost.
  }
}

/** A cut-off ("length") or filtered answer is not worth serving again for a whole TTL. */
function complete(response: ModelResponse): boolean {
  return response.finishReason === "stop" || response.finishReason === "tool-calls";
}

/** What belongs to one call (attempts of a resilient provider) is not part of the cached answer. */
function withoutCallFields(response: ModelResponse): ModelResponse {
  const { attempts: _attempts, ...rest } = response as ModelResponse & { attempts?: number };
  return rest;
}
