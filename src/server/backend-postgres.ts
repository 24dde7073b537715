/**
 * The shared backend: every store in one PostgreSQL database, for several `keel serve` and
 * `keel worker` processes (`KEEL_DB=postgres://...`). Migrations run on open, one process at a time.
 */
import { openPostgresAuditLog } from "../audit/postgres-log.js";
import { migratePostgres, openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { postgresCheckpointer } from "../graph/index.js";
import { postgresResponseCache } from "../model/cache-postgres.js";
import { openRunQueue } from "../queue/index.js";
import { openPostgresCollection } from "../rag/index.js";
import type { BackendOptions } from "./backend-sqlite.js";
import { openPostgresBudgetStore } from "./budgets-postgres.js";
import { openPostgresKeyStore } from "./keys-postgres.js";
import { openPostgresRateLimits } from "./rate-limits-postgres.js";
import { QueuedRunService } from "./runs/queued.js";
import {
  lazyCollection,
  type RuntimeAudit,
  runtimeAudit,
  type SourceTracker,
  type StoreBackend,
} from "./store-backends.js";

export async function postgresBackend(url: string, options: BackendOptions): Promise<StoreBackend> {
  const { now } = options;
  const db = openPostgres(url);
  try {
    const [keys, budgets, rateLimits, cache, queue, checkpointer, sources] = await Promise.all([
      openPostgresKeyStore(db, now),
      openPostgresBudgetStore(db, { now }),
      openPostgresRateLimits(db),
      postgresResponseCache({ db }),
      openRunQueue({ db }),
      postgresCheckpointer({ db }),
      postgresSources(db),
    ]);
    const log = options.audit
      ? await openPostgresAuditLog({ db, signer: options.audit.signer, now })
      : undefined;
    const audit: RuntimeAudit | undefined =
      log &&
      runtimeAudit(log, async (tenant, query) => {
        const { rows } = await db.query<{ envelope: Buffer }>(
          `SELECT envelope FROM keel_audit_events
           WHERE tenant = $1 AND seq > $2 AND ($4::text IS NULL OR run_id = $4) ORDER BY seq LIMIT $3`,
          [tenant, query.after, query.limit, query.run ?? null],
        );
        return rows.map((r) => r.envelope.toString("utf8"));
      });
    return {
      kind: "postgres",
      label: db.display,
      postgres: db,
      keys,
      budgets,
      rateLimits,
      cache,
      audit,
      sources,
      queue,
      checkpointer,
      openRuns: (rt, workflows, o) => new QueuedRunService(rt, workflows, o),
      collection: (physical, o) =>
        lazyCollection(physical, () => openPostgresCollection({ db, name: physical, ...o })),
      async ping() {
        await db.query("SELECT 1");
      },
      async close() {
        await audit?.close();
        await cache.close();
        await checkpointer.close();
        await queue.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

async function postgresSources(db: PostgresDatabase): Promise<SourceTracker> {
  await migratePostgres(db, "server-collection-sources", [
    {
      id: 1,
      name: "documents ingested from configured sources",
      sql: "CREATE TABLE keel_source_documents (collection TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (collection, id))",
    },
  ]);
  return {
    async holdsAny(collection) {
      const { rows } = await db.query("SELECT 1 FROM keel_source_documents WHERE collection = $1 LIMIT 1", [
        collection,
      ]);
      return rows.length > 0;
    },
    async track(collection, ids) {
      await db.query(
        "INSERT INTO keel_source_documents (collection, id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
        [collection, ids],
      );
    },
    async tracked(collection) {
      const { rows } = await db.query<{ id: string }>(
        "SELECT id FROM keel_source_documents WHERE collection = $1",
        [collection],
      );
      return rows.map((r) => r.id);
    },
    async untrack(collection, ids) {
      await db.query("DELETE FROM keel_source_documents WHERE collection = $1 AND id = ANY($2::text[])", [
        collection,
        ids,
      ]);
    },
  };
}
