/**
 * The embedded backend: every store in one SQLite file (WAL), opened synchronously.
 */
import { type AuditLog, openAuditLog } from "../audit/index.js";
import { migrate, openSqlite } from "../db/index.js";
import { responseCache } from "../model/index.js";
import { openCollection } from "../rag/index.js";
import { BudgetStore } from "./budgets.js";
import { KeyStore } from "./keys.js";
import { RateLimits } from "./rate-limits.js";
import { type RuntimeAudit, runtimeAudit, type SourceTracker, type StoreBackend } from "./store-backends.js";

export interface BackendOptions {
  now: () => number;
  /** Whether the audit log is on, and the signer of its checkpoints. */
  audit: { signer?: Parameters<typeof openAuditLog>[0]["signer"] } | undefined;
}

export function sqliteBackend(file: string, options: BackendOptions): StoreBackend {
  const { now } = options;
  const db = openSqlite(file);
  const cache = responseCache({ db });
  // One connection for the whole server: commits on another connection of the same file would make
  // every connection re-read its pages.
  const log: AuditLog | undefined = options.audit
    ? openAuditLog({ db, signer: options.audit.signer, now })
    : undefined;
  const audit: RuntimeAudit | undefined =
    log &&
    runtimeAudit(log, async (tenant, query) => {
      const rows = (
        query.run
          ? db
              .prepare(
                "SELECT envelope FROM audit_events WHERE run_id = ? AND tenant = ? AND seq > ? ORDER BY seq LIMIT ?",
              )
              .all(query.run, tenant, query.after, query.limit)
          : db
              .prepare("SELECT envelope FROM audit_events WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?")
              .all(tenant, query.after, query.limit)
      ) as Array<{ envelope: Buffer }>;
      return rows.map((r) => r.envelope.toString("utf8"));
    });
  return {
    kind: "sqlite",
    label: file,
    sqlite: db,
    keys: new KeyStore(db, now),
    budgets: new BudgetStore(db, { now }),
    rateLimits: new RateLimits(db),
    cache,
    audit,
    sources: sqliteSources(db),
    collection: (physical, o) => openCollection({ db, name: physical, ...o }),
    async ping() {
      db.prepare("SELECT 1").get();
    },
    async close() {
      await audit?.close();
      cache.close();
      db.close();
    },
  };
}

function sqliteSources(db: ReturnType<typeof openSqlite>): SourceTracker {
  let ready = false;
  const table = () => {
    if (ready) return;
    migrate(db, "server-collection-sources", [
      {
        id: 1,
        name: "documents ingested from configured sources",
        sql: `CREATE TABLE keel_source_documents (
          collection TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;`,
      },
    ]);
    ready = true;
  };
  return {
    async holdsAny(collection) {
      table();
      return (
        db.prepare("SELECT 1 FROM keel_source_documents WHERE collection = ? LIMIT 1").get(collection) !==
        undefined
      );
    },
    async track(collection, ids) {
      table();
      const track = db.prepare("INSERT OR IGNORE INTO keel_source_documents (collection, id) VALUES (?, ?)");
      db.transaction(() => {
        for (const id of ids) track.run(collection, id);
      })();
    },
    async tracked(collection) {
      table();
      return db
        .prepare("SELECT id FROM keel_source_documents WHERE collection = ?")
        .pluck()
        .all(collection) as string[];
    },
    async untrack(collection, ids) {
      table();
      const untrack = db.prepare("DELETE FROM keel_source_documents WHERE collection = ? AND id = ?");
      db.transaction(() => {
        for (const id of ids) untrack.run(collection, id);
      })();
    },
  };
}
