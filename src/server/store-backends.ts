/**
 * The two homes of a server's state: one SQLite file (the default) or a PostgreSQL database that
 * several server and worker processes share (`KEEL_DB=postgres://...`). A backend gives the runtime
 * its stores; everything above it is the same code.
 */
import type { AuditEventInput, AuditLog } from "../audit/index.js";
import type { SqliteDatabase } from "../db/index.js";
import type { PostgresDatabase } from "../db/postgres.js";
import type { Checkpointer, StateSnapshot } from "../graph/index.js";
import type { RunQueue } from "../queue/index.js";
import type { Collection, Embedder } from "../rag/index.js";
import type { ApiKey } from "./keys.js";
import type { RunRecord } from "./runs/store.js";
import type { LoadedWorkflow } from "./runs/workflows.js";
import type { Runtime } from "./runtime.js";
import type { BudgetsStore, CacheStore, KeysStore, RateLimitsStore } from "./stores.js";

/** What the runs API needs from the runs of either store. */
export interface Runs {
  workflow(name: string): LoadedWorkflow;
  get(tenant: string, id: string): RunRecord | Promise<RunRecord>;
  start(
    key: ApiKey,
    workflow: LoadedWorkflow,
    input: unknown,
    thread?: string,
    when?: { delayMs: number } | { runAt: number },
  ): Promise<RunRecord>;
  resume(key: ApiKey, id: string, value: unknown): Promise<RunRecord>;
  cancel(key: ApiKey, id: string): Promise<RunRecord>;
  history(
    tenant: string,
    thread: string,
    limit?: number,
  ): Promise<{ workflow: string; snapshots: StateSnapshot<Record<string, unknown>>[] }>;
  /** The run's events after `after` as Server-Sent Events, then live ones, until its end event. */
  events(runId: string, after: number, signal: AbortSignal): ReadableStream<Uint8Array>;
  shutdown(): Promise<void>;
}

export interface RunRoutesOptions {
  /** PostgreSQL store: execute the queue's runs in this process too (default true). */
  worker?: boolean;
}

/** The audit log as the server uses it: appends, sizes, reads of a tenant's events, close. */
export interface RuntimeAudit {
  append(event: AuditEventInput): Promise<unknown>;
  size(tenant: string): number | Promise<number>;
  /** A tenant's stored envelopes (as JSON text), oldest first, after `after` (a seq), or a run's. */
  events(tenant: string, query: { run?: string; after: number; limit: number }): Promise<string[]>;
  close(): Promise<void>;
  /** The log itself, for wrappers that take it (`audited`, `auditedRun`). */
  log: Pick<AuditLog, "append">;
}

/** The runtime's view of an audit log (either store's): its own calls, plus `events` read by the backend. */
export function runtimeAudit(
  log: Pick<AuditLog, "append"> & { size(tenant: string): number | Promise<number>; close(): Promise<void> },
  events: RuntimeAudit["events"],
): RuntimeAudit {
  return { log, append: (e) => log.append(e), size: (t) => log.size(t), events, close: () => log.close() };
}

/** Which configured sources' documents a collection copy holds (to prune those no source gives). */
export interface SourceTracker {
  holdsAny(collection: string): Promise<boolean>;
  track(collection: string, ids: readonly string[]): Promise<void>;
  tracked(collection: string): Promise<string[]>;
  untrack(collection: string, ids: readonly string[]): Promise<void>;
}

export interface StoreBackend {
  kind: "sqlite" | "postgres";
  /** Where the state lives, for people: the SQLite file, or the URL with its password hidden. */
  label: string;
  /** The SQLite database (SQLite backend only). */
  sqlite?: SqliteDatabase;
  /** The PostgreSQL pool (PostgreSQL backend only). */
  postgres?: PostgresDatabase;
  keys: KeysStore;
  budgets: BudgetsStore;
  rateLimits: RateLimitsStore;
  cache: CacheStore;
  audit: RuntimeAudit | undefined;
  sources: SourceTracker;
  /** PostgreSQL only: the durable run queue and the checkpointer its runs use. */
  queue?: RunQueue;
  checkpointer?: Checkpointer;
  /** PostgreSQL only: the runs API over the queue. */
  openRuns?: (rt: Runtime, workflows: ReadonlyMap<string, LoadedWorkflow>, options: RunRoutesOptions) => Runs;
  /** A tenant's copy of a collection (its tables named `physical`). */
  collection(physical: string, options: { acl: boolean; embedder?: Embedder; now: () => number }): Collection;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A collection whose opening is asynchronous (PostgreSQL: migrations, pgvector detection) behind the
 * synchronous `rt.collection()`: each method waits for the opening, which runs once.
 */
export function lazyCollection(name: string, open: () => Promise<Collection>): Collection {
  let opened: Promise<Collection> | undefined;
  const ready = () => {
    opened ??= open().catch((error) => {
      opened = undefined; // a failed opening (the database away) is tried again by the next call
      throw error;
    });
    return opened;
  };
  return {
    name,
    ingest: async (documents, options) => (await ready()).ingest(documents, options),
    ingestFiles: async (paths, options) => (await ready()).ingestFiles(paths, options),
    delete: async (selector) => (await ready()).delete(selector),
    query: async (text, options) => (await ready()).query(text, options),
    get: async (id) => (await ready()).get(id),
    stats: async () => (await ready()).stats(),
    close: () => {
      void opened?.then((c) => c.close()).catch(() => undefined);
    },
  };
}
