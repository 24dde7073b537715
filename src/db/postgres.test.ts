import { describe, expect, it } from "vitest";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { checkPostgresUrl, migratePostgres, openPostgres } from "./postgres.js";

const schema = usePostgresSchemas();

describe("PostgreSQL connections (against the local server)", () => {
  it("applies migrations once when two processes migrate at the same moment", async () => {
    const url = await schema();
    const a = openPostgres(url);
    const b = openPostgres(url);
    try {
      const migrations = [
        { id: 1, name: "t", sql: "CREATE TABLE things (id INTEGER PRIMARY KEY)" },
        { id: 2, name: "seed", sql: "INSERT INTO things VALUES (1)" },
      ];
      await Promise.all([migratePostgres(a, "things", migrations), migratePostgres(b, "things", migrations)]);
      expect((await a.query("SELECT count(*)::int AS n FROM things")).rows[0]).toEqual({ n: 1 });
      const { rows } = await a.query("SELECT id FROM keel_migrations WHERE scope = 'things' ORDER BY id");
      expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
      // A later version adds only what is new.
      await migratePostgres(b, "things", [
        ...migrations,
        { id: 3, name: "more", sql: "INSERT INTO things VALUES (2)" },
      ]);
      expect((await a.query("SELECT count(*)::int AS n FROM things")).rows[0]).toEqual({ n: 2 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("rolls a failed transaction back whole", async () => {
    const db = openPostgres(await schema());
    try {
      await db.query("CREATE TABLE t (v INTEGER)");
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO t VALUES (1)");
          await tx.query("INSERT INTO t VALUES ('not a number')");
        }),
      ).rejects.toThrow();
      expect((await db.query("SELECT count(*)::int AS n FROM t")).rows[0]).toEqual({ n: 0 });
    } finally {
      await db.close();
    }
  });

  it("makes queries wait for a free connection, then fail clearly when none comes", async () => {
    const db = openPostgres(await schema(), { max: 1, acquireTimeoutMs: 300 });
    try {
      const held = db.transaction(async (tx) => {
        await tx.query("SELECT pg_sleep(1)");
      });
      await expect(db.query("SELECT 1")).rejects.toMatchObject({ code: "STORE_BUSY", retryable: true });
      await held;
      // Once the connection is free, queries run again: nothing crashed.
      expect((await db.query("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
    } finally {
      await db.close();
    }
  });

  it("says what is wrong with a malformed URL, never echoing the password", () => {
    expect(() => checkPostgresUrl("postgres//nope")).toThrow(/KEEL_DB: not a URL/);
    expect(() => checkPostgresUrl("mysql://u:p@h/db")).toThrow(/scheme must be postgres/);
    expect(() => checkPostgresUrl("postgres://u:secret@host:5432/")).toThrow(/names no database/);
    expect(() => checkPostgresUrl("postgres://u:secret@host:99999/db")).toThrow();
    expect(checkPostgresUrl("postgres://u:secret@host:5432/db")).toBe("postgres://u:****@host:5432/db");
    try {
      checkPostgresUrl("postgres://u:secret@host:5432/");
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });

  it("reports an unreachable server as STORE_UNAVAILABLE", async () => {
    const db = openPostgres("postgres://postgres@127.0.0.1:9/test", { acquireTimeoutMs: 2000 });
    try {
      await expect(db.query("SELECT 1")).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    } finally {
      await db.close();
    }
  });
});

describe("migrations started at the same moment on a fresh database", () => {
  it("create the bookkeeping table once, whatever scopes race (seven stores of eight processes)", async () => {
    const url = await schema();
    const pools = Array.from({ length: 8 }, () => openPostgres(url));
    try {
      const scopes = ["a", "b", "c", "d", "e", "f", "g"];
      await Promise.all(
        pools.flatMap((db) =>
          scopes.map((s) =>
            migratePostgres(db, s, [{ id: 1, name: s, sql: `CREATE TABLE IF NOT EXISTS t_${s} (v INT)` }]),
          ),
        ),
      );
      const { rows } = await pools[0]!.query("SELECT count(*)::int AS n FROM keel_migrations");
      expect(rows[0]).toEqual({ n: 7 });
      for (const s of scopes) await pools[1]!.query(`SELECT v FROM t_${s}`);
    } finally {
      for (const p of pools) await p.close();
    }
  });
});
