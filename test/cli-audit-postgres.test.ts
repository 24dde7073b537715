/**
 * `keel audit checkpoint | verify | prove | erase --db postgres://...`: the audit log of a
 * PostgreSQL store from the command line, tampering included. Spawns the built CLI.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openPostgresAuditLog } from "../src/audit/postgres-log.js";
import { openPostgres } from "../src/db/postgres.js";
import { usePostgresSchemas } from "../src/testkit/postgres.js";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const bin = path.resolve(import.meta.dirname, "..", "dist/cli/main.js");
const schema = usePostgresSchemas();
const tempDir = useTempDirs("keel-audit-pg-");
const keel = (...args: string[]) =>
  spawnSync(process.execPath, [bin, "audit", ...args], { encoding: "utf8" });

describe("keel audit on a PostgreSQL store", () => {
  it("checkpoints, verifies, proves and erases; a modified event is reported with exit 3", async () => {
    const url = await schema();
    const db = openPostgres(url);
    try {
      const log = await openPostgresAuditLog({ db });
      for (let i = 0; i < 40; i++) {
        await log.append({
          type: "tool.call",
          tenant: "acme",
          actor: "key_1",
          data: { name: "lookup", callId: `c${i}`, status: "ok", latencyMs: 3 },
          content: { arguments: `order ${i}` },
          subject: i % 2 ? "user-7" : "user-8",
        });
      }
      await log.close();
      const dir = tempDir();
      const keyFile = path.join(dir, "audit.key");
      const keygen = keel("keygen", "--name", "acme-audit", "--out", keyFile);
      expect(keygen.status).toBe(0);
      const vkey = keygen.stdout.trim();
      const note = path.join(dir, "checkpoint.txt");
      const cp = keel(
        "checkpoint",
        "--db",
        url,
        "--tenant",
        "acme",
        "--key",
        keyFile,
        "--name",
        "acme-audit",
        "--out",
        note,
      );
      expect(cp.status, cp.stderr).toBe(0);
      expect(fs.readFileSync(note, "utf8")).toMatch(/^keel\/audit\/acme\n40\n/);

      const ok = keel("verify", "--db", url, "--vkey", vkey, "--checkpoint", note, "--json");
      expect(ok.status, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        ok: true,
        tenants: [{ tenant: "acme", size: 40, problems: [] }],
      });
      const proof = JSON.parse(
        keel("prove", "--db", url, "--tenant", "acme", "--seq", "7", "--from", "10").stdout,
      );
      expect(proof.inclusion).toMatchObject({ seq: 7, size: 40 });
      expect(proof.consistency).toMatchObject({ from: 10, to: 40 });

      const erased = keel(
        "erase",
        "--db",
        url,
        "--tenant",
        "acme",
        "--subject",
        "user-7",
        "--legal-basis",
        "GDPR Art. 17(1)(a)",
        "--actor",
        "dpo",
        "--json",
      );
      expect(erased.status, erased.stderr).toBe(0);
      expect(JSON.parse(erased.stdout).keys).toBeGreaterThan(0);
      expect(keel("verify", "--db", url, "--vkey", vkey, "--checkpoint", note).status).toBe(0);

      // Someone with database access rewrites an event: the verifier names it.
      await db.query(
        "UPDATE keel_audit_events SET envelope = convert_to(replace(convert_from(envelope, 'UTF8'), '\"latencyMs\":3', '\"latencyMs\":4'), 'UTF8') WHERE tenant = 'acme' AND seq = 12",
      );
      const bad = keel("verify", "--db", url, "--vkey", vkey, "--checkpoint", note, "--json");
      expect(bad.status).toBe(3);
      expect(JSON.parse(bad.stdout).tenants[0].problems).toContainEqual(
        expect.objectContaining({ kind: "modified", seq: 12 }),
      );
      // A URL that cannot work says so, without its password.
      const malformed = keel("verify", "--db", "postgres://u:hunter2@host:5432/", "--vkey", vkey);
      expect(malformed.status).toBe(2);
      expect(malformed.stderr).toMatch(/--db: the URL names no database/);
      expect(malformed.stderr).not.toContain("hunter2");
    } finally {
      await db.close();
    }
  }, 60_000);
});
