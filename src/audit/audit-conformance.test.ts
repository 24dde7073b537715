import fs from "node:fs";
import path from "node:path";
import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { openPostgres, type PostgresDatabase } from "../db/postgres.js";
import { type AuditTamper, auditConformance } from "../testkit/audit-conformance.js";
import { usePostgresSchemas } from "../testkit/postgres.js";
import { useTempDirs } from "../testkit/temp-dirs.js";
import { AuditLog } from "./log.js";
import { openPostgresAuditLog } from "./postgres-log.js";
import { verifyPostgresAuditLog } from "./postgres-verify.js";
import { verifyAuditLog } from "./verify.js";

const tempDir = useTempDirs("keel-audit-conformance-");
const schema = usePostgresSchemas();

/** Writes to the SQLite file on a connection of its own, as an attacker with file access would. */
function sqliteTamper(file: string): AuditTamper {
  const run = async (fn: (db: SqliteDatabase) => void) => {
    const db = openSqlite(file);
    try {
      fn(db);
    } finally {
      db.close();
    }
  };
  return {
    modify: (tenant, seq, edit) =>
      run((db) => {
        const envelope = db
          .prepare("SELECT envelope FROM audit_events WHERE tenant = ? AND seq = ?")
          .pluck()
          .get(tenant, seq) as Buffer;
        db.prepare("UPDATE audit_events SET envelope = ? WHERE tenant = ? AND seq = ?").run(
          Buffer.from(edit(envelope.toString("utf8"))),
          tenant,
          seq,
        );
      }),
    remove: (tenant, seqs) =>
      run((db) => {
        for (const seq of seqs)
          db.prepare("DELETE FROM audit_events WHERE tenant = ? AND seq = ?").run(tenant, seq);
      }),
    swap: (tenant, a, b) =>
      run((db) => {
        const row = db.prepare("SELECT envelope, leaf FROM audit_events WHERE tenant = ? AND seq = ?");
        const put = db.prepare("UPDATE audit_events SET envelope = ?, leaf = ? WHERE tenant = ? AND seq = ?");
        const [first, second] = [a, b].map(
          (seq) => row.get(tenant, seq) as { envelope: Buffer; leaf: Buffer },
        );
        put.run(second?.envelope, second?.leaf, tenant, a);
        put.run(first?.envelope, first?.leaf, tenant, b);
      }),
    truncate: (tenant, from) =>
      run((db) => {
        db.prepare("DELETE FROM audit_checkpoints WHERE tenant = ?").run(tenant);
        db.prepare("DELETE FROM audit_events WHERE tenant = ? AND seq >= ?").run(tenant, from);
        db.prepare("DELETE FROM audit_nodes WHERE tenant = ? AND (idx + 1) * (1 << level) > ?").run(
          tenant,
          from,
        );
      }),
  };
}

auditConformance("sqlite", async (options) => {
  const file = path.join(tempDir(), "audit.db");
  const logs: AuditLog[] = [];
  const open = () => {
    const log = new AuditLog({ db: file, ...options });
    logs.push(log);
    return log;
  };
  const log = open();
  return {
    log,
    another: async () => open(),
    verify: async (verifyOptions) => {
      const db = openSqlite(file, { readonly: true });
      try {
        return await verifyAuditLog(db, verifyOptions);
      } finally {
        db.close();
      }
    },
    tamper: sqliteTamper(file),
    storedKeys: async (tenant, subject) =>
      log.db
        .prepare("SELECT count(*) FROM audit_keys WHERE tenant = ? AND subject = ?")
        .pluck()
        .get(tenant, subject) as number,
    holdsBytes: async (text) => {
      await log.flush();
      return [file, `${file}-wal`].some((f) => fs.existsSync(f) && fs.readFileSync(f).includes(text));
    },
    cleanup: async () => {
      for (const l of logs) await l.close();
    },
  };
});

function postgresTamper(db: PostgresDatabase): AuditTamper {
  return {
    async modify(tenant, seq, edit) {
      const { rows } = await db.query<{ envelope: Buffer }>(
        "SELECT envelope FROM keel_audit_events WHERE tenant = $1 AND seq = $2",
        [tenant, seq],
      );
      const envelope = (rows[0] as { envelope: Buffer }).envelope.toString("utf8");
      await db.query("UPDATE keel_audit_events SET envelope = $3 WHERE tenant = $1 AND seq = $2", [
        tenant,
        seq,
        Buffer.from(edit(envelope)),
      ]);
    },
    async remove(tenant, seqs) {
      await db.query("DELETE FROM keel_audit_events WHERE tenant = $1 AND seq = ANY($2::bigint[])", [
        tenant,
        seqs,
      ]);
    },
    async swap(tenant, a, b) {
      await db.query(
        `UPDATE keel_audit_events e SET envelope = o.envelope, leaf = o.leaf
         FROM keel_audit_events o
         WHERE e.tenant = $1 AND o.tenant = $1 AND e.seq IN ($2, $3) AND o.seq = $2 + $3 - e.seq`,
        [tenant, a, b],
      );
    },
    async truncate(tenant, from) {
      await db.query("DELETE FROM keel_audit_checkpoints WHERE tenant = $1", [tenant]);
      await db.query("DELETE FROM keel_audit_events WHERE tenant = $1 AND seq >= $2", [tenant, from]);
      await db.query(
        "DELETE FROM keel_audit_nodes WHERE tenant = $1 AND (idx + 1) * (2 ^ level)::bigint > $2",
        [tenant, from],
      );
    },
  };
}

auditConformance("postgres", async (options) => {
  const url = await schema();
  const pools: PostgresDatabase[] = [];
  const logs: Array<{ close(): Promise<void> }> = [];
  // Each log on a pool of its own: another server process.
  const open = async () => {
    const db = openPostgres(url);
    pools.push(db);
    const log = await openPostgresAuditLog({ db, ...options });
    logs.push(log);
    return log;
  };
  const log = await open();
  const db = log.db;
  return {
    log,
    another: open,
    verify: (verifyOptions) => verifyPostgresAuditLog(db, verifyOptions),
    tamper: postgresTamper(db),
    storedKeys: async (tenant, subject) => {
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM keel_audit_keys WHERE tenant = $1 AND subject = $2",
        [tenant, subject],
      );
      return Number(rows[0]?.n);
    },
    holdsBytes: async (text) => {
      await log.flush();
      const { rows } = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM keel_audit_events WHERE position($1::bytea IN envelope) > 0",
        [Buffer.from(text)],
      );
      return Number(rows[0]?.n) > 0;
    },
    cleanup: async () => {
      for (const l of logs) await l.close();
      for (const p of pools) await p.close();
    },
  };
});
