import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { generateSigningKey, noteSigner } from "./checkpoint-note.js";
import type { AuditEventInput } from "./events.js";
import { verifyAuditLog, verifyConsistency, verifyInclusion } from "./index.js";
import { AuditLog } from "./log.js";
import { Frontier, leafHash } from "./merkle.js";

const tempDir = useTempDirs("keel-audit-");
const KEY = generateSigningKey("keel-test");
const signer = noteSigner("keel-test", KEY.privateKeyPem);

function toolEvent(
  tenant: string,
  i: number,
  extra: Partial<AuditEventInput<"tool.call">> = {},
): AuditEventInput<"tool.call"> {
  return {
    type: "tool.call",
    tenant,
    actor: "svc-orders",
    runId: `run-${i % 3}`,
    data: { name: "lookup_order", callId: `call-${i}`, status: "ok", latencyMs: i },
    ...extra,
  };
}

async function filledLog(events = 40, options: Partial<ConstructorParameters<typeof AuditLog>[0]> = {}) {
  const file = path.join(tempDir(), "audit.db");
  let clock = Date.UTC(2026, 0, 1);
  const log = new AuditLog({ db: file, signer, now: () => clock++, checkpointEvery: 0, ...options });
  await Promise.all(Array.from({ length: events }, (_, i) => log.append(toolEvent("acme", i))));
  return { log, file };
}

/** Opens the file behind the log's back, as an attacker with file access would. */
function tamper(file: string, sql: string, ...params: unknown[]) {
  const raw = new Database(file);
  raw.prepare(sql).run(...params);
  raw.close();
}

const problemsOf = async (file: string, checkpoint?: string) =>
  (
    await verifyAuditLog(new Database(file, { readonly: true }), { vkey: KEY.vkey, checkpoint })
  ).tenants.flatMap((t) => t.problems);

describe("appending", () => {
  it("commits a burst of appends as one group, in order, durable when the promises resolve", async () => {
    const { log, file } = await filledLog(0);
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => log.append(toolEvent("acme", i))),
    );
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    // A second connection (another process) sees every event as soon as the appends resolved.
    const other = new Database(file, { readonly: true });
    expect(other.prepare("SELECT count(*) FROM audit_events").pluck().get()).toBe(500);
    other.close();
    await log.append(toolEvent("globex", 0));
    expect(log.size("acme")).toBe(500);
    expect(log.size("globex")).toBe(1);
  });

  it("rejects events of unknown type or missing facts, and keeps the others of the batch", async () => {
    const { log } = await filledLog(0);
    const good = log.append(toolEvent("acme", 1));
    await expect(log.append({ ...toolEvent("acme", 2), type: "tool.cal" } as never)).rejects.toMatchObject({
      code: "INVALID_EVENT",
    });
    await expect(
      log.append({ type: "model.call", tenant: "acme", actor: "a", data: { provider: "openai" } as never }),
    ).rejects.toMatchObject({ message: expect.stringContaining("data.requestedModel") });
    await expect(log.append({ ...toolEvent("acme", 3), tenant: "a b" })).rejects.toMatchObject({
      code: "INVALID_EVENT",
    });
    expect(await good).toEqual({ tenant: "acme", seq: 0 });
  });

  it("signs a checkpoint automatically every checkpointEvery events", async () => {
    const { log, file } = await filledLog(0, { checkpointEvery: 10 });
    for (let i = 0; i < 25; i++) await log.append(toolEvent("acme", i));
    expect(log.latestCheckpoint("acme")).toMatch(/^keel\/audit\/acme\n20\n/);
    const report = await verifyAuditLog(new Database(file, { readonly: true }), { vkey: KEY.vkey });
    expect(report.tenants[0]?.checkpoints).toBe(2);
  });

  it("continues a tree another process appended to", async () => {
    const { log, file } = await filledLog(10);
    const second = new AuditLog({ db: file, signer, checkpointEvery: 0 });
    await second.append(toolEvent("acme", 10));
    await log.append(toolEvent("acme", 11));
    await log.checkpoint("acme");
    expect(log.size("acme")).toBe(12);
    expect(await problemsOf(file)).toEqual([]);
  });

  it("keeps one tree when two processes append in turns, many times", async () => {
    const { log, file } = await filledLog(3);
    const second = new AuditLog({ db: file, signer, checkpointEvery: 0 });
    for (let i = 0; i < 40; i++) {
      const writer = i % 3 === 0 ? second : log;
      const { seq } = await writer.append(toolEvent("acme", 100 + i));
      expect(seq).toBe(3 + i);
    }
    await log.checkpoint("acme");
    expect(await problemsOf(file)).toEqual([]);
    await second.close();
  });
});

describe("proofs", () => {
  it("gives inclusion and consistency proofs that verify against the signed roots", async () => {
    const { log } = await filledLog(37);
    const old = log.root("acme", 20);
    for (const seq of [0, 17, 36]) {
      const p = log.inclusionProof("acme", seq);
      const buf = (h: string) => Buffer.from(h, "hex");
      expect(verifyInclusion(buf(p.leaf), p.seq, p.size, p.proof.map(buf), buf(p.root))).toBe(true);
      expect(verifyInclusion(buf(p.leaf), p.seq + 1, p.size, p.proof.map(buf), buf(p.root))).toBe(false);
    }
    const c = log.consistencyProof("acme", 20);
    expect(
      verifyConsistency(
        20,
        37,
        Buffer.from(old, "hex"),
        Buffer.from(log.root("acme"), "hex"),
        c.proof.map((h) => Buffer.from(h, "hex")),
      ),
    ).toBe(true);
    expect(() => log.inclusionProof("acme", 37)).toThrow(/not in a tree of 37/);
    expect(() => log.inclusionProof("nobody", 0)).toThrow(expect.objectContaining({ code: "NOT_FOUND" }));
  });
});

describe("verification catches tampering with the SQLite file", () => {
  it("passes an untouched log, with its signed checkpoints", async () => {
    const { log, file } = await filledLog(40);
    await log.checkpoint("acme");
    const report = await verifyAuditLog(new Database(file, { readonly: true }), { vkey: KEY.vkey });
    expect(report).toMatchObject({
      ok: true,
      events: 40,
      tenants: [{ tenant: "acme", size: 40, checkpoints: 1, problems: [] }],
    });
  });

  it("names a modified event", async () => {
    const { log, file } = await filledLog(40);
    await log.checkpoint("acme");
    tamper(
      file,
      "UPDATE audit_events SET envelope = CAST(replace(CAST(envelope AS TEXT), 'call-7\"', 'call-8\"') AS BLOB) WHERE seq = 7",
    );
    const problems = await problemsOf(file);
    expect(problems).toContainEqual(expect.objectContaining({ kind: "modified", seq: 7 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: "checkpoint-mismatch" }));
  });

  it("hashes the bytes stored, so an edit that decodes to the same text is still caught", async () => {
    const { file } = await filledLog(0);
    const log = new AuditLog({ db: file, checkpointEvery: 0 });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        log.append(
          toolEvent("acme", i, {
            data: { name: "lookup\uFFFDorder", callId: `c${i}`, status: "ok", latencyMs: 1 },
          }),
        ),
      ),
    );
    // U+FFFD is EF BF BD in UTF-8; F0 90 80 is invalid UTF-8 that a decoder also reads as one U+FFFD,
    // and a NUL byte is invisible to C strings.
    tamper(
      file,
      "UPDATE audit_events SET envelope = CAST(replace(envelope, X'EFBFBD', X'F09080') AS BLOB) WHERE seq = 21",
    );
    tamper(
      file,
      "UPDATE audit_events SET envelope = CAST(replace(envelope, '\"ok\"', '\"ok' || char(0) || '\"') AS BLOB) WHERE seq = 34",
    );
    const problems = await problemsOf(file);
    expect(problems.filter((p) => p.kind === "modified").map((p) => p.seq)).toEqual([21, 34]);
  });

  it("names every problem in a log read in many chunks: a modified event and an altered stored node", async () => {
    const { log, file } = await filledLog(10_000);
    await log.checkpoint("acme");
    tamper(
      file,
      "UPDATE audit_events SET envelope = CAST(replace(CAST(envelope AS TEXT), 'call-6001\"', 'call-6002\"') AS BLOB) WHERE seq = 6001",
    );
    tamper(file, "UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 5 AND idx = 100");
    const problems = await problemsOf(file);
    expect(problems).toEqual([
      expect.objectContaining({
        kind: "tree-nodes",
        detail: expect.stringMatching(/^stored tree node 5\/100 was altered/),
      }),
      expect.objectContaining({ kind: "modified", seq: 6001 }),
      expect.objectContaining({ kind: "checkpoint-mismatch" }),
    ]);
  });

  it("catches an event rewritten together with its hash and the tree, by the signed checkpoint", async () => {
    const { log, file } = await filledLog(40);
    await log.checkpoint("acme");
    // A careful attacker rewrites the event, its leaf hash and every stored node of the tree.
    const raw = new Database(file);
    const env = Buffer.from(
      (raw.prepare("SELECT envelope FROM audit_events WHERE seq = 3").pluck().get() as Buffer)
        .toString()
        .replace('"ok"', '"denied"'),
    );
    raw.prepare("UPDATE audit_events SET envelope = ?, leaf = ? WHERE seq = 3").run(env, leafHash(env));
    const frontier = new Frontier();
    for (const leaf of raw.prepare("SELECT leaf FROM audit_events ORDER BY seq").pluck().all() as Buffer[]) {
      for (const n of frontier.append(leaf)) {
        raw
          .prepare("UPDATE audit_nodes SET hash = ? WHERE level = ? AND idx = ?")
          .run(n.hash, n.level, n.index);
      }
    }
    raw.close();
    expect((await problemsOf(file)).map((p) => p.kind)).toEqual(["checkpoint-mismatch"]);
  });

  it("names deleted and reordered events", async () => {
    const { file } = await filledLog(20);
    tamper(file, "DELETE FROM audit_events WHERE seq IN (5, 6)");
    expect(await problemsOf(file)).toContainEqual(
      expect.objectContaining({ kind: "missing", seq: 5, detail: "events 5 to 6 are missing (deleted)" }),
    );

    const other = await filledLog(20);
    tamper(
      other.file,
      "UPDATE audit_events SET envelope = (SELECT envelope FROM audit_events WHERE seq = 12), leaf = (SELECT leaf FROM audit_events WHERE seq = 12) WHERE seq = 11",
    );
    expect(await problemsOf(other.file)).toContainEqual(
      expect.objectContaining({ kind: "reordered", seq: 11 }),
    );
  });

  it("catches truncation and rewriting against a checkpoint exported earlier, even with the stored ones removed", async () => {
    const { log, file } = await filledLog(30);
    const exported = await log.checkpoint("acme");
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(toolEvent("acme", 30 + i))));
    expect(await problemsOf(file, exported)).toEqual([]);
    tamper(file, "DELETE FROM audit_checkpoints");
    tamper(file, "DELETE FROM audit_events WHERE seq >= 25");
    tamper(file, "DELETE FROM audit_nodes WHERE idx * (1 << level) + (1 << level) > 25");
    expect(await problemsOf(file, exported)).toContainEqual(expect.objectContaining({ kind: "truncated" }));
  });

  it("refuses a forged checkpoint, one signed by another key, and another tenant's", async () => {
    const { log, file } = await filledLog(10);
    const note = await log.checkpoint("acme");
    const forged = note.replace(/^(.*\n)10\n/, "$19\n");
    expect(await problemsOf(file, forged)).toContainEqual(
      expect.objectContaining({
        kind: "checkpoint-signature",
        detail: expect.stringContaining("does not match"),
      }),
    );
    const stranger = noteSigner("keel-test", generateSigningKey("keel-test").privateKeyPem);
    const other = new AuditLog({ db: path.join(tempDir(), "other.db"), signer: stranger });
    await other.append(toolEvent("acme", 0));
    expect(await problemsOf(file, await other.checkpoint("acme"))).toContainEqual(
      expect.objectContaining({ kind: "checkpoint-signature" }),
    );
    await log.append(toolEvent("globex", 0));
    const globex = await log.checkpoint("globex");
    const report = await verifyAuditLog(new Database(file, { readonly: true }), {
      vkey: KEY.vkey,
      tenant: "acme",
      checkpoint: globex,
    });
    expect(report.tenants[0]?.problems).toContainEqual(
      expect.objectContaining({ kind: "foreign-checkpoint" }),
    );
  });

  it("says so clearly for an empty log, an unknown tenant and a malformed key", async () => {
    const empty = new Database(path.join(tempDir(), "empty.db"));
    await expect(verifyAuditLog(empty, { vkey: KEY.vkey })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { file } = await filledLog(3);
    await expect(verifyAuditLog(new Database(file), { vkey: KEY.vkey, tenant: "nobody" })).rejects.toThrow(
      /no events for tenant "nobody"/,
    );
    await expect(verifyAuditLog(new Database(file), { vkey: "not-a-key" })).rejects.toMatchObject({
      code: "INVALID_KEY",
    });
  });
});

describe("content: redaction, encryption and erasure", () => {
  const chat = (subject: string, text: string): AuditEventInput<"tool.call"> =>
    toolEvent("acme", 1, { content: { arguments: text }, subject });

  it("stores content encrypted, readable through the log, and logs every read", async () => {
    const { log, file } = await filledLog(0);
    const { seq } = await log.append(chat("user-42", "order of Jane Roe, 12 Elm Street"));
    expect(fs.readFileSync(file).includes("Jane Roe")).toBe(false);
    const event = await log.read("acme", seq, { actor: "auditor" });
    expect(event).toMatchObject({
      content: { arguments: "order of Jane Roe, 12 Elm Street" },
      erased: false,
    });
    const last = await log.read("acme", log.size("acme") - 1, { actor: "auditor" });
    expect(last.envelope).toMatchObject({
      type: "audit.read",
      actor: "auditor",
      data: { what: "event", seq },
    });
  });

  it("erases a subject by destroying its key: content gone, tombstone logged, log still verifies", async () => {
    const { log, file } = await filledLog(5);
    const { seq } = await log.append(chat("user-42", "Jane Roe's address"));
    await log.append(chat("user-7", "someone else"));
    await log.checkpoint("acme");
    const key = new Database(file)
      .prepare("SELECT key FROM audit_keys WHERE subject = 'user-42'")
      .pluck()
      .get() as Buffer;
    expect(await log.erase("acme", "user-42", { actor: "dpo", legalBasis: "GDPR Art. 17(1)(a)" })).toEqual({
      keys: 1,
    });
    expect(await log.read("acme", seq, { actor: "auditor" })).toMatchObject({ content: null, erased: true });
    expect((await log.read("acme", seq + 1, { actor: "auditor" })).content).toEqual({
      arguments: "someone else",
    });
    const tombstone = (await log.read("acme", seq + 2, { actor: "auditor" })).envelope;
    expect(tombstone).toMatchObject({
      type: "audit.erasure",
      data: { keys: 1, legalBasis: "GDPR Art. 17(1)(a)" },
    });
    expect(JSON.stringify(tombstone)).not.toContain("user-42");
    expect(await problemsOf(file)).toEqual([]);
    await log.close();
    expect(fs.readFileSync(file).includes(key)).toBe(false);
  });

  it("refuses to erase an unknown subject, changing nothing", async () => {
    const { log } = await filledLog(3);
    await expect(
      log.erase("acme", "nobody", { actor: "dpo", legalBasis: "GDPR Art. 17" }),
    ).rejects.toMatchObject({ code: "UNKNOWN_SUBJECT" });
    expect(log.size("acme")).toBe(3);
  });

  it("redacts before storing, and drops the content when redaction fails (fail closed)", async () => {
    const { log, file } = await filledLog(0, {
      redact: (t) => {
        if (t.includes("boom")) throw new Error("redactor down");
        return t.replace(/\d{4}-\d{4}/g, "<CARD>");
      },
      redactionVersion: "test@1",
    });
    const a = await log.append(chat("u1", "card 1234-5678"));
    const b = await log.append(chat("u1", "boom 9999-0000"));
    expect((await log.read("acme", a.seq, { actor: "x" })).content).toEqual({ arguments: "card <CARD>" });
    const failed = await log.read("acme", b.seq, { actor: "x" });
    expect(failed).toMatchObject({
      content: null,
      envelope: { contentOmitted: "redaction-failed", redaction: "test@1" },
    });
    await log.close();
    expect(fs.readFileSync(file).includes("9999-0000")).toBe(false);
  });

  it("purges a data class past its retention, never below the minimum", async () => {
    let now = Date.UTC(2026, 0, 1);
    const log = new AuditLog({ db: path.join(tempDir(), "r.db"), now: () => now });
    const old = await log.append(chat("u1", "old text"));
    now = Date.UTC(2026, 11, 1);
    const fresh = await log.append(chat("u1", "new text"));
    await expect(
      log.applyRetention("acme", { dataClass: "default", days: 30, actor: "ops" }),
    ).rejects.toMatchObject({
      message: expect.stringContaining("at least 180"),
    });
    expect(await log.applyRetention("acme", { dataClass: "default", days: 200, actor: "ops" })).toEqual({
      keys: 1,
    });
    expect((await log.read("acme", old.seq, { actor: "x" })).erased).toBe(true);
    expect((await log.read("acme", fresh.seq, { actor: "x" })).content).toEqual({ arguments: "new text" });
  });
});
