import path from "node:path";
import { openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { cacheConformance } from "../testkit/cache-conformance.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { type ResponseCache, responseCache } from "./cache.js";
import { postgresResponseCache } from "./cache-postgres.js";

const tempDir = useTempDirs("keel-cache-conformance-");
const schema = usePostgresSchemas();

cacheConformance("sqlite", async (options) => {
  const file = path.join(tempDir(), "cache.db");
  // A cache opened on a path has its own connection, and closes it.
  const open: ResponseCache[] = [];
  const cache = () => {
    const c = responseCache({ path: file, ...options });
    open.push(c);
    return c;
  };
  return {
    cache: cache(),
    another: async () => cache(),
    cleanup: async () => {
      for (const c of open) c.close();
    },
  };
});

cacheConformance("postgres", async (options) => {
  const url = await schema();
  const pools: PostgresDatabase[] = [];
  // Each cache on its own pool: another process.
  const cache = () => {
    const db = openPostgres(url);
    pools.push(db);
    return postgresResponseCache({ db, ...options });
  };
  const cleanup = async () => {
    for (const db of pools) await db.close();
  };
  try {
    return { cache: await cache(), another: cache, cleanup };
  } catch (error) {
    // Refused options: the suite gets no harness to clean up.
    await cleanup();
    throw error;
  }
});
