/**
 * Where a configuration's store lives. Apart from runtime.ts so that commands that only open the
 * store (`keel keys`) do not load the whole runtime.
 */
import path from "node:path";
import { ConfigError, type KeelConfig } from "./config.js";

/**
 * Where the store lives: `store.path` (relative to the configuration file's folder), else `KEEL_DB`
 * (relative to the working folder), else `keel.db` in the working folder.
 */
export function storePathOf(
  config: KeelConfig,
  env: Record<string, string | undefined>,
  cwd: string,
  configDir: string = cwd,
): string {
  const fromConfig = config.store?.path;
  const file = fromConfig ?? (env.KEEL_DB || "keel.db");
  if (/^postgres(ql)?:/.test(file)) {
    throw new ConfigError(
      fromConfig ? "store.path" : "KEEL_DB",
      "PostgreSQL stores are not available in this version; give a SQLite file path.",
    );
  }
  return file === ":memory:" ? file : path.resolve(fromConfig ? configDir : cwd, file);
}
