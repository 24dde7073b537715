/**
 * The audit log of `log.ts` on PostgreSQL, for several server processes appending to one database:
 * the same envelopes, tree, checkpoints, proofs and erasure, every method async.
 *
 * Each tenant's log is serialized by its head row (`keel_audit_heads`: size and the tree's right
 * edge), locked with `SELECT ... FOR UPDATE` inside the append transaction. A process reads the edge
 * it appends to from that row every time, so a tree another process moved is simply continued:
 * there is no cached state to go stale. Events appended in the same tick share one transaction.
 */
import {
  migratePostgres,
  type PostgresDatabase,
  type Queryable,
  transactionRetried,
} from "../db/postgres.js";
import { KeelError } from "../errors/index.js";
import { type Checkpoint, signCheckpoint } from "./checkpoint-note.js";
import { openEnvelope, type StoredEvent } from "./envelope.js";
import { type AuditEventInput, checkEventInput, type Envelope, type EventType } from "./events.js";
import { GroupCommit } from "./group-commit.js";
import type { AppendResult, AuditLogOptions, InclusionProof } from "./log.js";
import {
  checkConsistencyQuery,
  checkInclusionQuery,
  checkLegalBasis,
  checkRetention,
  noEventError,
  noEventsError,
  noRunError,
  noSignerError,
  retentionCutoff,
  unknownSubjectError,
} from "./log-requests.js";
import { consistencyProof, type Hash, inclusionProof, rootHash } from "./merkle.js";
import { appendEvents } from "./postgres-append.js";
import { destroyClassKeys, destroySubjectKeys, keysById } from "./postgres-keys.js";
import { AUDIT_MIGRATIONS } from "./postgres-tables.js";
import { type Head, lockHeads, withTreeNodes } from "./postgres-tree.js";

export interface PostgresAuditLogOptions extends Omit<AuditLogOptions, "db"> {
  /** An open database (it stays open when the log is closed). */
  db: PostgresDatabase;
}

/** `AuditLog` on PostgreSQL: the same methods, returning promises. */
export interface PostgresAuditLog {
  readonly db: PostgresDatabase;
  /** Appends an event; resolves once it is committed, with its position in the tenant's log. */
  append<T extends EventType>(input: AuditEventInput<T>): Promise<AppendResult>;
  /** Commits everything appended so far; throws if an automatic checkpoint failed since the last flush. */
  flush(): Promise<void>;
  /** Commits pending events, then signs and stores a checkpoint of the tenant's tree; returns the note. */
  checkpoint(tenant: string): Promise<string>;
  latestCheckpoint(tenant: string): Promise<string | undefined>;
  origin(tenant: string): string;
  /** Events in a tenant's log (one past the last seq stored). */
  size(tenant: string): Promise<number>;
  tenants(): Promise<string[]>;
  root(tenant: string, size?: number): Promise<string>;
  inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof>;
  consistencyProof(
    tenant: string,
    from: number,
    to?: number,
  ): Promise<{ from: number; to: number; proof: string[] }>;
  /** Reads an event, decrypting its content if its key still exists; the read itself is logged. */
  read(tenant: string, seq: number, reader: { actor: string }): Promise<StoredEvent>;
  runEvents(runId: string, reader: { actor: string; tenant: string }): Promise<StoredEvent[]>;
  erase(
    tenant: string,
    subject: string,
    request: { actor: string; legalBasis: string },
  ): Promise<{ keys: number }>;
  applyRetention(
    tenant: string,
    policy: { dataClass: string; days: number; actor: string },
  ): Promise<{ keys: number }>;
  close(): Promise<void>;
}

/**
 * Opens the audit log on `db`, creating or upgrading its tables first.
 *
 * @example
 * const log = await openPostgresAuditLog({ db: openPostgres(url), signer: noteSigner("acme-audit", pem) });
 */
export async function openPostgresAuditLog(options: PostgresAuditLogOptions): Promise<PostgresAuditLog> {
  await migratePostgres(options.db, "audit", AUDIT_MIGRATIONS);
  return new PgAuditLog(options);
}

const hex = (h: Hash) => h.toString("hex");

class PgAuditLog implements PostgresAuditLog {
  readonly db: PostgresDatabase;
  readonly #options: PostgresAuditLogOptions;
  readonly #now: () => number;
  readonly #commits: GroupCommit<AuditEventInput, AppendResult>;
  #closed = false;

  constructor(options: PostgresAuditLogOptions) {
    this.db = options.db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#commits = new GroupCommit(async (inputs) => {
      const written = await transactionRetried(this.db, (tx) => this.#append(tx, inputs));
      return { results: written.results, after: () => this.#autoCheckpoint(written.heads) };
    }, options.maxBatch);
  }

  append<T extends EventType>(input: AuditEventInput<T>): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new KeelError("AUDIT_CLOSED", "The audit log is closed."));
    try {
      checkEventInput(input);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#commits.add(input);
  }

  flush(): Promise<void> {
    return this.#commits.flush();
  }

  #append(tx: Queryable, inputs: AuditEventInput[]) {
    return appendEvents(tx, inputs, { ...this.#options, now: this.#now });
  }

  /** Appends one event inside the caller's transaction (erasure and retention tombstones). */
  async #writeOne(tx: Queryable, input: AuditEventInput): Promise<AppendResult> {
    const [result] = (await this.#append(tx, [input])).results;
    if (result instanceof KeelError) throw result;
    return result as AppendResult;
  }

  async #autoCheckpoint(heads: Map<string, Head>): Promise<void> {
    const every = this.#options.checkpointEvery ?? 10_000;
    if (!this.#options.signer || every <= 0) return;
    for (const [tenant, head] of heads) {
      if (head.frontier.size - head.checkpointed >= every) await this.#signCheckpoint(tenant, every);
    }
  }

  /**
   * Signs the tenant's current tree under its head lock. `every`: only if that many events are past
   * the last checkpoint (two processes crossing the mark together sign once).
   */
  async #signCheckpoint(tenant: string, every = 0): Promise<string | undefined> {
    const signer = this.#options.signer;
    if (!signer) throw noSignerError();
    return transactionRetried(this.db, async (tx) => {
      const head = (await lockHeads(tx, [tenant])).get(tenant) as Head;
      if (every > 0 && head.frontier.size - head.checkpointed < every) return undefined;
      const checkpoint: Checkpoint = {
        origin: this.origin(tenant),
        size: head.frontier.size,
        root: head.frontier.root(),
      };
      const existing = await tx.query<{ note: string }>(
        "SELECT note FROM keel_audit_checkpoints WHERE tenant = $1 AND size = $2",
        [tenant, checkpoint.size],
      );
      if (existing.rows[0]) return existing.rows[0].note;
      const note = signCheckpoint(checkpoint, signer);
      await tx.query(
        "INSERT INTO keel_audit_checkpoints (tenant, size, root, note, at) VALUES ($1, $2, $3, $4, $5)",
        [tenant, checkpoint.size, checkpoint.root, note, this.#now()],
      );
      await tx.query("UPDATE keel_audit_heads SET checkpointed = $2 WHERE tenant = $1", [
        tenant,
        checkpoint.size,
      ]);
      return note;
    });
  }

  origin(tenant: string): string {
    return this.#options.origin?.(tenant) ?? `keel/audit/${tenant}`;
  }

  async checkpoint(tenant: string): Promise<string> {
    await this.flush();
    await this.#requireTenant(tenant);
    return (await this.#signCheckpoint(tenant)) as string;
  }

  async latestCheckpoint(tenant: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ note: string }>(
      "SELECT note FROM keel_audit_checkpoints WHERE tenant = $1 ORDER BY size DESC LIMIT 1",
      [tenant],
    );
    return rows[0]?.note;
  }

  async size(tenant: string): Promise<number> {
    const { rows } = await this.db.query<{ size: string }>(
      "SELECT coalesce(max(seq) + 1, 0) AS size FROM keel_audit_events WHERE tenant = $1",
      [tenant],
    );
    return Number(rows[0]?.size ?? 0);
  }

  async tenants(): Promise<string[]> {
    const { rows } = await this.db.query<{ tenant: string }>(
      "SELECT tenant FROM keel_audit_heads WHERE size > 0 ORDER BY tenant",
    );
    return rows.map((r) => r.tenant);
  }

  async #requireTenant(tenant: string): Promise<number> {
    const size = await this.size(tenant);
    if (size === 0) throw noEventsError(tenant);
    return size;
  }

  async root(tenant: string, size?: number): Promise<string> {
    const n = size ?? (await this.size(tenant));
    return withTreeNodes(this.db, tenant, (nodes) => hex(rootHash(nodes, n)));
  }

  async inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof> {
    const total = await this.#requireTenant(tenant);
    const n = size ?? total;
    checkInclusionQuery(tenant, seq, n, total);
    return withTreeNodes(this.db, tenant, (nodes) => ({
      tenant,
      seq,
      size: n,
      leaf: hex(nodes(0, seq)),
      root: hex(rootHash(nodes, n)),
      proof: inclusionProof(nodes, seq, n).map(hex),
    }));
  }

  async consistencyProof(
    tenant: string,
    from: number,
    to?: number,
  ): Promise<{ from: number; to: number; proof: string[] }> {
    const total = await this.#requireTenant(tenant);
    const n = to ?? total;
    checkConsistencyQuery(tenant, from, n, total);
    const proof = await withTreeNodes(this.db, tenant, (nodes) => consistencyProof(nodes, from, n).map(hex));
    return { from, to: n, proof };
  }

  async read(tenant: string, seq: number, reader: { actor: string }): Promise<StoredEvent> {
    await this.flush();
    const { rows } = await this.db.query<{ envelope: Buffer }>(
      "SELECT envelope FROM keel_audit_events WHERE tenant = $1 AND seq = $2",
      [tenant, seq],
    );
    if (!rows[0]) throw noEventError(tenant, seq);
    await this.append({ type: "audit.read", tenant, actor: reader.actor, data: { what: "event", seq } });
    return (await this.#open([rows[0].envelope]))[0] as StoredEvent;
  }

  async runEvents(runId: string, reader: { actor: string; tenant: string }): Promise<StoredEvent[]> {
    await this.flush();
    const { rows } = await this.db.query<{ envelope: Buffer }>(
      "SELECT envelope FROM keel_audit_events WHERE run_id = $1 AND tenant = $2 ORDER BY seq",
      [runId, reader.tenant],
    );
    if (rows.length === 0) throw noRunError(reader.tenant, runId);
    await this.append({
      type: "audit.read",
      tenant: reader.tenant,
      actor: reader.actor,
      runId,
      data: { what: "run" },
    });
    return this.#open(rows.map((r) => r.envelope));
  }

  /** Envelopes with their content decrypted where its key still exists (keys read in one query). */
  async #open(stored: Buffer[]): Promise<StoredEvent[]> {
    const envelopes = stored.map((b) => JSON.parse(b.toString("utf8")) as Envelope);
    const keys = await keysById(
      this.db,
      envelopes.flatMap((e) => (e.sealed ? [e.sealed.key] : [])),
    );
    return envelopes.map((e) => openEnvelope(e, e.sealed ? (keys.get(e.sealed.key) ?? null) : null));
  }

  async erase(
    tenant: string,
    subject: string,
    request: { actor: string; legalBasis: string },
  ): Promise<{ keys: number }> {
    checkLegalBasis(request.legalBasis);
    await this.flush();
    const keys = await transactionRetried(this.db, async (tx) => {
      // The head lock first: an append of this tenant cannot make a key of the subject meanwhile.
      await lockHeads(tx, [tenant]);
      const destroyed = await destroySubjectKeys(tx, tenant, subject);
      if (destroyed === 0) throw unknownSubjectError(tenant);
      await this.#writeOne(tx, {
        type: "audit.erasure",
        tenant,
        actor: request.actor,
        data: { keys: destroyed, legalBasis: request.legalBasis },
      });
      return destroyed;
    });
    return { keys };
  }

  async applyRetention(
    tenant: string,
    policy: { dataClass: string; days: number; actor: string },
  ): Promise<{ keys: number }> {
    checkRetention(policy, this.#options.minimumRetentionDays ?? 180);
    await this.flush();
    const cutoff = retentionCutoff(policy.days, this.#now());
    const keys = await transactionRetried(this.db, async (tx) => {
      await lockHeads(tx, [tenant]);
      const destroyed = await destroyClassKeys(tx, tenant, policy.dataClass, cutoff.day);
      await this.#writeOne(tx, {
        type: "audit.retention",
        tenant,
        actor: policy.actor,
        data: { dataClass: policy.dataClass, before: cutoff.date, keys: destroyed },
      });
      return destroyed;
    });
    return { keys };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
  }
}
