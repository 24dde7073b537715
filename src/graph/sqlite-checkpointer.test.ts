import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../testkit/temp-dirs.js";
import type { CheckpointRecord } from "./checkpointer.js";
import { sharedConnectionFor, sqliteCheckpointer } from "./sqlite-checkpointer.js";

const tempDir = useTempDirs("keel-sqlite-");

function record(thread: string, id: string, data: string): CheckpointRecord {
  return {
    thread,
    ns: "",
    id,
    parentId: null,
    step: 0,
    kind: "snapshot",
    baseId: id,
    data,
    meta: "j{}",
    createdAt: 0,
  };
}

describe("sqlite checkpointer under storage failure", () => {
  it("a disk-full error never loses another thread's batched writes silently", async () => {
    const dir = tempDir();
    const file = path.join(dir, "c.db");
    const cp = sqliteCheckpointer({ path: file, commitIntervalMs: 60_000 });
    await cp.put(record("a", "a1", "jsmall"));
    const db = sharedConnectionFor(file)!;
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 1}`);
    await expect(cp.put(record("b", "b1", `j"${"x".repeat(200_000)}"`))).rejects.toThrow(/full/i);
    db.pragma("max_page_count = 1073741823");

    // Thread a either is durable or its run is told it is not: never a quiet success.
    const outcome = await cp.flush("a").then(
      () => "flushed",
      (error) => error.code,
    );
    const reader = new Database(file, { readonly: true });
    const stored = reader.prepare("SELECT id FROM keel_checkpoints WHERE thread = 'a'").all();
    reader.close();
    // (SQLite rolls the whole batch back on SQLITE_FULL, so today this is the CHECKPOINT_LOST branch.)
    if (outcome === "flushed") expect(stored).toEqual([{ id: "a1" }]);
    else {
      expect(outcome).toBe("CHECKPOINT_LOST");
      expect(stored).toEqual([]);
    }
    // The connection keeps working afterwards.
    await cp.put(record("c", "c1", "jok"));
    await cp.flush("c");
    await cp.close();
  });

  it("checkpointers on one file share a connection, and the shortest commit interval wins", async () => {
    const dir = tempDir();
    const file = path.join(dir, "c.db");
    const batching = sqliteCheckpointer({ path: file, commitIntervalMs: 60_000 });
    const eager = sqliteCheckpointer({ path: file, commitIntervalMs: 0 });
    await batching.put(record("t", "t1", "j1"));
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare("SELECT count(*) AS n FROM keel_checkpoints").get()).toEqual({ n: 1 });
    reader.close();
    await eager.close();
    await batching.close();
  });
});
