import path from "node:path";
import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { budgetConformance } from "../testkit/budget-conformance.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { BudgetStore } from "./budgets.js";
import { openPostgresBudgetStore } from "./budgets-postgres.js";

const tempDir = useTempDirs("keel-budgets-");
const schema = usePostgresSchemas();

budgetConformance("sqlite", async (options) => {
  const file = path.join(tempDir(), "store.db");
  const open: SqliteDatabase[] = [];
  const store = () => {
    const db = openSqlite(file);
    open.push(db);
    return new BudgetStore(db, options);
  };
  return {
    store: store(),
    another: async () => store(),
    cleanup: async () => {
      for (const db of open) db.close();
    },
  };
});

budgetConformance("postgres", async (options) => {
  const url = await schema();
  const open: PostgresDatabase[] = [];
  const store = () => {
    const db = openPostgres(url);
    open.push(db);
    return openPostgresBudgetStore(db, options);
  };
  return {
    store: await store(),
    // A second pool on the same database: another server process.
    another: store,
    cleanup: async () => {
      for (const db of open) await db.close();
    },
  };
});
