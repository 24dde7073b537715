/**
 * `keel keys create | list | revoke`: API keys in the store of the configuration (or `KEEL_DB`),
 * without a running server. Creating and revoking are recorded in the audit log as admin actions.
 */
import path from "node:path";
import type { Command } from "commander";
import { KeelError } from "../errors/index.js";
import type { ApiKey, CreatedKey, KeyLimits, Role, ROLES as STORE_ROLES } from "../server/keys.js";
import type { KeysStore } from "../server/stores.js";

/**
 * The roles of server/keys.ts, repeated here so that registering the commands does not load the store
 * (better-sqlite3); the type makes the compiler check the two lists are the same.
 */
const ROLES: typeof STORE_ROLES = ["admin", "app", "auditor"];

export interface OpenedKeyStore {
  keys: KeysStore;
  /** The store, for messages (a PostgreSQL URL without its password). */
  label: string;
  /** Records an admin action in the store's audit log (when it is on). */
  recordAdmin(tenant: string, action: string, target: string): Promise<void>;
  close(): Promise<void>;
}

/** The key store of the configuration's store: a SQLite file, or PostgreSQL (`KEEL_DB=postgres://...`). */
export async function openKeyStore(configFile: string | undefined): Promise<OpenedKeyStore> {
  const [{ loadConfig, parseConfig }, { storeLocationOf }] = await Promise.all([
    import("../server/config.js"),
    import("../server/store-path.js"),
  ]);
  const { config, file } = await loadConfig(configFile);
  const parsed = parseConfig(config);
  const cwd = process.cwd();
  const location = storeLocationOf(parsed, process.env, cwd, file ? path.dirname(file) : cwd);
  const auditOn = parsed.audit?.enabled !== false;
  if (location.kind === "postgres") {
    const [{ openPostgres }, { openPostgresKeyStore }, { openPostgresAuditLog }] = await Promise.all([
      import("../db/postgres.js"),
      import("../server/keys-postgres.js"),
      import("../audit/postgres-log.js"),
    ]);
    const db = openPostgres(location.url);
    try {
      const keys = await openPostgresKeyStore(db);
      return {
        keys,
        label: db.display,
        async recordAdmin(tenant, action, target) {
          if (!auditOn) return;
          const log = await openPostgresAuditLog({ db });
          try {
            await log.append({ type: "admin.action", tenant, actor: "cli", data: { action, target } });
          } finally {
            await log.close();
          }
        },
        close: () => db.close(),
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  const [{ openSqlite }, { KeyStore }] = await Promise.all([
    import("../db/index.js"),
    import("../server/keys.js"),
  ]);
  const db = openSqlite(location.path);
  let open = true;
  const close = async () => {
    if (open) db.close();
    open = false;
  };
  return {
    keys: new KeyStore(db),
    label: location.path,
    async recordAdmin(tenant, action, target) {
      // The audit log gets its own connection, after the key store's work is done.
      await close();
      if (auditOn) await recordAdmin(location.path, tenant, action, target);
    },
    close,
  };
}

function number(value: string | undefined, flag: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0) || (integer && !Number.isInteger(n))) {
    throw new KeelError(
      "INVALID_OPTION",
      `${flag} must be a ${integer ? "whole number" : "number"} of at least 0, got "${value}".`,
    );
  }
  return n;
}

const describeLimits = (l: KeyLimits) =>
  [
    l.dailyUsd !== undefined ? `${l.dailyUsd} USD/day` : "",
    l.monthlyUsd !== undefined ? `${l.monthlyUsd} USD/month` : "",
    l.requestsPerMinute !== undefined ? `${l.requestsPerMinute} req/min` : "",
    l.tokensPerMinute !== undefined ? `${l.tokensPerMinute} tok/min` : "",
  ]
    .filter(Boolean)
    .join(", ") || "-";

async function recordAdmin(storePath: string, tenant: string, action: string, target: string) {
  const { openAuditLog } = await import("../audit/index.js");
  const log = openAuditLog({ db: storePath });
  try {
    await log.append({ type: "admin.action", tenant, actor: "cli", data: { action, target } });
  } finally {
    await log.close();
  }
}

export function addKeysCommands(program: Command): void {
  const keys = program.command("keys").description("create, list and revoke the API keys of a Keel store");

  keys
    .command("create")
    .description("create an API key; its secret is printed once and stored only as a hash")
    .requiredOption("--tenant <name>", "the tenant the key belongs to")
    .option("--role <role>", `one of ${ROLES.join(", ")}`, "app")
    .option("--name <text>", "a label for the key")
    .option("--budget-usd <n>", "monthly budget in USD (same as --monthly-usd)")
    .option("--monthly-usd <n>", "monthly budget in USD")
    .option("--daily-usd <n>", "daily budget in USD (UTC days)")
    .option("--rpm <n>", "requests per minute")
    .option("--tpm <n>", "tokens per minute")
    .option("--guard <name>", "guard settings from the configuration's `guards` (default: default)")
    .option(
      "--config <file>",
      "keel.config.ts (default: ./keel.config.*; the store is its store.path, KEEL_DB or ./keel.db)",
    )
    .option("--json", "print {id, key, tenant, role} as JSON")
    .addHelpText(
      "after",
      `
Examples:
  keel keys create --tenant acme                        an app key for tenant acme
  keel keys create --tenant acme --role admin --json    an admin key, as JSON for scripts
  keel keys create --tenant acme --budget-usd 50 --rpm 600`,
    )
    .action(async (opts) => {
      if (!ROLES.includes(opts.role as Role)) {
        throw new KeelError(
          "INVALID_OPTION",
          `--role must be one of ${ROLES.join(", ")}; got "${opts.role}".`,
        );
      }
      if (opts.budgetUsd !== undefined && opts.monthlyUsd !== undefined) {
        throw new KeelError(
          "INVALID_OPTION",
          "Give --budget-usd or --monthly-usd, not both (they are the same budget).",
        );
      }
      const limits: KeyLimits = {
        monthlyUsd: number(
          opts.budgetUsd ?? opts.monthlyUsd,
          opts.budgetUsd !== undefined ? "--budget-usd" : "--monthly-usd",
        ),
        dailyUsd: number(opts.dailyUsd, "--daily-usd"),
        requestsPerMinute: number(opts.rpm, "--rpm", true),
        tokensPerMinute: number(opts.tpm, "--tpm", true),
      };
      const store = await openKeyStore(opts.config);
      let created: CreatedKey;
      try {
        created = await store.keys.create({
          tenant: opts.tenant,
          role: opts.role as Role,
          name: opts.name,
          guard: opts.guard,
          limits,
        });
        await store.recordAdmin(created.tenant, "key.create", created.id);
      } finally {
        await store.close();
      }
      if (opts.json) {
        console.log(
          JSON.stringify({ id: created.id, key: created.key, tenant: created.tenant, role: created.role }),
        );
        return;
      }
      console.log(
        `Created ${created.role} key ${created.id} for tenant ${created.tenant} (${describeLimits(created.limits)}).`,
      );
      console.log(`\n  ${created.key}\n`);
      console.log(
        "This is the only time the key is shown: store it now. Use it as `Authorization: Bearer <key>`.",
      );
    });

  keys
    .command("list")
    .description("list API keys (ids, tenants, roles and limits; never secrets)")
    .option("--tenant <name>", "only this tenant's keys")
    .option("--all", "include revoked keys")
    .option("--config <file>", "keel.config.ts (default: ./keel.config.*)")
    .option("--json", "print a JSON array")
    .addHelpText("after", "\nExamples:\n  keel keys list\n  keel keys list --tenant acme --all --json")
    .action(async (opts) => {
      const store = await openKeyStore(opts.config);
      let list: ApiKey[];
      try {
        list = await store.keys.list({ tenant: opts.tenant, includeRevoked: opts.all === true });
      } finally {
        await store.close();
      }
      if (opts.json) {
        console.log(JSON.stringify(list));
        return;
      }
      if (list.length === 0) {
        console.log("No keys. Create one with: keel keys create --tenant NAME");
        return;
      }
      const rows = list.map((k) => [
        k.id,
        k.tenant,
        k.role,
        k.name ?? "",
        describeLimits(k.limits),
        new Date(k.createdAt).toISOString().slice(0, 16).replace("T", " "),
        k.revokedAt === null ? "" : "revoked",
      ]);
      const head = ["ID", "TENANT", "ROLE", "NAME", "LIMITS", "CREATED (UTC)", ""];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
      for (const r of [head, ...rows])
        console.log(
          r
            .map((cell, i) => cell.padEnd(widths[i] as number))
            .join("  ")
            .trimEnd(),
        );
    });

  keys
    .command("revoke")
    .description("revoke an API key at once, for every server using the store")
    .argument("<id>", "the key's id (key_…), from keel keys list")
    .option("--config <file>", "keel.config.ts (default: ./keel.config.*)")
    .option("--json", "print the revoked key as JSON")
    .addHelpText("after", "\nExamples:\n  keel keys revoke key_1a2b3c4d5e6f")
    .action(async (id: string, opts) => {
      const store = await openKeyStore(opts.config);
      let revoked: ApiKey;
      try {
        revoked = await store.keys.revoke(id);
        await store.recordAdmin(revoked.tenant, "key.revoke", revoked.id);
      } finally {
        await store.close();
      }
      if (opts.json) console.log(JSON.stringify(revoked));
      else console.log(`Revoked ${revoked.id} (tenant ${revoked.tenant}). Requests with it now get 401.`);
    });
}
