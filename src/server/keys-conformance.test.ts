import { openPostgres } from "../db/postgres.js";
import { openSqlite } from "../db/sqlite.js";
import { keysConformance } from "../testkit/keys-conformance.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { KeyStore } from "./keys.js";
import { openPostgresKeyStore } from "./keys-postgres.js";

keysConformance("sqlite", async () => {
  const db = openSqlite(":memory:");
  const store = new KeyStore(db);
  return {
    a: store,
    b: store,
    close: async () => {
      db.close();
    },
  };
});

const schema = usePostgresSchemas();
keysConformance("postgres", async () => {
  const url = await schema();
  const [pa, pb] = [openPostgres(url), openPostgres(url)];
  const a = await openPostgresKeyStore(pa);
  const b = await openPostgresKeyStore(pb);
  return {
    a,
    b,
    close: async () => {
      await pa.close();
      await pb.close();
    },
  };
});
