/**
 * Where a configuration's store lives. Apart from runtime.ts so that commands that only open the
 * store (`keel keys`) do not load the whole runtime.
 */
import path from "node:path";
import { checkPostgresUrl } from "../db/postgres-url.js";
import { ConfigError, type KeelConfig } from "./config.js";

export type StoreLocation =
  | { kind: "sqlite"; path: string }
  /** `field` names where the URL came from, for messages. */
  | { kind: "postgres"; url: string; field: "store.url" | "KEEL_DB" };

/**
 * Where the store lives: `store.url` (PostgreSQL), else `store.path` (a SQLite file relative to the
 * configuration file's folder), else `KEEL_DB` (a `postgres://` URL, or a SQLite file relative to the
 * working folder), else `keel.db` in the working folder. A malformed PostgreSQL URL is a
 * configuration error naming where it came from.
 */
export function storeLocationOf(
  config: KeelConfig,
  env: Record<string, string | undefined>,
  cwd: string,
  configDir: string = cwd,
): StoreLocation {
  const store = config.store as { path?: string; url?: string } | undefined;
  if (store?.url !== undefined) return postgres(store.url, "store.url");
  const file = store?.path ?? (env.KEEL_DB || "keel.db");
  if (store?.path === undefined && /^postgres(ql)?:/i.test(file)) return postgres(file, "KEEL_DB");
  if (/^postgres(ql)?:/i.test(file)) {
    throw new ConfigError(
      "store.path",
      "is a PostgreSQL URL: give it as store.url instead (store.path is a SQLite file)",
    );
  }
  return {
    kind: "sqlite",
    path: file === ":memory:" ? file : path.resolve(store?.path ? configDir : cwd, file),
  };
}

function postgres(url: string, field: "store.url" | "KEEL_DB"): StoreLocation {
  try {
    checkPostgresUrl(url, field);
  } catch (error) {
    throw new ConfigError(field, (error as Error).message.replace(`${field}: `, ""));
  }
  return { kind: "postgres", url, field };
}

/** The SQLite file of a configuration (commands that only work on the embedded store). */
export function storePathOf(
  config: KeelConfig,
  env: Record<string, string | undefined>,
  cwd: string,
  configDir: string = cwd,
): string {
  const location = storeLocationOf(config, env, cwd, configDir);
  if (location.kind === "postgres") {
    throw new ConfigError(
      location.field,
      "names a PostgreSQL database; this command works on a SQLite store file",
    );
  }
  return location.path;
}
