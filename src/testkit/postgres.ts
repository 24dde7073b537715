/**
 * For test files that need PostgreSQL: the server from `KEEL_TEST_POSTGRES` (default the local one,
 * postgres://postgres@127.0.0.1:5432/test), a fresh schema per call, dropped after the file's tests.
 * The URL handed out sets `search_path` to that schema, so every store's tables land there.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll } from "vitest";

export const TEST_POSTGRES = process.env.KEEL_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

export function usePostgresSchemas(): () => Promise<string> {
  const schemas: string[] = [];
  afterAll(async () => {
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: TEST_POSTGRES });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    } finally {
      await client.end();
    }
  });
  return async () => {
    const schema = `keel_test_${randomBytes(5).toString("hex")}`;
    const client = new pg.Client({ connectionString: TEST_POSTGRES });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
    } finally {
      await client.end();
    }
    schemas.push(schema);
    const url = new URL(TEST_POSTGRES);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return url.toString();
  };
}
