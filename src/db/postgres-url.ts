/**
 * Checks of a PostgreSQL URL, apart from postgres.ts so that reading a configuration does not load
 * the \`pg\` driver.
 */
import { KeelError } from "../errors/index.js";

/** Whether a store location is a PostgreSQL URL (anything else is a SQLite file). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Checks a PostgreSQL URL and returns it with the password hidden, for messages. A URL that cannot
 * work is a `INVALID_CONFIG` error naming `field` and what is wrong, never echoing the password.
 */
export function checkPostgresUrl(url: string, field = "KEEL_DB"): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeelError(
      "INVALID_CONFIG",
      `${field}: not a URL. Give postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, e.g. postgres://keel@127.0.0.1:5432/keel.`,
    );
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) {
    throw new KeelError(
      "INVALID_CONFIG",
      `${field}: the scheme must be postgres:// or postgresql://, not ${parsed.protocol}//.`,
    );
  }
  if (!parsed.hostname && !parsed.searchParams.get("host")) {
    throw new KeelError(
      "INVALID_CONFIG",
      `${field}: the URL names no host: postgres://USER@HOST:PORT/DATABASE.`,
    );
  }
  if (parsed.port && !(Number(parsed.port) > 0 && Number(parsed.port) < 65536)) {
    throw new KeelError("INVALID_CONFIG", `${field}: port ${parsed.port} is not a port number.`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) {
    throw new KeelError(
      "INVALID_CONFIG",
      `${field}: the URL names no database: postgres://USER@HOST:PORT/DATABASE.`,
    );
  }
  if (parsed.password) parsed.password = "****";
  // `pg` also takes a password (and a TLS key's) from the query string.
  for (const secret of ["password", "sslpassword"]) {
    if (parsed.searchParams.has(secret)) parsed.searchParams.set(secret, "****");
  }
  return parsed.toString();
}
