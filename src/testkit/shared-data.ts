import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * For tests: the path of a file of the shared public data sets, which are read where they are and
 * never copied into the repository. KEEL_DATA names the folder that holds keel-format/; without it,
 * `shared/data` beside the repository, else /work/shared/data. A missing file is an error that says
 * how to point the tests at the data, never a silent skip.
 */
export function sharedDataFile(name: string): string {
  return sharedDataPath(join("keel-format", name));
}

/** A file or folder of the shared data sets, e.g. `retrieval-scifact/beir`; missing is an error. */
export function sharedDataPath(relative: string): string {
  const besideRepo = fileURLToPath(new URL("../../../shared/data", import.meta.url));
  const root = process.env.KEEL_DATA ?? (existsSync(besideRepo) ? besideRepo : "/work/shared/data");
  const path = join(root, relative);
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found. Set KEEL_DATA to the folder that holds keel-format/ (the shared public data sets), ` +
        "e.g. KEEL_DATA=/work/shared/data npx vitest run src/guard.",
    );
  }
  return path;
}
