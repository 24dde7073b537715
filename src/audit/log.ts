/**
 * The audit log: events appended per tenant to an RFC 6962 Merkle tree over their canonical JSON
 * (RFC 8785), committed in groups so a burst of events costs one transaction, with signed
 * checkpoints, inclusion and consistency proofs, and erasure by destroying content keys.
 */
import type { Statement } from "better-sqlite3";
import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";
import { type Checkpoint, type NoteSigner, signCheckpoint } from "./checkpoint-note.js";
import { ContentKeys } from "./content-keys.js";
import {
  buildEnvelope,
  type EnvelopeContent,
  encodeEnvelope,
  keyScopeOf,
  openEnvelope,
  redactContent,
  redactionLabel,
  type StoredEvent,
  sealContent,
} from "./envelope.js";
import {
  type AuditEventInput,
  checkEventInput,
  type Envelope,
  type EventData,
  type EventType,
} from "./events.js";
import { type Committed, GroupCommit } from "./group-commit.js";
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
import {
  consistencyProof,
  Frontier,
  type Hash,
  inclusionProof,
  leafHash,
  type NodeSource,
  rootHash,
} from "./merkle.js";
import { STORED_LEVEL, storedTreeNodes } from "./stored-tree.js";
import { migrateAudit } from "./tables.js";

export { envelopeJson, type StoredEvent } from "./envelope.js";
export { STORED_LEVEL } from "./stored-tree.js";

export interface AuditLogOptions {
  /** A SQLite file (created if missing) or an open better-sqlite3 database. */
  db: string | SqliteDatabase;
  /** Signs checkpoints (Ed25519). Without it the log still appends and verifies, but cannot checkpoint. */
  signer?: NoteSigner;
  /** The checkpoint origin line of a tenant's log (default `keel/audit/<tenant>`). */
  origin?: (tenant: string) => string;
  /** Clock for event times (default Date.now). */
  now?: () => number;
  /** Redacts content before anything is stored; if it throws, the content is dropped, never kept. */
  redact?: (text: string) => string;
  /** Recorded on every event with the redaction that produced it (default "none" without redact). */
  redactionVersion?: string;
  /** Events of a tenant between automatic signed checkpoints (default 10 000; 0 = only on demand). */
  checkpointEvery?: number;
  /** Most events committed in one transaction (default 5000). */
  maxBatch?: number;
  /** Shortest retention a policy may set, in days (default 180: EU AI Act Article 19's six months). */
  minimumRetentionDays?: number;
}

export interface AppendResult {
  tenant: string;
  seq: number;
}

export interface InclusionProof {
  tenant: string;
  seq: number;
  size: number;
  leaf: string;
  root: string;
  proof: string[];
}

interface TenantState {
  frontier: Frontier;
  checkpointed: number;
}

const hex = (h: Hash) => h.toString("hex");

/** Subtree hashes of a tenant's tree: leaves from the events, small subtrees rehashed, the rest stored. */
export function treeNodes(db: SqliteDatabase, tenant: string): NodeSource {
  const leaf = db.prepare("SELECT leaf FROM audit_events WHERE tenant = ? AND seq = ?").pluck();
  const node = db.prepare("SELECT hash FROM audit_nodes WHERE tenant = ? AND level = ? AND idx = ?").pluck();
  return storedTreeNodes(
    tenant,
    (level, index) =>
      (level === 0 ? leaf.get(tenant, index) : node.get(tenant, level, index)) as Buffer | undefined,
  );
}

export class AuditLog {
  readonly db: SqliteDatabase;
  readonly #options: AuditLogOptions;
  readonly #now: () => number;
  readonly #keys: ContentKeys;
  readonly #tenants = new Map<string, TenantState>();
  readonly #insertEvent: Statement;
  readonly #insertNode: Statement;
  readonly #sizeOf: Statement;
  readonly #dataVersion: Statement;
  /** data_version at this log's last transaction (-1: none yet, or its memory was dropped). */
  #seenVersion = -1;
  readonly #commits: GroupCommit<AuditEventInput, AppendResult>;
  #closed = false;

  constructor(options: AuditLogOptions) {
    this.#options = options;
    this.db = typeof options.db === "string" ? openSqlite(options.db) : options.db;
    // Destroyed keys are overwritten in the file, not left in free pages.
    this.db.pragma("secure_delete = ON");
    migrateAudit(this.db);
    this.#now = options.now ?? Date.now;
    this.#keys = new ContentKeys(this.db);
    this.#insertEvent = this.db.prepare(
      "INSERT INTO audit_events (tenant, seq, leaf, envelope, run_id, type, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertNode = this.db.prepare(
      "INSERT INTO audit_nodes (tenant, level, idx, hash) VALUES (?, ?, ?, ?)",
    );
    this.#dataVersion = this.db.prepare("PRAGMA data_version").pluck();
    this.#sizeOf = this.db
      .prepare("SELECT coalesce(max(seq) + 1, 0) FROM audit_events WHERE tenant = ?")
      .pluck();
    this.#commits = new GroupCommit((inputs) => this.#commit(inputs), options.maxBatch);
  }

  /** Appends an event; resolves once it is committed (durable), with its position in the tenant's log. */
  append<T extends EventType>(input: AuditEventInput<T>): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new KeelError("AUDIT_CLOSED", "The audit log is closed."));
    try {
      checkEventInput(input);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#commits.add(input);
  }

  /** Commits everything appended so far; throws if an automatic checkpoint failed since the last flush. */
  flush(): Promise<void> {
    return this.#commits.flush();
  }

  /** One batch in one `BEGIN IMMEDIATE` transaction. */
  #commit(inputs: AuditEventInput[]): Committed<AppendResult> {
    const checked = new Set<string>();
    try {
      const results = this.db
        .transaction(() => {
          // No other connection committed since this one's last transaction (its own commits do
          // not move data_version): the trees it remembers are the file's, no size to read again.
          const version = this.#dataVersion.get() as number;
          if (version === this.#seenVersion) for (const t of this.#tenants.keys()) checked.add(t);
          this.#seenVersion = version;
          return inputs.map((input) => this.#tryWrite(input, checked));
        })
        .immediate();
      return { results, after: () => this.#autoCheckpoint(new Set(inputs.map((i) => i.tenant))) };
    } catch (error) {
      // The transaction rolled back: what this process remembers of the trees is now ahead of the file.
      this.#tenants.clear();
      this.#seenVersion = -1;
      this.#keys.forget();
      throw error;
    }
  }

  /**
   * A tenant's tree edge. Another process may have appended since this one last wrote, so the file's
   * size is checked once per transaction (`checked` holds the tenants already checked in it).
   */
  #state(tenant: string, checked: Set<string>): TenantState {
    let state = this.#tenants.get(tenant);
    if (state && checked.has(tenant)) return state;
    checked.add(tenant);
    const size = this.size(tenant);
    if (!state || state.frontier.size !== size) {
      // Another process wrote, perhaps an erasure: keys this one cached may be destroyed.
      if (state) this.#keys.forget();
      const checkpointed =
        (this.db.prepare("SELECT max(size) FROM audit_checkpoints WHERE tenant = ?").pluck().get(tenant) as
          | number
          | null) ?? 0;
      state = { frontier: Frontier.load(this.nodes(tenant), size), checkpointed };
      this.#tenants.set(tenant, state);
    }
    return state;
  }

  #content(input: AuditEventInput, seq: number, time: number): EnvelopeContent {
    const redacted = redactContent(input.content, this.#options.redact);
    if (redacted === undefined) return {};
    if (redacted === "redaction-failed") return { contentOmitted: redacted };
    const key = this.#keys.keyFor(keyScopeOf(input, time), time);
    return sealContent(redacted, key, input.tenant, seq);
  }

  /** Writes one event; an event that is not JSON is returned as its error, not thrown, so it alone fails. */
  #tryWrite(input: AuditEventInput, checked: Set<string>): AppendResult | KeelError {
    try {
      return this.#write(input, checked);
    } catch (error) {
      if (error instanceof KeelError && error.code === "INVALID_EVENT") return error;
      throw error;
    }
  }

  /** Writes one event inside the current transaction. */
  #write(input: AuditEventInput, checked: Set<string>): AppendResult {
    const state = this.#state(input.tenant, checked);
    const seq = state.frontier.size;
    const time = this.#now();
    const envelope = buildEnvelope(
      input,
      seq,
      time,
      redactionLabel(this.#options),
      this.#content(input, seq, time),
    );
    // Nothing of the event is written yet if it is not JSON (its tree position stays free).
    const bytes = encodeEnvelope(envelope);
    const leaf = leafHash(bytes);
    this.#insertEvent.run(input.tenant, seq, leaf, bytes, input.runId ?? null, input.type, time);
    for (const node of state.frontier.append(leaf)) {
      if (node.level >= STORED_LEVEL) this.#insertNode.run(input.tenant, node.level, node.index, node.hash);
    }
    return { tenant: input.tenant, seq };
  }

  #autoCheckpoint(tenants: Set<string>): void {
    const every = this.#options.checkpointEvery ?? 10_000;
    if (!this.#options.signer || every <= 0) return;
    for (const tenant of tenants) {
      const state = this.#tenants.get(tenant);
      if (state && state.frontier.size - state.checkpointed >= every) this.#signCheckpoint(tenant);
    }
  }

  #signCheckpoint(tenant: string): string {
    const signer = this.#options.signer;
    if (!signer) throw noSignerError();
    return this.db
      .transaction(() => {
        const state = this.#state(tenant, new Set());
        const checkpoint: Checkpoint = {
          origin: this.origin(tenant),
          size: state.frontier.size,
          root: state.frontier.root(),
        };
        const existing = this.db
          .prepare("SELECT note FROM audit_checkpoints WHERE tenant = ? AND size = ?")
          .pluck()
          .get(tenant, checkpoint.size) as string | undefined;
        if (existing) return existing;
        const note = signCheckpoint(checkpoint, signer);
        this.db
          .prepare("INSERT INTO audit_checkpoints (tenant, size, root, note, at) VALUES (?, ?, ?, ?, ?)")
          .run(tenant, checkpoint.size, checkpoint.root, note, this.#now());
        state.checkpointed = checkpoint.size;
        return note;
      })
      .immediate();
  }

  origin(tenant: string): string {
    return this.#options.origin?.(tenant) ?? `keel/audit/${tenant}`;
  }

  /** Commits pending events, then signs and stores a checkpoint of the tenant's tree; returns the note. */
  async checkpoint(tenant: string): Promise<string> {
    await this.flush();
    this.#requireTenant(tenant);
    return this.#signCheckpoint(tenant);
  }

  /** The latest stored checkpoint note of a tenant, if any. */
  latestCheckpoint(tenant: string): string | undefined {
    return this.db
      .prepare("SELECT note FROM audit_checkpoints WHERE tenant = ? ORDER BY size DESC LIMIT 1")
      .pluck()
      .get(tenant) as string | undefined;
  }

  /** Events in a tenant's log (one past the last seq: a seek on the primary key, not a count). */
  size(tenant: string): number {
    return this.#sizeOf.get(tenant) as number;
  }

  tenants(): string[] {
    return this.db
      .prepare("SELECT DISTINCT tenant FROM audit_events ORDER BY tenant")
      .pluck()
      .all() as string[];
  }

  /** Subtree hashes of a tenant's tree, as the proof functions read them (see `treeNodes`). */
  nodes(tenant: string): NodeSource {
    return treeNodes(this.db, tenant);
  }

  #requireTenant(tenant: string): number {
    const size = this.size(tenant);
    if (size === 0) throw noEventsError(tenant);
    return size;
  }

  root(tenant: string, size = this.size(tenant)): string {
    return hex(rootHash(this.nodes(tenant), size));
  }

  /** Proof that event `seq` is in the tenant's tree of `size` events (default: all of them). */
  inclusionProof(tenant: string, seq: number, size = this.size(tenant)): InclusionProof {
    const total = this.#requireTenant(tenant);
    checkInclusionQuery(tenant, seq, size, total);
    const nodes = this.nodes(tenant);
    return {
      tenant,
      seq,
      size,
      leaf: hex(nodes(0, seq)),
      root: hex(rootHash(nodes, size)),
      proof: inclusionProof(nodes, seq, size).map(hex),
    };
  }

  /** Proof that the tree of `to` events extends the tree of `from` events without changing it. */
  consistencyProof(
    tenant: string,
    from: number,
    to = this.size(tenant),
  ): { from: number; to: number; proof: string[] } {
    const total = this.#requireTenant(tenant);
    checkConsistencyQuery(tenant, from, to, total);
    return { from, to, proof: consistencyProof(this.nodes(tenant), from, to).map(hex) };
  }

  /** Reads an event, decrypting its content if its key still exists; the read itself is logged. */
  async read(tenant: string, seq: number, reader: { actor: string }): Promise<StoredEvent> {
    await this.flush();
    const row = this.db
      .prepare("SELECT envelope FROM audit_events WHERE tenant = ? AND seq = ?")
      .pluck()
      .get(tenant, seq) as Buffer | undefined;
    if (!row) throw noEventError(tenant, seq);
    await this.append({ type: "audit.read", tenant, actor: reader.actor, data: { what: "event", seq } });
    return this.#open(JSON.parse(row.toString("utf8")) as Envelope);
  }

  #open(envelope: Envelope): StoredEvent {
    return openEnvelope(envelope, envelope.sealed ? this.#keys.keyById(envelope.sealed.key) : null);
  }

  /** Events of one run, in order, with their content where it can still be read (for replay). */
  async runEvents(runId: string, reader: { actor: string; tenant: string }): Promise<StoredEvent[]> {
    await this.flush();
    const rows = this.db
      .prepare("SELECT envelope FROM audit_events WHERE run_id = ? AND tenant = ? ORDER BY seq")
      .pluck()
      .all(runId, reader.tenant) as Buffer[];
    if (rows.length === 0) throw noRunError(reader.tenant, runId);
    await this.append({
      type: "audit.read",
      tenant: reader.tenant,
      actor: reader.actor,
      runId,
      data: { what: "run" },
    });
    return rows.map((r) => this.#open(JSON.parse(r.toString("utf8")) as Envelope));
  }

  /**
   * Erases a subject's content (crypto-shredding): destroys its data keys and logs a tombstone that
   * names the legal basis, not the subject. The tree is untouched, so the log still verifies.
   */
  async erase(
    tenant: string,
    subject: string,
    request: { actor: string; legalBasis: string },
  ): Promise<{ keys: number }> {
    checkLegalBasis(request.legalBasis);
    await this.flush();
    const keys = this.db.transaction(() => {
      const destroyed = this.#keys.destroy("tenant = ? AND subject = ?", [tenant, subject]);
      if (destroyed === 0) throw unknownSubjectError(tenant);
      this.#write(
        {
          type: "audit.erasure",
          tenant,
          actor: request.actor,
          data: { keys: destroyed, legalBasis: request.legalBasis },
        },
        new Set(),
      );
      return destroyed;
    });
    let count: number;
    try {
      count = keys.immediate();
    } catch (error) {
      this.#tenants.clear();
      this.#seenVersion = -1;
      this.#keys.forget();
      throw error;
    }
    // Move the WAL's copy of the deleted pages into the file and empty the WAL.
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    return { keys: count };
  }

  /** Destroys the content keys of a data class older than `days` (at least the minimum retention). */
  async applyRetention(
    tenant: string,
    policy: { dataClass: string; days: number; actor: string },
  ): Promise<{ keys: number }> {
    const floor = this.#options.minimumRetentionDays ?? 180;
    checkRetention(policy, floor);
    await this.flush();
    const cutoff = retentionCutoff(policy.days, this.#now());
    const keys = this.db
      .transaction(() => {
        const destroyed = this.#keys.destroy("tenant = ? AND data_class = ? AND day < ?", [
          tenant,
          policy.dataClass,
          cutoff.day,
        ]);
        this.#write(
          {
            type: "audit.retention",
            tenant,
            actor: policy.actor,
            data: {
              dataClass: policy.dataClass,
              before: cutoff.date,
              keys: destroyed,
            },
          } as AuditEventInput<"audit.retention">,
          new Set(),
        );
        return destroyed;
      })
      .immediate();
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    return { keys };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    if (typeof this.#options.db === "string") this.db.close();
  }
}

export function openAuditLog(options: AuditLogOptions): AuditLog {
  return new AuditLog(options);
}

export type { EventData };
