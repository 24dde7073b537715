import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { canonicalJson } from "./canonical-json.js";
import { generateSigningKey, noteSigner } from "./checkpoint-note.js";
import type { AuditEventInput } from "./events.js";
import { verifyAuditLog } from "./index.js";
import { AuditLog } from "./log.js";
import { rootHash } from "./merkle.js";
import { auditReport } from "./report.js";

const tempDir = useTempDirs("keel-audit-review-");
const KEY = generateSigningKey("keel-test");
const signer = noteSigner("keel-test", KEY.privateKeyPem);

function toolEvent(
  tenant: string,
  i: number,
  data: Record<string, unknown> = {},
): AuditEventInput<"tool.call"> {
  return {
    type: "tool.call",
    tenant,
    actor: "svc-orders",
    data: { name: "lookup_order", callId: `call-${i}`, status: "ok", latencyMs: i, ...data },
  };
}

function newLog() {
  const file = path.join(tempDir(), "audit.db");
  let clock = Date.UTC(2026, 0, 1);
  return { file, log: new AuditLog({ db: file, signer, now: () => clock++, checkpointEvery: 0 }) };
}

const verify = (file: string, options: { checkpoint?: string; tenant?: string } = {}) =>
  verifyAuditLog(new Database(file, { readonly: true }), { vkey: KEY.vkey, ...options });

describe("review", () => {
  it("verifies an intact log whose event data has a field named seq", async () => {
    const { file, log } = newLog();
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(toolEvent("acme", i, { seq: 7 }))));
    await log.checkpoint("acme");
    await log.close();
    const report = await verify(file);
    expect(report.tenants.flatMap((t) => t.problems)).toEqual([]);
  });

  it("rejects only the event that cannot be written, not the others committed with it", async () => {
    const { file, log } = newLog();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const results = await Promise.allSettled([
      log.append(toolEvent("acme", 0)),
      log.append(toolEvent("acme", 1, { big: 1n })),
      log.append(toolEvent("acme", 2, { loop: circular })),
      log.append(toolEvent("acme", 3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "INVALID_EVENT" });
    expect(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.seq] : []))).toEqual([0, 1]);
    await log.close();
    expect((await verify(file)).ok).toBe(true);
  });

  it("never stores an envelope that is not JSON (a function in data)", async () => {
    const { file, log } = newLog();
    await expect(log.append(toolEvent("acme", 0, { callback: () => 1 }))).rejects.toMatchObject({
      code: "INVALID_EVENT",
    });
    await log.append({
      type: "model.call",
      tenant: "acme",
      actor: "k",
      data: {
        provider: "p",
        requestedModel: "m",
        resolvedModel: "m",
        parameters: {},
        usage: { inputTokens: 1, outputTokens: 1 },
        cost: { usd: 0.1, priceTable: "t" },
        latencyMs: 1,
        attempts: 1,
      },
    });
    await log.close();
    const report = await auditReport(new Database(file, { readonly: true }), {});
    expect(report.totals.calls).toBe(1);
  });

  it("writes toJSON values (dates) as JSON does, not as empty objects", () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    expect(canonicalJson({ at })).toBe(`{"at":"2026-01-01T00:00:00.000Z"}`);
  });

  it("applies an exported checkpoint to its own tenant only", async () => {
    const { file, log } = newLog();
    await log.append(toolEvent("acme", 0));
    await log.append(toolEvent("globex", 0));
    const note = await log.checkpoint("acme");
    await log.close();
    const report = await verify(file, { checkpoint: note });
    expect(report.tenants.flatMap((t) => t.problems)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("notices an event moved into another tenant's log", async () => {
    const { file, log } = newLog();
    await log.append(toolEvent("acme", 0));
    await log.append(toolEvent("acme", 1));
    await log.append(toolEvent("globex", 0));
    await log.close();
    const raw = new Database(file);
    raw.prepare("UPDATE audit_events SET tenant = 'globex' WHERE tenant = 'acme' AND seq = 1").run();
    raw.close();
    const report = await verify(file, { tenant: "globex" });
    expect(report.ok).toBe(false);
  });
});

describe("review: Merkle sizes past 32 bits", () => {
  it("splits a tree of 2^32 + 1 leaves at 2^32, not as a perfect tree", () => {
    const asked: Array<[number, number]> = [];
    const nodes = (level: number, index: number) => {
      asked.push([level, index]);
      return Buffer.alloc(32, level);
    };
    rootHash(nodes, 2 ** 32 + 1);
    expect(asked).toEqual([
      [32, 0],
      [0, 2 ** 32],
    ]);
  });
});

describe("review: verification reports", () => {
  const tamper = (file: string, sql: string) => {
    const raw = new Database(file);
    raw.prepare(sql).run();
    raw.close();
  };
  const editEvent = (seq: number) =>
    `UPDATE audit_events SET envelope = CAST(replace(CAST(envelope AS TEXT), 'lookup_order', 'lookup_other') AS BLOB) WHERE seq = ${seq}`;

  it("names a modified event once, without calling the intact stored nodes above it altered", async () => {
    const { file, log } = newLog();
    await Promise.all(Array.from({ length: 70 }, (_, i) => log.append(toolEvent("acme", i))));
    await log.close();
    tamper(file, editEvent(3));
    const report = await verify(file);
    expect(report.tenants.flatMap((t) => t.problems.map((p) => p.kind))).toEqual(["modified"]);
  });

  it("reports events deleted in the middle as missing, not as a truncation", async () => {
    const { file, log } = newLog();
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(toolEvent("acme", i))));
    const note = await log.checkpoint("acme");
    await log.close();
    tamper(file, "DELETE FROM audit_events WHERE seq BETWEEN 10 AND 12");
    const report = await verify(file, { checkpoint: note });
    expect(report.tenants[0]?.size).toBe(40);
    expect(report.tenants[0]?.problems.map((p) => p.kind)).toEqual(["missing"]);
  });
});

describe("review: erasure by another process", () => {
  it("never seals new content under a key another process destroyed", async () => {
    const { file, log } = newLog();
    const other = new AuditLog({ db: file, checkpointEvery: 0 });
    const event = (text: string): AuditEventInput<"admin.action"> => ({
      type: "admin.action",
      tenant: "acme",
      actor: "svc",
      data: { action: "update", target: "profile" },
      content: { text },
      subject: "user-42",
    });
    await other.append(event("before"));
    await log.erase("acme", "user-42", { actor: "dpo", legalBasis: "GDPR Art. 17(1)(a)" });
    const after = await other.append(event("after the erasure"));
    const read = await log.read("acme", after.seq, { actor: "dpo" });
    expect(read).toMatchObject({ erased: false, content: { text: "after the erasure" } });
    await other.close();
    await log.close();
  });
});
