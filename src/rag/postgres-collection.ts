import { collectionOver, collectionSettings } from "./collection.js";
import type { Collection, CollectionOptions } from "./collection-types.js";
import { postgresStore } from "./postgres-store.js";
import {
  ensurePostgresCollection,
  hasVectorColumn,
  type PostgresClient,
  postgresTableNames,
  type VectorSupport,
  vectorSupport,
} from "./postgres-tables.js";

export interface OpenPostgresCollectionOptions extends CollectionOptions {
  /** The collection's name: lower-case letters, digits and underscores. */
  name: string;
  /**
   * An open database (`openPostgres(url)` from keel's db module, or anything with the same `query`
   * and `transaction`). It stays the caller's: `close()` on the collection leaves it open.
   */
  db: PostgresClient;
}

/**
 * Opens (creating on first use) a collection in PostgreSQL: BM25 over a tsvector index, vectors in
 * pgvector, filters and access lists in the same query as the top k. The same `Collection` as
 * `openCollection` gives over SQLite. Where the server has no pgvector, vectors are kept in a
 * `real[]` column, keyword search works, and a vector or hybrid query fails with
 * `VECTORS_UNAVAILABLE` until pgvector is installed (the next open converts the column).
 *
 * @example
 * const db = openPostgres(process.env.KEEL_DB);
 * const docs = await openPostgresCollection({ db, name: "handbook", embedder: hashingEmbedder(), acl: true });
 * const { hits } = await docs.query("refund window", { k: 5, principal: { id: "ana", groups: ["support"] } });
 */
export async function openPostgresCollection(options: OpenPostgresCollectionOptions): Promise<Collection> {
  const tables = postgresTableNames(options.name);
  const { name, db } = options;
  const settings = collectionSettings(options);
  const support: VectorSupport = settings.wanted.embedder
    ? await vectorSupport(db)
    : { available: false, reason: "the collection was opened without an embedder" };
  const config = await ensurePostgresCollection(db, name, settings.wanted, settings.now(), support);
  const column = config.embedder !== null && (await hasVectorColumn(db, tables));
  const store = postgresStore({
    db,
    name,
    tables,
    config,
    vectors: column
      ? { column: true, iterativeScan: support.available && support.iterativeScan }
      : {
          column: false,
          reason: support.available ? "its vectors are not in a pgvector column" : support.reason,
        },
  });
  return collectionOver(store, name, options);
}
