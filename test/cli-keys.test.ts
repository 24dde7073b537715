import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../src/testkit/temp-dirs.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "dist/cli/main.js");
const tempDir = useTempDirs("keel-cli-keys-");

function keel(args: string[], cwd: string) {
  expect(fs.existsSync(bin), "run `npm run build` first: dist/cli/main.js is missing").toBe(true);
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, KEEL_DB: "" },
  });
}

describe("keel keys", () => {
  it("creates a key shown once, lists it without its secret, and revokes it", () => {
    const dir = tempDir();
    const created = keel(
      [
        "keys",
        "create",
        "--tenant",
        "acme",
        "--role",
        "admin",
        "--budget-usd",
        "50",
        "--rpm",
        "600",
        "--json",
      ],
      dir,
    );
    expect(created.status).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(Object.keys(key).sort()).toEqual(["id", "key", "role", "tenant"]);
    expect(key).toMatchObject({
      tenant: "acme",
      role: "admin",
      id: expect.stringMatching(/^key_/),
      key: expect.stringMatching(/^keel_/),
    });
    expect(fs.existsSync(path.join(dir, "keel.db"))).toBe(true);
    // The store holds a hash, never the secret.
    expect(fs.readFileSync(path.join(dir, "keel.db")).includes(key.key)).toBe(false);

    const listed = JSON.parse(keel(["keys", "list", "--json"], dir).stdout);
    expect(listed).toEqual([
      expect.objectContaining({
        id: key.id,
        tenant: "acme",
        role: "admin",
        limits: { monthlyUsd: 50, requestsPerMinute: 600 },
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(key.key);
    const table = keel(["keys", "list"], dir).stdout;
    expect(table).toMatch(new RegExp(`${key.id}\\s+acme\\s+admin`));

    expect(keel(["keys", "revoke", key.id], dir).status).toBe(0);
    expect(JSON.parse(keel(["keys", "list", "--json"], dir).stdout)).toEqual([]);
    const again = keel(["keys", "revoke", key.id], dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/CONFLICT: API key key_\w+ is already revoked/);
  });

  it("refuses bad options with exit 2 and a message that says what to give; --help shows examples", () => {
    const dir = tempDir();
    const role = keel(["keys", "create", "--tenant", "acme", "--role", "root"], dir);
    expect(role.status).toBe(2);
    expect(role.stderr).toMatch(/--role must be one of admin, app, auditor; got "root"/);
    const budget = keel(["keys", "create", "--tenant", "acme", "--budget-usd", "lots"], dir);
    expect(budget.status).toBe(2);
    expect(budget.stderr).toMatch(/--budget-usd must be a number/);
    const tenant = keel(["keys", "create", "--tenant", "no spaces"], dir);
    expect(tenant.status).toBe(2);
    expect(
      fs.existsSync(path.join(dir, "keel.db"))
        ? JSON.parse(keel(["keys", "list", "--json"], dir).stdout)
        : [],
    ).toEqual([]);
    expect(keel(["keys", "revoke", "key_nope"], dir).stderr).toMatch(/NOT_FOUND: No API key "key_nope"/);
    expect(keel(["keys", "create", "--help"], dir).stdout).toMatch(
      /Examples:\n\s+keel keys create --tenant acme/,
    );
  });
});
