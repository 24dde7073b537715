import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Checkpointer, CheckpointRecord, TaskRecord } from "../graph/checkpointer.js";

/** What a backend's test file hands the suite for each test: a fresh, empty store. */
export interface CheckpointerHarness {
  checkpointer: Checkpointer;
  /**
   * A new checkpointer over the same storage, as a restarted process would open it. It must close the
   * instance it replaces first (if still open), so nothing is shared with it in memory.
   */
  reopen?: () => Promise<Checkpointer>;
  /** Removes the storage; called after the last instance is closed. */
  cleanup?: () => Promise<void>;
}

export interface ConformanceOptions {
  /**
   * Whether the backend keeps data across instances (default true; the harness must then give
   * `reopen`). An in-memory backend passes false, and the tests that reopen storage are not declared.
   */
  durable?: boolean;
}

/**
 * Declares the vitest suite every `Checkpointer` must pass. Call it from a backend's test file:
 *
 * @example
 * checkpointerConformance("memory", async () => ({ checkpointer: memoryCheckpointer() }));
 */
export function checkpointerConformance(
  name: string,
  factory: () => Promise<CheckpointerHarness>,
  options: ConformanceOptions = {},
): void {
  describe(`checkpointer conformance: ${name}`, () => {
    let harness: CheckpointerHarness;
    let cp: Checkpointer;
    let closed = false;

    // The latest id per thread namespace, as the engine tracks it: each put names the head it extends.
    let heads = new Map<string, string>();
    async function append(r: CheckpointRecord, target: Checkpointer = cp): Promise<void> {
      const key = `${r.thread}\u0000${r.ns}`;
      await target.put(r, heads.get(key) ?? null);
      heads.set(key, r.id);
    }

    beforeEach(async () => {
      harness = await factory();
      cp = harness.checkpointer;
      closed = false;
      heads = new Map();
    });
    afterEach(async () => {
      if (!closed) await cp.close();
      await harness.cleanup?.();
    });

    async function reopen(): Promise<Checkpointer> {
      if (!harness.reopen) throw new Error("a durable backend's harness must provide reopen()");
      cp = await harness.reopen();
      closed = false;
      return cp;
    }
    async function close(): Promise<void> {
      await cp.close();
      closed = true;
    }

    const test = (title: string, fn: () => Promise<void>) => it(title, fn);
    // Tests that reopen the storage exist only for durable backends.
    const durableTest = (title: string, fn: () => Promise<void>) => {
      if (options.durable !== false) it(title, fn);
    };

    describe("put and chain", () => {
      test("chain without an id returns the chain of the latest checkpoint", async () => {
        const records = [snap("s1"), delta("d1", "s1"), delta("d2", "s1")];
        for (const r of records) await append(r);
        expect(await cp.chain("t1", "")).toStrictEqual(records);
      });

      test("chain with an id returns the chain up to and including that checkpoint", async () => {
        const records = [snap("s1"), delta("d1", "s1"), delta("d2", "s1"), delta("d3", "s1")];
        for (const r of records) await append(r);
        expect(await cp.chain("t1", "", "s1")).toStrictEqual(records.slice(0, 1));
        expect(await cp.chain("t1", "", "d2")).toStrictEqual(records.slice(0, 3));
      });

      test("records come back with every field unchanged, whatever the strings hold", async () => {
        const long = "x😀".repeat(350_000); // ~1 MB of UTF-16, ~1.4 MB of UTF-8
        const records = [
          snap("s1", { data: UNICODE, meta: "", createdAt: 1_700_000_000_123 }),
          delta("d1", "s1", { data: "", meta: UNICODE, step: 7 }),
          delta("d2", "s1", { data: long, meta: long }),
        ];
        for (const r of records) await append(r);
        const chain = await cp.chain("t1", "");
        expect(chain).toStrictEqual(records);
        expect(chain?.[2]?.data === long).toBe(true);
        expect(await cp.list("t1", "")).toStrictEqual(records);
      });
    });

    describe("chains follow the base snapshot", () => {
      test("a new snapshot starts a new chain", async () => {
        const s1 = snap("s1");
        const d1 = delta("d1", "s1");
        const s2 = snap("s2", { parentId: "d1", step: 2 });
        const d2 = delta("d2", "s2", { parentId: "s2", step: 3 });
        for (const r of [s1, d1, s2, d2]) await append(r);
        expect(await cp.chain("t1", "")).toStrictEqual([s2, d2]);
        expect(await cp.chain("t1", "", "s2")).toStrictEqual([s2]);
        expect(await cp.chain("t1", "", "d1")).toStrictEqual([s1, d1]);
      });

      test("a chain leaves out records of another base written between its snapshot and its target", async () => {
        // A fork writes its own snapshot; the original branch may then continue on its old base.
        const s1 = snap("s1");
        const d1 = delta("d1", "s1");
        const fork = snap("fork", { parentId: "d1", step: 1 });
        const forkD = delta("fork-d", "fork", { parentId: "fork", step: 2 });
        const d2 = delta("d2", "s1", { parentId: "d1", step: 2 });
        for (const r of [s1, d1, fork, forkD, d2]) await append(r);
        expect(await cp.chain("t1", "")).toStrictEqual([s1, d1, d2]);
        expect(await cp.chain("t1", "", "fork-d")).toStrictEqual([fork, forkD]);
      });

      test("records written after the target are not part of its chain", async () => {
        const records = [snap("s1"), delta("d1", "s1"), delta("d2", "s1"), snap("s2"), delta("d3", "s2")];
        for (const r of records) await append(r);
        expect(await cp.chain("t1", "", "d1")).toStrictEqual(records.slice(0, 2));
      });
    });

    describe("lookups that find nothing", () => {
      test("chain of an unknown thread, namespace or id is undefined", async () => {
        await append(snap("s1"));
        expect(await cp.chain("nope", "")).toBeUndefined();
        expect(await cp.chain("t1", "sub#0@x")).toBeUndefined();
        expect(await cp.chain("t1", "", "nope")).toBeUndefined();
        expect(await cp.chain("nope", "", "s1")).toBeUndefined();
        expect(await cp.list("nope", "")).toStrictEqual([]);
        expect(await cp.tasks("nope", "", "s1")).toStrictEqual([]);
      });

      test("threads and namespaces are isolated from each other", async () => {
        const root = snap("root");
        const sub = snap("sub", { ns: "sub#0@x" });
        const other = snap("other", { thread: "t2" });
        for (const r of [root, sub, other]) await append(r);
        expect(await cp.chain("t1", "")).toStrictEqual([root]);
        expect(await cp.chain("t1", "sub#0@x")).toStrictEqual([sub]);
        expect(await cp.chain("t2", "")).toStrictEqual([other]);
        // An id is only found in its own thread and namespace.
        expect(await cp.chain("t1", "sub#0@x", "root")).toBeUndefined();
        expect(await cp.chain("t1", "", "sub")).toBeUndefined();
        expect(await cp.chain("t2", "", "root")).toBeUndefined();
        expect(await cp.list("t1", "")).toStrictEqual([root]);
      });

      test("the same id in another thread or namespace is a different checkpoint", async () => {
        // Ids come from a user-supplied generator and need only be unique within a thread namespace.
        const a = snap("1", { data: "root" });
        const b = snap("1", { ns: "sub#0@x", data: "sub" });
        const c = snap("1", { thread: "t2", data: "other thread" });
        for (const r of [a, b, c]) await append(r);
        expect(await cp.chain("t1", "", "1")).toStrictEqual([a]);
        expect(await cp.chain("t1", "sub#0@x", "1")).toStrictEqual([b]);
        expect(await cp.chain("t2", "", "1")).toStrictEqual([c]);
      });
    });

    test("list returns every record of a thread namespace, oldest first", async () => {
      const records = [snap("s1"), delta("d1", "s1"), snap("s2"), delta("d2", "s1"), delta("d3", "s2")];
      await append(snap("elsewhere", { ns: "sub#0@x" }));
      for (const r of records) await append(r);
      await append(snap("other", { thread: "t2" }));
      expect(await cp.list("t1", "")).toStrictEqual(records);
    });

    test("a second first checkpoint for the same thread is refused and the original kept", async () => {
      const original = snap("s1", { data: "original" });
      await append(original);
      await expect(cp.put(snap("s1", { data: "impostor" }))).rejects.toThrow();
      expect(await cp.list("t1", "")).toStrictEqual([original]);
      expect(await cp.chain("t1", "", "s1")).toStrictEqual([original]);
    });

    describe("the head check (two runs on one thread)", () => {
      test("put refuses a record whose expected head is not the latest, with THREAD_CONFLICT, and writes nothing", async () => {
        await append(snap("s1"));
        await append(delta("d1", "s1"));
        const stale = delta("d2", "s1", { parentId: "s1" });
        const error = await cp.put(stale).catch((e) => e);
        expect(error?.code).toBe("THREAD_CONFLICT");
        await expect(cp.put(snap("other"), null)).rejects.toThrow(/moved on/);
        expect((await cp.list("t1", "")).map((r) => r.id)).toStrictEqual(["s1", "d1"]);
      });

      test("the expected head defaults to parentId, and an explicit one wins (a fork's parent is older)", async () => {
        await cp.put(snap("s1"));
        await cp.put(delta("d1", "s1", { parentId: "s1" }));
        await cp.put(snap("fork", { parentId: "s1", step: 1 }), "d1");
        expect((await cp.chain("t1", ""))?.map((r) => r.id)).toStrictEqual(["fork"]);
      });

      test("concurrent writers racing from the same head: exactly one wins", async () => {
        await append(snap("s1"));
        const results = await Promise.allSettled(
          ["a", "b", "c"].map((id) => cp.put(delta(id, "s1", { parentId: "s1" }))),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        expect(await cp.list("t1", "")).toHaveLength(2);
      });
    });

    describe("task records", () => {
      test("round-trip with every field, several kinds and keys side by side", async () => {
        const records = [
          task("writes", "a#0", "", UNICODE),
          task("step", "a#0", "quote", "j1"),
          task("step", "a#0", "charge", "j2"),
          task("interrupt", "b#0", "b#0.0", ""),
          task("resume", "b#0", "b#0.0", "jtrue"),
          task("writes", "b#0", "", "j{}"),
        ];
        for (const r of records) await cp.putTask("t1", "", r);
        expect(sortTasks(await cp.tasks("t1", "", "s1"))).toStrictEqual(sortTasks(records));
      });

      test("a record with the same checkpoint, task, kind and key replaces the earlier one", async () => {
        expect(await cp.putTask("t1", "", task("writes", "a#0", "", "first"))).toBeUndefined();
        await cp.putTask("t1", "", task("resume", "a#0", "a#0.0", "kept"));
        expect(await cp.putTask("t1", "", task("writes", "a#0", "", "second"))).toBeUndefined();
        expect(sortTasks(await cp.tasks("t1", "", "s1"))).toStrictEqual([
          task("resume", "a#0", "a#0.0", "kept"),
          task("writes", "a#0", "", "second"),
        ]);
      });

      test("a durable step's first recorded result wins, and a later writer gets it back", async () => {
        expect(await cp.putTask("t1", "", task("step", "a#0", "quote", "first"))).toBeUndefined();
        await cp.putTask("t1", "", task("step", "a#0", "other", "kept"));
        expect(await cp.putTask("t1", "", task("step", "a#0", "quote", "second"))).toBe("first");
        await cp.flush();
        expect(sortTasks(await cp.tasks("t1", "", "s1"))).toStrictEqual([
          task("step", "a#0", "other", "kept"),
          task("step", "a#0", "quote", "first"),
        ]);
      });

      test("racing writers of one step all get the same, single recorded result", async () => {
        const results = await Promise.all(
          ["w1", "w2", "w3", "w4"].map((w) => cp.putTask("t1", "", task("step", "a#0", "charge", w))),
        );
        await cp.flush();
        const stored = await cp.tasks("t1", "", "s1");
        expect(stored).toHaveLength(1);
        const winner = stored[0]!.data;
        // Exactly one writer saw no earlier record; every other one was handed the winner's data.
        expect(results.filter((r) => r === undefined)).toHaveLength(1);
        expect(results.map((r, i) => r ?? ["w1", "w2", "w3", "w4"][i])).toStrictEqual([
          winner,
          winner,
          winner,
          winner,
        ]);
      });

      test("are scoped to their checkpoint, thread and namespace", async () => {
        const mine = task("writes", "a#0", "", "mine");
        await cp.putTask("t1", "", mine);
        await cp.putTask("t1", "", { ...task("writes", "a#0", "", "next checkpoint"), checkpointId: "s2" });
        await cp.putTask("t1", "sub#0@x", task("writes", "a#0", "", "subgraph"));
        await cp.putTask("t2", "", task("writes", "a#0", "", "other thread"));
        expect(await cp.tasks("t1", "", "s1")).toStrictEqual([mine]);
        expect(await cp.tasks("t1", "", "s3")).toStrictEqual([]);
        expect((await cp.tasks("t1", "sub#0@x", "s1")).map((t) => t.data)).toStrictEqual(["subgraph"]);
        expect((await cp.tasks("t2", "", "s1")).map((t) => t.data)).toStrictEqual(["other thread"]);
      });
    });

    // Only durable backends have storage to reopen.
    if (options.durable !== false)
      describe("durability", () => {
        durableTest("after flush a reopened instance sees every write", async () => {
          const records = [snap("s1"), delta("d1", "s1")];
          for (const r of records) await append(r);
          await cp.putTask("t1", "", task("step", "a#0", "quote", "j1"));
          await cp.flush();
          const again = await reopen();
          expect(await again.chain("t1", "")).toStrictEqual(records);
          expect(await again.tasks("t1", "", "s1")).toStrictEqual([task("step", "a#0", "quote", "j1")]);
        });

        durableTest("close then reopen keeps everything, and new writes continue the history", async () => {
          const records = [snap("s1"), delta("d1", "s1"), snap("sub", { ns: "sub#0@x" })];
          for (const r of records) await append(r);
          await cp.putTask("t1", "", task("writes", "a#0", "", "j{}"));
          await close();
          const again = await reopen();
          expect(await again.list("t1", "")).toStrictEqual(records.slice(0, 2));
          expect(await again.list("t1", "sub#0@x")).toStrictEqual(records.slice(2));
          expect(await again.tasks("t1", "", "s1")).toStrictEqual([task("writes", "a#0", "", "j{}")]);
          const d2 = delta("d2", "s1");
          await append(d2, again);
          expect(await again.chain("t1", "")).toStrictEqual([...records.slice(0, 2), d2]);
        });
      });

    describe("deleteThread", () => {
      test("removes the thread's records and tasks in every namespace and nothing else", async () => {
        const kept = [snap("k1", { thread: "t2" }), delta("k2", "k1", { thread: "t2" })];
        for (const r of [snap("s1"), delta("d1", "s1"), snap("sub", { ns: "sub#0@x" }), ...kept])
          await append(r);
        await cp.putTask("t1", "", task("writes", "a#0", "", "gone"));
        await cp.putTask("t1", "sub#0@x", task("writes", "a#0", "", "gone"));
        await cp.putTask("t2", "", task("writes", "a#0", "", "kept"));

        await cp.deleteThread("t1");
        await cp.deleteThread("never-existed");

        expect(await cp.chain("t1", "")).toBeUndefined();
        expect(await cp.chain("t1", "sub#0@x")).toBeUndefined();
        expect(await cp.list("t1", "")).toStrictEqual([]);
        expect(await cp.tasks("t1", "", "s1")).toStrictEqual([]);
        expect(await cp.tasks("t1", "sub#0@x", "s1")).toStrictEqual([]);
        expect(await cp.list("t2", "")).toStrictEqual(kept);
        expect((await cp.tasks("t2", "", "s1")).map((t) => t.data)).toStrictEqual(["kept"]);
      });

      durableTest("a deleted thread starts afresh, and the deletion survives a reopen", async () => {
        await append(snap("s1", { data: "old" }));
        await append(delta("d1", "s1"));
        await cp.deleteThread("t1");
        heads.delete("t1\u0000");
        const fresh = snap("s1", { data: "new" });
        await append(fresh);
        expect(await cp.list("t1", "")).toStrictEqual([fresh]);
        await cp.flush();
        expect(await (await reopen()).list("t1", "")).toStrictEqual([fresh]);
      });
    });

    test("hundreds of interleaved writes to three threads come back complete and in order", async () => {
      const expected = new Map<string, CheckpointRecord[]>();
      // Three threads run at once, each waiting for its own writes, as concurrent runs do.
      await Promise.all(
        ["a", "b", "c"].map(async (thread) => {
          const written: CheckpointRecord[] = [];
          expected.set(thread, written);
          let base = "";
          for (let step = 0; step < 100; step++) {
            const id = `${thread}-${step}`;
            if (step % 16 === 0) base = id;
            const r = snap(id, {
              thread,
              kind: id === base ? "snapshot" : "delta",
              baseId: base,
              parentId: step === 0 ? null : `${thread}-${step - 1}`,
              step,
              data: `${thread}:${step}`,
            });
            await append(r);
            await cp.putTask(thread, "", task("writes", `n#${step}`, "", `${thread}:${step}`));
            written.push(r);
          }
        }),
      );
      const check = async (store: Checkpointer) => {
        for (const [thread, written] of expected) {
          expect(await store.list(thread, "")).toStrictEqual(written);
          expect(await store.chain(thread, "")).toStrictEqual(written.slice(96));
          expect(await store.chain(thread, "", `${thread}-40`)).toStrictEqual(written.slice(32, 41));
          expect(await store.tasks(thread, "", "s1")).toHaveLength(100);
        }
      };
      await check(cp);
      await cp.flush();
      if (harness.reopen) await check(await reopen());
    });
  });
}

const UNICODE = 'naïve café — 日本語 עברית 😀 👩‍👩‍👧 e\u0301 \u2028\u2029 "quoted" \\ back\nslash\ttab <b>';

function snap(id: string, fields: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return {
    thread: "t1",
    ns: "",
    id,
    parentId: null,
    step: 0,
    kind: "snapshot",
    baseId: id,
    data: `j{"id":"${id}"}`,
    meta: `j{"next":[]}`,
    createdAt: 1_700_000_000_000,
    ...fields,
  };
}

function delta(id: string, baseId: string, fields: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return snap(id, { kind: "delta", baseId, parentId: baseId, step: 1, ...fields });
}

function task(kind: TaskRecord["kind"], taskId: string, key: string, data: string): TaskRecord {
  return { checkpointId: "s1", taskId, kind, key, data };
}

// The contract does not order task records; the engine reads them into maps.
function sortTasks(records: TaskRecord[]): TaskRecord[] {
  const sortKey = (t: TaskRecord) => `${t.taskId}\u0000${t.kind}\u0000${t.key}`;
  return [...records].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}
