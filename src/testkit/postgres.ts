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

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** Restarts the server (fast shutdown: every connection is terminated), waiting until it accepts again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of its own for a fault test that restarts it (the shared server must never be
 * restarted under other tests): Debian's binaries, a fresh cluster in a temporary folder, a free
 * port, trust auth on loopback. Needs root (it runs the server as the `postgres` user).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { execFile, execFileSync } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const net = await import("node:net");
  const versions = fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort() : [];
  const bin = versions.length ? `/usr/lib/postgresql/${versions.at(-1)}/bin` : undefined;
  if (!bin || !fs.existsSync(`${bin}/pg_ctl`)) {
    throw new Error(
      "startPrivatePostgres needs Debian's postgresql package (/usr/lib/postgresql/*/bin/pg_ctl).",
    );
  }
  const port = await new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-pg-"));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, "data");
  const asPostgres = (command: string) =>
    execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", command], { stdio: ["ignore", "ignore", "pipe"] });
  fs.mkdirSync(data);
  execFileSync("chown", ["-R", "postgres", dir]);
  asPostgres(`${bin}/initdb -D ${data} -A trust -U postgres --no-sync >/dev/null`);
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  // Asynchronous, so that the code under test keeps running while the server goes down and up.
  const ctl = (action: string) =>
    promisify(execFile)("su", [
      "postgres",
      "-s",
      "/bin/sh",
      "-c",
      `${bin}/pg_ctl -D ${data} -l ${dir}/log -o '${options}' -m fast -w ${action}`,
    ]);
  await ctl("start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await ctl("restart");
    },
    stop: async () => {
      try {
        await ctl("stop");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
