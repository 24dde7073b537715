import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CheckpointRecord } from "../graph/checkpointer.js";
import { memoryCheckpointer } from "../graph/memory-checkpointer.js";
import { type SqliteCheckpointerOptions, sqliteCheckpointer } from "../graph/sqlite-checkpointer.js";
import { type CheckpointerHarness, checkpointerConformance } from "./checkpointer-conformance.js";

checkpointerConformance("memory", async () => ({ checkpointer: memoryCheckpointer() }), { durable: false });

checkpointerConformance("sqlite", sqliteHarness({}));
checkpointerConformance("sqlite, commitIntervalMs 0", sqliteHarness({ commitIntervalMs: 0 }));

function sqliteHarness(options: Omit<SqliteCheckpointerOptions, "path">): () => Promise<CheckpointerHarness> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-conformance-"));
    const file = path.join(dir, "checkpoints.db");
    let current = sqliteCheckpointer({ ...options, path: file });
    return {
      checkpointer: current,
      // Connections are shared per file within a process, so the old instance must close first for the
      // new one to open the file afresh, as a restarted process would.
      reopen: async () => {
        await current.close();
        current = sqliteCheckpointer({ ...options, path: file });
        return current;
      },
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  };
}

// Within one process every sqliteCheckpointer on a file shares one connection, which sees its own
// uncommitted writes; only another connection shows what is durable.
describe("sqlite: what another connection sees", () => {
  let dir: string;
  let file: string;
  const open: { close(): unknown }[] = [];

  function setup(commitIntervalMs: number) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keel-sqlite-durability-"));
    file = path.join(dir, "checkpoints.db");
    const cp = sqliteCheckpointer({ path: file, commitIntervalMs });
    const reader = new Database(file, { readonly: true });
    open.push(reader, cp);
    const committed = () =>
      (reader.prepare("SELECT id FROM keel_checkpoints ORDER BY seq").all() as { id: string }[]).map(
        (r) => r.id,
      );
    return { cp, committed };
  }

  afterEach(async () => {
    vi.useRealTimers();
    for (const o of open.splice(0).reverse()) await o.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("flush commits writes that the group commit still holds", async () => {
    const { cp, committed } = setup(60_000);
    await cp.put(record("s1"));
    expect(committed()).toEqual([]);
    await cp.flush();
    expect(committed()).toEqual(["s1"]);
  });

  it("commitIntervalMs 0 commits every write on its own", async () => {
    const { cp, committed } = setup(0);
    await cp.put(record("s1"));
    expect(committed()).toEqual(["s1"]);
  });

  it("without flush, writes are committed once commitIntervalMs has passed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { cp, committed } = setup(1000);
    await cp.put(record("s1"));
    await cp.put(record("s2", "s1"));
    vi.advanceTimersByTime(999);
    expect(committed()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(committed()).toEqual(["s1", "s2"]);
  });
});

function record(id: string, parentId: string | null = null): CheckpointRecord {
  return {
    thread: "t",
    ns: "",
    id,
    parentId,
    step: 0,
    kind: "snapshot",
    baseId: id,
    data: "j{}",
    meta: "j{}",
    createdAt: 0,
  };
}
