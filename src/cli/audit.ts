/**
 * `keel audit keygen | checkpoint | verify | prove | erase` and `keel report`: the audit log from the command line. The
 * signing key lives in its own file (never in the database); verifiers need only the public vkey.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import type { ReplayDeps } from "../audit/replay.js";
import type { AuditReport, CostRow } from "../audit/report.js";
import { KeelError } from "../errors/index.js";
import type { Provider } from "../model/types.js";

function readText(file: string, what: string): string {
  if (!existsSync(file)) throw new KeelError("NOT_FOUND", `${what} ${file} does not exist.`);
  return readFileSync(file, "utf8");
}

function vkeyFrom(opts: { vkey?: string; vkeyFile?: string }): string {
  if (opts.vkey) return opts.vkey;
  if (opts.vkeyFile) return readText(opts.vkeyFile, "The verifier key file").trim();
  throw new KeelError(
    "INVALID_OPTION",
    "Give the checkpoints' public key: --vkey KEY or --vkey-file FILE (printed by keel audit keygen).",
  );
}

async function existingDb(file: string) {
  if (!existsSync(file)) throw new KeelError("NOT_FOUND", `No audit database at ${file}.`);
  const { openSqlite } = await import("../db/index.js");
  return openSqlite(file);
}

const isPostgres = (db: string) => /^postgres(ql)?:\/\//i.test(db);

/**
 * The audit log at `--db`: a SQLite file, or a PostgreSQL URL (the store of `keel serve` with
 * `KEEL_DB=postgres://...`). Both answer the same calls; the SQLite one at once.
 */
async function openLog(db: string, signer?: Awaited<ReturnType<typeof signerFrom>>) {
  if (isPostgres(db)) {
    const [{ openPostgres, checkPostgresUrl }, { openPostgresAuditLog }] = await Promise.all([
      import("../db/postgres.js"),
      import("../audit/postgres-log.js"),
    ]);
    checkPostgresUrl(db, "--db");
    const pool = openPostgres(db);
    const log = await openPostgresAuditLog({ db: pool, ...(signer ? { signer } : {}) });
    return {
      log,
      close: async () => {
        await log.close();
        await pool.close();
      },
    };
  }
  const { openAuditLog } = await import("../audit/index.js");
  const log = openAuditLog({ db: await existingDb(db), ...(signer ? { signer } : {}) });
  return { log, close: () => log.close() };
}

async function signerFrom(opts: { key: string; name: string }) {
  const { noteSigner } = await import("../audit/index.js");
  return noteSigner(opts.name, readText(opts.key, "The signing key file"));
}

export function addAuditCommands(program: Command): void {
  const cmd = program
    .command("audit")
    .description("verify, prove, checkpoint and erase in the tamper-evident audit log");

  cmd
    .command("keygen")
    .description(
      "make an Ed25519 checkpoint signing key: the private key goes to --out, the public vkey to stdout",
    )
    .requiredOption("--name <name>", "key name written in every signature, e.g. acme-audit")
    .requiredOption("--out <file>", "file for the private key (PEM, mode 0600; refuses to overwrite)")
    .action(async (opts: { name: string; out: string }) => {
      if (existsSync(opts.out))
        throw new KeelError(
          "INVALID_OPTION",
          `${opts.out} exists; choose another file (keys are never overwritten).`,
        );
      const { generateSigningKey } = await import("../audit/index.js");
      const key = generateSigningKey(opts.name);
      writeFileSync(opts.out, key.privateKeyPem, { mode: 0o600, flag: "wx" });
      console.log(key.vkey);
    });

  cmd
    .command("checkpoint")
    .description("sign a checkpoint of a tenant's log now and print it (C2SP signed note)")
    .requiredOption("--db <file>", "audit database: a SQLite file or a postgres:// URL")
    .requiredOption("--tenant <tenant>", "tenant")
    .requiredOption("--key <file>", "private signing key (from keel audit keygen)")
    .requiredOption("--name <name>", "the key's name")
    .option("--out <file>", "also write the note to this file")
    .action(async (opts: { db: string; tenant: string; key: string; name: string; out?: string }) => {
      const { log, close } = await openLog(opts.db, await signerFrom(opts));
      const note = await log.checkpoint(opts.tenant).finally(close);
      if (opts.out) writeFileSync(opts.out, note);
      process.stdout.write(note);
    });

  cmd
    .command("verify")
    .description(
      "recompute every tenant's tree and check it against the signed checkpoints; exit 3 on any problem",
    )
    .requiredOption("--db <file>", "audit database: a SQLite file or a postgres:// URL")
    .option("--vkey <key>", "the checkpoints' public key (name+id+key)")
    .option("--vkey-file <file>", "file holding the public key")
    .option("--checkpoint <file>", "a checkpoint exported earlier: the log must extend it")
    .option("--tenant <tenant>", "only this tenant")
    .option("--workers <n>", "threads that rebuild large trees in parallel (default: the cores, at most 4)")
    .option("--json", "print the report as JSON")
    .action(
      async (opts: {
        db: string;
        vkey?: string;
        vkeyFile?: string;
        checkpoint?: string;
        tenant?: string;
        workers?: string;
        json?: boolean;
      }) => {
        const vkey = vkeyFrom(opts);
        const { parseVerifierKey, verifyAuditLog } = await import("../audit/index.js");
        parseVerifierKey(vkey);
        const checkpoint =
          opts.checkpoint === undefined ? undefined : readText(opts.checkpoint, "The checkpoint file");
        const workers = opts.workers === undefined ? undefined : Number(opts.workers);
        if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
          throw new KeelError(
            "INVALID_OPTION",
            `--workers must be a whole number from 1 to 64, got "${opts.workers}".`,
          );
        }
        let report: Awaited<ReturnType<typeof verifyAuditLog>>;
        if (isPostgres(opts.db)) {
          const [{ openPostgres, checkPostgresUrl }, { verifyPostgresAuditLog }] = await Promise.all([
            import("../db/postgres.js"),
            import("../audit/postgres-verify.js"),
          ]);
          checkPostgresUrl(opts.db, "--db");
          const pool = openPostgres(opts.db);
          try {
            report = await verifyPostgresAuditLog(pool, { vkey, tenant: opts.tenant, checkpoint });
          } finally {
            await pool.close();
          }
        } else {
          report = await verifyAuditLog(await existingDb(opts.db), {
            vkey,
            tenant: opts.tenant,
            checkpoint,
            workers,
          });
        }
        if (opts.json) console.log(JSON.stringify(report));
        else {
          for (const t of report.tenants) {
            console.log(
              `${t.problems.length === 0 ? "ok  " : "FAIL"} ${t.tenant}: ${t.size} events, ${t.checkpoints} checkpoints, root ${t.root}`,
            );
            for (const p of t.problems)
              console.log(`     ${p.kind}${p.seq === undefined ? "" : ` at ${p.seq}`}: ${p.detail}`);
          }
        }
        if (!report.ok) process.exitCode = 3;
      },
    );

  cmd
    .command("prove")
    .description("print the inclusion proof of one event (and a consistency proof with --from)")
    .requiredOption("--db <file>", "audit database: a SQLite file or a postgres:// URL")
    .requiredOption("--tenant <tenant>", "tenant")
    .requiredOption("--seq <n>", "the event's position in the tenant's log")
    .option("--from <size>", "also prove the current tree extends the tree of this size")
    .action(async (opts: { db: string; tenant: string; seq: string; from?: string }) => {
      const { log, close } = await openLog(opts.db);
      try {
        const inclusion = await log.inclusionProof(opts.tenant, Number(opts.seq));
        const consistency =
          opts.from === undefined ? undefined : await log.consistencyProof(opts.tenant, Number(opts.from));
        console.log(JSON.stringify({ inclusion, ...(consistency ? { consistency } : {}) }));
      } finally {
        await close();
      }
    });

  cmd
    .command("erase")
    .description("erase a data subject's content (crypto-shredding); the log records why and still verifies")
    .requiredOption("--db <file>", "audit database: a SQLite file or a postgres:// URL")
    .requiredOption("--tenant <tenant>", "tenant")
    .requiredOption("--subject <id>", "the subject id the content was recorded under")
    .requiredOption("--legal-basis <text>", 'why, e.g. "GDPR Art. 17(1)(a)"')
    .requiredOption("--actor <id>", "who asks for the erasure")
    .option("--json", "print the result as JSON")
    .action(
      async (opts: {
        db: string;
        tenant: string;
        subject: string;
        legalBasis: string;
        actor: string;
        json?: boolean;
      }) => {
        const { log, close } = await openLog(opts.db);
        const result = await log
          .erase(opts.tenant, opts.subject, { actor: opts.actor, legalBasis: opts.legalBasis })
          .finally(close);
        console.log(opts.json ? JSON.stringify(result) : `erased: ${result.keys} content keys destroyed`);
      },
    );
}

function day(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time))
    throw new KeelError("INVALID_OPTION", `${flag} must be a date such as 2026-11-01, got "${value}".`);
  return time;
}

function printCost(title: string, rows: CostRow[]): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(
      `  ${r.key.padEnd(28)} ${String(r.calls).padStart(8)} calls  $${r.usd.toFixed(6).padStart(12)}  ${r.inputTokens} in / ${r.outputTokens} out`,
    );
  }
}

function printReport(r: AuditReport): void {
  const pct = r.cacheHitRate === null ? "-" : `${(r.cacheHitRate * 100).toFixed(1)}%`;
  const ms = (x: number | null) => (x === null ? "-" : `${Math.round(x)} ms`);
  console.log(
    `${r.totals.calls} model calls (${r.totals.failed} failed, ${r.totals.unpriced} unpriced), $${r.totals.usd.toFixed(6)}`,
  );
  console.log(
    `latency p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, p99 ${ms(r.latencyMs.p99)}; cache hit rate ${pct}`,
  );
  printCost("cost by tenant", r.costByTenant);
  printCost("cost by API key", r.costByKey);
  printCost("cost by model", r.costByModel);
  printCost("cost by day", r.costByDay);
  console.log("\nguard verdicts");
  for (const v of r.guardVerdicts)
    console.log(`  ${v.findingType.padEnd(22)} ${v.action.padEnd(8)} ${v.count}`);
}

export function addReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "cost, latency, cache and guard analytics over the audit log (DuckDB), as tables, JSON, HTML or Parquet",
    )
    .requiredOption("--db <file>", "audit database: a SQLite file or a postgres:// URL")
    .option("--tenant <tenant>", "only this tenant")
    .option("--from <date>", "only events from this day (UTC)")
    .option("--to <date>", "only events before this day (UTC)")
    .option("--html <file>", "write a self-contained HTML report with charts")
    .option("--parquet <file>", "write the model calls as Parquet")
    .option("--actor <id>", "who is reading the log (recorded as an audit.read event)", "keel-cli")
    .option("--json", "print the report as JSON")
    .action(
      async (opts: {
        db: string;
        tenant?: string;
        from?: string;
        to?: string;
        html?: string;
        parquet?: string;
        actor: string;
        json?: boolean;
      }) => {
        const db = await existingDb(opts.db);
        const [{ openAuditLog }, { auditReport }, { reportHtml }] = await Promise.all([
          import("../audit/index.js"),
          import("../audit/report.js"),
          import("../audit/report-html.js"),
        ]);
        const report = await auditReport(db, {
          tenant: opts.tenant,
          from: day(opts.from, "--from"),
          to: day(opts.to, "--to"),
          parquet: opts.parquet,
        });
        // Reading the log is itself an audited act.
        const log = openAuditLog({ db });
        for (const tenant of opts.tenant ? [opts.tenant] : log.tenants()) {
          await log.append({ type: "audit.read", tenant, actor: opts.actor, data: { what: "report" } });
        }
        await log.close();
        if (opts.html) writeFileSync(opts.html, reportHtml(report));
        if (opts.json) console.log(JSON.stringify(report));
        else printReport(report);
      },
    );
}

type ReplayApp = (deps: ReplayDeps, variant: { model?: string; prompt?: string }) => Promise<unknown>;

async function loadApp(file: string): Promise<ReplayApp> {
  if (!existsSync(file)) throw new KeelError("NOT_FOUND", `The application module ${file} does not exist.`);
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as { replay?: unknown };
  if (typeof module.replay !== "function") {
    throw new KeelError(
      "INVALID_OPTION",
      `${file} must export replay(deps, variant): the function that runs your application with deps.provider and deps.tool(...).`,
    );
  }
  return module.replay as ReplayApp;
}

export function addReplayCommand(program: Command): void {
  program
    .command("replay")
    .description(
      "re-execute a recorded run with every model and tool result served from the audit log; exit 3 if it diverges",
    )
    .argument("<runId>", "the run to replay")
    .requiredOption("--db <file>", "audit database: a SQLite file or a postgres:// URL")
    .requiredOption("--tenant <tenant>", "tenant")
    .requiredOption("--app <module>", "ES module exporting replay(deps, variant) that runs your application")
    .option("--actor <id>", "who is replaying (recorded as an audit.read event)", "keel-cli")
    .option("--base-url <url>", "counterfactual: send model calls to this OpenAI-compatible API instead")
    .option("--model <name>", "counterfactual: ask this model instead of the recorded one")
    .option("--prompt <file>", "counterfactual: a prompt file handed to the application as variant.prompt")
    .option("--json", "print the report as JSON")
    .action(
      async (
        runId: string,
        opts: {
          db: string;
          tenant: string;
          app: string;
          actor: string;
          baseUrl?: string;
          model?: string;
          prompt?: string;
          json?: boolean;
        },
      ) => {
        const app = await loadApp(opts.app);
        const [{ openAuditLog }, { loadRecording, replayRun }] = await Promise.all([
          import("../audit/index.js"),
          import("../audit/replay.js"),
        ]);
        const log = openAuditLog({ db: await existingDb(opts.db) });
        const recording = await loadRecording(log, { tenant: opts.tenant, runId, actor: opts.actor });
        const variant = {
          ...(opts.model ? { model: opts.model } : {}),
          ...(opts.prompt ? { prompt: readText(opts.prompt, "The prompt file") } : {}),
        };
        let provider: Provider | undefined;
        if (opts.baseUrl || opts.model || opts.prompt) {
          if (!opts.baseUrl)
            throw new KeelError(
              "INVALID_OPTION",
              "A counterfactual replay needs --base-url, the API to ask instead.",
            );
          const { openaiCompatible } = await import("../model/index.js");
          const base = openaiCompatible({ baseURL: opts.baseUrl, apiKey: process.env.OPENAI_API_KEY });
          const model = opts.model;
          provider = model
            ? {
                ...base,
                generate: (r, o) => base.generate({ ...r, model }, o),
                stream: (r, o) => base.stream({ ...r, model }, o),
              }
            : base;
        }
        const report = await replayRun(recording, (deps) => app(deps, variant), { provider });
        await log.close();
        if (opts.json) console.log(JSON.stringify(report));
        else {
          console.log(
            `run ${runId}: ${report.status} (${report.replayedCalls} of ${report.recordedCalls} recorded calls)`,
          );
          const d = report.divergence;
          if (d) {
            console.log(
              `  first divergence at call ${d.index}: recorded ${d.recorded ? `${d.recorded.kind} ${d.recorded.name} (event ${d.recorded.seq})` : "nothing"}, replay asked ${d.replayed ? `${d.replayed.kind} ${d.replayed.name}` : "nothing"}`,
            );
          }
          for (const diff of report.diffs ?? []) {
            console.log(
              `  call ${diff.index} (${diff.model})${diff.changed ? "" : " unchanged"}\n    recorded: ${diff.recorded}\n    replayed: ${diff.replayed}`,
            );
          }
        }
        if (report.status === "diverged") process.exitCode = 3;
      },
    );
}
