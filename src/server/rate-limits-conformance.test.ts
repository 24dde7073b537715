import path from "node:path";
import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { rateLimitConformance } from "../testkit/rate-limit-conformance.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { RateLimits } from "./rate-limits.js";
import { openPostgresRateLimits } from "./rate-limits-postgres.js";

const tempDir = useTempDirs("keel-rate-limits-");
const schema = usePostgresSchemas();

rateLimitConformance("sqlite", async () => {
  const file = path.join(tempDir(), "store.db");
  const open: SqliteDatabase[] = [];
  const limits = () => {
    const db = openSqlite(file);
    open.push(db);
    return new RateLimits(db);
  };
  return {
    limits: limits(),
    another: async () => limits(),
    cleanup: async () => {
      for (const db of open) db.close();
    },
  };
});

rateLimitConformance("postgres", async () => {
  const url = await schema();
  const open: PostgresDatabase[] = [];
  const limits = () => {
    const db = openPostgres(url);
    open.push(db);
    return openPostgresRateLimits(db);
  };
  return {
    limits: await limits(),
    // A second pool on the same database: another server process.
    another: limits,
    cleanup: async () => {
      for (const db of open) await db.close();
    },
  };
});
