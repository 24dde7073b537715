import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { Tool } from "../src/agent/tool.js";
import { audited, noteSigner, openAuditLog } from "../src/audit/index.js";
import { auditedTool } from "../src/audit/replay.js";
import { recordRun } from "../src/audit/run-context.js";
import { openaiCompatible } from "../src/model/index.js";
import { startMockLLM } from "../src/testkit/mock-llm/index.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");
const tempDir = useTempDirs("keel-cli-audit-");

function keel(args: string[]) {
  expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
}

async function setup() {
  const dir = tempDir();
  const keyFile = path.join(dir, "audit.key");
  const keygen = keel(["audit", "keygen", "--name", "acme-audit", "--out", keyFile]);
  expect(keygen.status).toBe(0);
  const vkey = keygen.stdout.trim();
  expect(vkey).toMatch(/^acme-audit\+[0-9a-f]{8}\+/);
  expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  const db = path.join(dir, "audit.db");
  const log = openAuditLog({
    db,
    signer: noteSigner("acme-audit", fs.readFileSync(keyFile, "utf8")),
    checkpointEvery: 0,
  });
  for (let i = 0; i < 25; i++) {
    await log.append({
      type: "tool.call",
      tenant: "acme",
      actor: "svc",
      data: { name: "lookup", callId: `c${i}`, status: "ok", latencyMs: 3 },
      content: { arguments: `order ${i} of Jane Roe` },
      subject: i % 2 ? "user-1" : "user-2",
    });
  }
  await log.close();
  return { dir, db, keyFile, vkey };
}

describe("keel audit", () => {
  it("signs a checkpoint, verifies the log, and exits 3 naming the event someone edited in the file", async () => {
    const { dir, db, keyFile, vkey } = await setup();
    const note = path.join(dir, "cp.txt");
    const cp = keel([
      "audit",
      "checkpoint",
      "--db",
      db,
      "--tenant",
      "acme",
      "--key",
      keyFile,
      "--name",
      "acme-audit",
      "--out",
      note,
    ]);
    expect(cp.status).toBe(0);
    expect(cp.stdout).toMatch(/^keel\/audit\/acme\n25\n[A-Za-z0-9+/=]{44}\n\n\u2014 acme-audit /);

    const ok = keel(["audit", "verify", "--db", db, "--vkey", vkey, "--checkpoint", note, "--json"]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      events: 25,
      tenants: [{ tenant: "acme", size: 25, problems: [] }],
    });

    const raw = new Database(db);
    raw
      .prepare(
        "UPDATE audit_events SET envelope = CAST(replace(CAST(envelope AS TEXT), '\"c9\"', '\"c8\"') AS BLOB) WHERE seq = 9",
      )
      .run();
    raw.close();
    const bad = keel(["audit", "verify", "--db", db, "--vkey", vkey, "--checkpoint", note]);
    expect(bad.status).toBe(3);
    expect(bad.stdout).toMatch(/FAIL acme/);
    expect(bad.stdout).toMatch(/modified at 9/);
    expect(bad.stdout).toMatch(/rewritten/);
  });

  it("proves inclusion, erases a subject with a tombstone, and still verifies", async () => {
    const { db, vkey } = await setup();
    const proof = JSON.parse(
      keel(["audit", "prove", "--db", db, "--tenant", "acme", "--seq", "7", "--from", "10"]).stdout,
    );
    expect(proof.inclusion).toMatchObject({ tenant: "acme", seq: 7, size: 25 });
    expect(proof.consistency).toMatchObject({ from: 10, to: 25 });
    const erase = keel([
      "audit",
      "erase",
      "--db",
      db,
      "--tenant",
      "acme",
      "--subject",
      "user-1",
      "--legal-basis",
      "GDPR Art. 17",
      "--actor",
      "dpo",
      "--json",
    ]);
    expect(erase.status).toBe(0);
    expect(JSON.parse(erase.stdout)).toEqual({ keys: 1 });
    const again = keel([
      "audit",
      "erase",
      "--db",
      db,
      "--tenant",
      "acme",
      "--subject",
      "user-1",
      "--legal-basis",
      "GDPR Art. 17",
      "--actor",
      "dpo",
    ]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/UNKNOWN_SUBJECT/);
    expect(keel(["audit", "verify", "--db", db, "--vkey", vkey]).status).toBe(0);
  });

  it("verifies a large log on several threads with the same result as on one, and names tampering found by a thread", async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, "k");
    const vkey = keel(["audit", "keygen", "--name", "big", "--out", keyFile]).stdout.trim();
    const db = path.join(dir, "big.db");
    const log = openAuditLog({
      db,
      signer: noteSigner("big", fs.readFileSync(keyFile, "utf8")),
      checkpointEvery: 7_000,
    });
    for (let i = 0; i < 40_000; i += 2_000) {
      await Promise.all(
        Array.from({ length: 2_000 }, (_, j) =>
          log.append({
            type: "tool.call",
            tenant: "t",
            actor: "svc",
            data: { name: "f", callId: `c${i + j}`, status: "ok", latencyMs: 1 },
          }),
        ),
      );
    }
    await log.close();
    const one = JSON.parse(
      keel(["audit", "verify", "--db", db, "--vkey", vkey, "--workers", "1", "--json"]).stdout,
    );
    const two = JSON.parse(
      keel(["audit", "verify", "--db", db, "--vkey", vkey, "--workers", "2", "--json"]).stdout,
    );
    expect(one).toMatchObject({ ok: true, events: 40_000, tenants: [{ checkpoints: 5 }] });
    expect(two.tenants).toEqual(one.tenants);
    const raw = new Database(db);
    raw
      .prepare(
        "UPDATE audit_events SET envelope = CAST(replace(CAST(envelope AS TEXT), '\"c31234\"', '\"c0\"') AS BLOB) WHERE seq = 31234",
      )
      .run();
    raw.close();
    const bad = JSON.parse(
      keel(["audit", "verify", "--db", db, "--vkey", vkey, "--workers", "2", "--json"]).stdout,
    );
    expect(bad.ok).toBe(false);
    expect(bad.tenants[0].problems).toContainEqual(expect.objectContaining({ kind: "modified", seq: 31234 }));
    expect(bad.tenants[0].problems).toContainEqual(expect.objectContaining({ kind: "checkpoint-mismatch" }));
  }, 60_000);

  it("gives the same report on one thread and on two when a gap crosses their ranges", async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, "audit.key");
    const vkey = keel(["audit", "keygen", "--name", "gap", "--out", keyFile]).stdout.trim();
    const db = path.join(dir, "gap.db");
    const log = openAuditLog({
      db,
      signer: noteSigner("gap", fs.readFileSync(keyFile, "utf8")),
      checkpointEvery: 0,
    });
    await Promise.all(
      Array.from({ length: 2 ** 14 + 37 }, (_, i) =>
        log.append({
          type: "tool.call",
          tenant: "t",
          actor: "svc",
          data: { name: "f", callId: `c${i}`, status: "ok", latencyMs: 1 },
        }),
      ),
    );
    const checkpoint = path.join(dir, "cp.txt");
    fs.writeFileSync(checkpoint, await log.checkpoint("t"));
    await log.close();
    // With two threads the ranges meet at event 9216; once events are missing, later hashes do not count.
    const raw = new Database(db);
    raw.prepare("DELETE FROM audit_events WHERE seq BETWEEN 9210 AND 9220").run();
    raw
      .prepare(
        "UPDATE audit_events SET envelope = CAST(replace(CAST(envelope AS TEXT), '\"c12000\"', '\"c0\"') AS BLOB) WHERE seq = 12000",
      )
      .run();
    raw.close();
    const verify = (workers: string) =>
      JSON.parse(
        keel([
          "audit",
          "verify",
          "--db",
          db,
          "--vkey",
          vkey,
          "--checkpoint",
          checkpoint,
          "--workers",
          workers,
          "--json",
        ]).stdout,
      );
    const one = verify("1");
    expect(one.tenants).toEqual([
      {
        tenant: "t",
        size: 2 ** 14 + 37,
        root: expect.any(String),
        checkpoints: 1,
        problems: [{ kind: "missing", seq: 9210, detail: "events 9210 to 9220 are missing (deleted)" }],
      },
    ]);
    // The root of a log with holes means nothing (it differs with the ranges); the findings do not.
    const { root: _, ...findings } = one.tenants[0];
    expect(verify("2").tenants).toEqual([{ ...findings, root: expect.any(String) }]);
  }, 60_000);

  it("reports cost and guard analytics as JSON and HTML, and records that the log was read", async () => {
    const { dir, db } = await setup();
    const log = openAuditLog({ db });
    await log.append({
      type: "model.call",
      tenant: "acme",
      actor: "key_1",
      data: {
        provider: "openai",
        requestedModel: "gpt-4o-mini",
        resolvedModel: "gpt-4o-mini",
        parameters: {},
        usage: { inputTokens: 10, outputTokens: 2 },
        cost: { usd: 0.5, priceTable: "2026-11-01" },
        latencyMs: 120,
        attempts: 1,
      },
    });
    await log.close();
    const html = path.join(dir, "report.html");
    const before = openAuditLog({ db }).size("acme");
    const result = keel(["report", "--db", db, "--json", "--html", html, "--actor", "auditor-1"]);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ calls: 1, usd: 0.5 });
    expect(report.costByKey).toEqual([
      { key: "key_1", calls: 1, usd: 0.5, inputTokens: 10, outputTokens: 2 },
    ]);
    expect(fs.readFileSync(html, "utf8")).toContain('id="total-calls">1<');
    const after = openAuditLog({ db });
    expect(after.size("acme")).toBe(before + 1);
    const read = await after.read("acme", before, { actor: "test" });
    expect(read.envelope).toMatchObject({ type: "audit.read", actor: "auditor-1", data: { what: "report" } });
    const text = keel(["report", "--db", db]);
    expect(text.stdout).toMatch(/1 model calls \(0 failed, 0 unpriced\), \$0\.500000/);
    expect(keel(["report", "--db", db, "--from", "yesterday"]).stderr).toMatch(/--from must be a date/);
  });

  it("replays a recorded run from an application module, and exits 3 naming where a changed app diverges", async () => {
    const dir = tempDir();
    const app = path.join(dir, "app.mjs");
    // The application: its model and tools come in through deps, so a replay can serve them.
    fs.writeFileSync(
      app,
      `const lookup = { name: "lookup_order", run: async ({ id }) => ({ id, status: "shipped" }) };
export async function replay(deps, variant) {
  const question = process.env.KEEL_TEST_QUESTION ?? "Where is order 42?";
  const first = await deps.provider.generate({ model: "mock-small", messages: [{ role: "user", content: question }] });
  const order = await deps.tool(lookup).run({ id: 42 }, { callId: "c1" });
  return first.text + " / " + order.status + (variant.model ? " via " + variant.model : "");
}
`,
    );
    const mock = await startMockLLM({ script: [{ text: "Checking." }] });
    const db = path.join(dir, "audit.db");
    const log = openAuditLog({ db });
    const who = { log, tenant: "acme", actor: "svc" };
    const provider = audited(openaiCompatible({ baseURL: mock.url, id: "openai" }), who);
    const { replay } = (await import(app)) as { replay: (deps: unknown, variant: object) => Promise<string> };
    expect(
      await recordRun("run-7", () => replay({ provider, tool: (t: Tool) => auditedTool(t, who) }, {})),
    ).toBe("Checking. / shipped");
    await log.close();
    await mock.close();

    const same = keel(["replay", "run-7", "--db", db, "--tenant", "acme", "--app", app, "--json"]);
    expect(same.status).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({
      status: "identical",
      recordedCalls: 2,
      replayedCalls: 2,
      output: "Checking. / shipped",
    });

    const changed = spawnSync(
      process.execPath,
      [bin, "replay", "run-7", "--db", db, "--tenant", "acme", "--app", app],
      {
        encoding: "utf8",
        env: { ...process.env, KEEL_TEST_QUESTION: "Where is order 43?" },
      },
    );
    expect(changed.status).toBe(3);
    expect(changed.stdout).toMatch(
      /diverged .*first divergence at call 0: recorded model mock-small \(event 0\)/s,
    );

    const other = await startMockLLM({ script: [{ text: "Looking into it." }] });
    // Asynchronously: the mock answering the CLI lives in this process and must keep serving.
    const counterfactual = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          bin,
          "replay",
          "run-7",
          "--db",
          db,
          "--tenant",
          "acme",
          "--app",
          app,
          "--base-url",
          other.url,
          "--model",
          "mock-large",
          "--json",
        ],
        (error, stdout) => (error ? reject(error) : resolve({ stdout })),
      ),
    );
    await other.close();
    expect(JSON.parse(counterfactual.stdout)).toMatchObject({
      status: "counterfactual",
      diffs: [
        { index: 0, model: "mock-large", recorded: "Checking.", replayed: "Looking into it.", changed: true },
      ],
      output: "Looking into it. / shipped via mock-large",
    });
    const unknown = keel(["replay", "run-0", "--db", db, "--tenant", "acme", "--app", app]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no recorded run "run-0"/);
  });

  it("gives clear errors for a missing database, a bad key and a corrupt checkpoint file", async () => {
    const { dir, db, vkey } = await setup();
    const missing = keel(["audit", "verify", "--db", path.join(dir, "nope.db"), "--vkey", vkey]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/No audit database/);
    expect(fs.existsSync(path.join(dir, "nope.db"))).toBe(false);
    const badKey = keel(["audit", "verify", "--db", db, "--vkey", "acme-audit+zz+abc"]);
    expect(badKey.stderr).toMatch(/INVALID_KEY/);
    fs.writeFileSync(path.join(dir, "junk.txt"), "not a checkpoint");
    const junk = keel([
      "audit",
      "verify",
      "--db",
      db,
      "--vkey",
      vkey,
      "--checkpoint",
      path.join(dir, "junk.txt"),
      "--json",
    ]);
    expect(junk.status).toBe(3);
    expect(JSON.parse(junk.stdout).tenants[0].problems[0]).toMatchObject({ kind: "checkpoint-signature" });
    const overwrite = keel(["audit", "keygen", "--name", "x", "--out", path.join(dir, "audit.key")]);
    expect(overwrite.stderr).toMatch(/exists/);
  });
});
