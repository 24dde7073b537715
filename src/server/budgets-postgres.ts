/**
 * The budgets of `budgets.ts` on PostgreSQL, for several server processes sharing one database: the
 * same reserve-then-settle semantics in nano-USD integers, with every method async. A reservation
 * locks the usage rows it counts against (`SELECT ... FOR UPDATE`), checks every limit and reserves
 * in one transaction, so concurrent requests from any number of pools never reserve past a limit
 * together.
 */
import { randomBytes } from "node:crypto";
import {
  migratePostgres,
  type PostgresDatabase,
  type Queryable,
  transactionRetried,
} from "../db/postgres.js";
import {
  BudgetExceededError,
  type BudgetLimit,
  type BudgetPeriod,
  fromNano,
  type Reservation,
  toNano,
  windowOf,
} from "./budgets.js";

export interface PostgresBudgetOptions {
  now?: () => number;
  /** How long a reservation a crashed process never settled holds its amount (default 15 min). */
  reservationTtlMs?: number;
}

/** `BudgetStore` on PostgreSQL: the same methods, returning promises. */
export interface PostgresBudgetStore {
  /**
   * Reserves `amountUsd` against every limit, or none of them: rejects with `BudgetExceededError` for
   * the first limit it would pass. Reservations a crashed process never settled expire after the TTL.
   */
  reserve(limits: readonly BudgetLimit[], amountUsd: number): Promise<Reservation>;
  /** Replaces a reservation by what the request really cost (0 when it failed before any output). */
  settle(reservation: Reservation, costUsd: number): Promise<void>;
  /** Spent and reserved USD of a scope in the window holding `at` (default now). */
  usage(scope: string, period: BudgetPeriod, at?: number): Promise<{ spentUsd: number; reservedUsd: number }>;
  /** The least USD left under any of `limits` now (Infinity with none). */
  remaining(limits: readonly BudgetLimit[]): Promise<number>;
}

// `window` is a reserved word in PostgreSQL, hence `window_key`; amounts are BIGINT nano-USD.
const MIGRATIONS = [
  {
    id: 1,
    name: "budgets",
    sql: `CREATE TABLE keel_budget_usage (
        scope TEXT NOT NULL, window_key TEXT NOT NULL,
        spent BIGINT NOT NULL DEFAULT 0, reserved BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, window_key));
      CREATE TABLE keel_budget_reservations (
        id TEXT PRIMARY KEY, windows JSONB NOT NULL, amount BIGINT NOT NULL, expires_at BIGINT NOT NULL);
      CREATE INDEX keel_budget_reservations_expiry ON keel_budget_reservations (expires_at);`,
  },
];

/** Opens the budgets on `db`, creating or upgrading their tables first. */
export async function openPostgresBudgetStore(
  db: PostgresDatabase,
  options: PostgresBudgetOptions = {},
): Promise<PostgresBudgetStore> {
  await migratePostgres(db, "server-budgets", MIGRATIONS);
  const now = options.now ?? Date.now;
  const ttlMs = options.reservationTtlMs ?? 15 * 60_000;

  return {
    async reserve(limits, amountUsd) {
      const at = now();
      const amount = toNano(amountUsd);
      const windows: Array<[string, string]> = limits.map((l) => [l.scope, windowOf(l.period, at)]);
      const id = randomBytes(9).toString("base64url");
      await transactionRetried(db, async (tx) => {
        // SKIP LOCKED: an expired reservation that another transaction is releasing or settling
        // right now is theirs; waiting for it would only serialize unrelated requests.
        const expired = await tx.query<{ windows: Array<[string, string]>; amount: string }>(
          `DELETE FROM keel_budget_reservations WHERE id IN (
             SELECT id FROM keel_budget_reservations WHERE expires_at < $1 LIMIT 100 FOR UPDATE SKIP LOCKED)
           RETURNING windows, amount`,
          [at],
        );
        const rows = await lockUsage(tx, [...windows, ...expired.rows.flatMap((r) => r.windows)]);
        for (const r of expired.rows) {
          for (const w of r.windows) release(rows, w, Number(r.amount));
        }
        limits.forEach((limit, i) => {
          const row = rows.get(keyOf(windows[i] as [string, string])) as UsageRow;
          const taken = row.spent + row.reserved;
          const cap = toNano(limit.limitUsd);
          if (taken + amount > cap)
            throw new BudgetExceededError(limit, fromNano(Math.max(0, cap - taken)), amountUsd);
        });
        for (const w of windows) (rows.get(keyOf(w)) as UsageRow).reserved += amount;
        await writeUsage(tx, rows);
        await tx.query(
          "INSERT INTO keel_budget_reservations (id, windows, amount, expires_at) VALUES ($1, $2, $3, $4)",
          [id, JSON.stringify(windows), amount, at + ttlMs],
        );
      });
      return { id, amountUsd, windows };
    },

    async settle(reservation, costUsd) {
      const cost = toNano(costUsd);
      await transactionRetried(db, async (tx) => {
        const held = await tx.query<{ amount: string }>(
          "DELETE FROM keel_budget_reservations WHERE id = $1 RETURNING amount",
          [reservation.id],
        );
        // An expired reservation was released already: only the spending is added.
        const amount = Number(held.rows[0]?.amount ?? 0);
        const rows = await lockUsage(tx, reservation.windows);
        for (const w of reservation.windows) {
          (rows.get(keyOf(w)) as UsageRow).spent += cost;
          release(rows, w, amount);
        }
        await writeUsage(tx, rows);
      });
    },

    async usage(scope, period, at = now()) {
      const rows = await readUsage(db, [[scope, windowOf(period, at)]]);
      const row = rows.values().next().value;
      return { spentUsd: fromNano(row?.spent ?? 0), reservedUsd: fromNano(row?.reserved ?? 0) };
    },

    async remaining(limits) {
      const at = now();
      const windows: Array<[string, string]> = limits.map((l) => [l.scope, windowOf(l.period, at)]);
      const rows = await readUsage(db, windows);
      let least = Number.POSITIVE_INFINITY;
      limits.forEach((limit, i) => {
        const row = rows.get(keyOf(windows[i] as [string, string]));
        const left = toNano(limit.limitUsd) - (row?.spent ?? 0) - (row?.reserved ?? 0);
        least = Math.min(least, fromNano(Math.max(0, left)));
      });
      return least;
    },
  };
}

interface UsageRow {
  scope: string;
  window: string;
  spent: number;
  reserved: number;
}

const keyOf = ([scope, window]: readonly [string, string]) => `${scope}\u0000${window}`;

function release(rows: Map<string, UsageRow>, window: [string, string], amount: number): void {
  const row = rows.get(keyOf(window)) as UsageRow;
  row.reserved = Math.max(0, row.reserved - amount);
}

/**
 * Creates the usage rows that do not exist yet and locks them all, in one order every transaction
 * shares (sorted by scope, then window), so two requests over the same budgets queue instead of
 * deadlocking. Both statements follow the array order: INSERT ... SELECT inserts rows as its ORDER BY
 * yields them, and FOR UPDATE locks rows after ORDER BY has sorted them.
 */
async function lockUsage(tx: Queryable, windows: ReadonlyArray<[string, string]>) {
  const sorted = [...new Map(windows.map((w) => [keyOf(w), w])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, w]) => w);
  const values = [sorted.map((w) => w[0]), sorted.map((w) => w[1])];
  await tx.query(
    `INSERT INTO keel_budget_usage (scope, window_key)
     SELECT scope, window_key FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(scope, window_key, n)
     ORDER BY n
     ON CONFLICT (scope, window_key) DO NOTHING`,
    values,
  );
  const { rows } = await tx.query<{ scope: string; window_key: string; spent: string; reserved: string }>(
    `SELECT u.scope, u.window_key, u.spent, u.reserved
     FROM keel_budget_usage u
     JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(scope, window_key, n)
       ON u.scope = k.scope AND u.window_key = k.window_key
     ORDER BY k.n
     FOR UPDATE OF u`,
    values,
  );
  return toRows(rows);
}

async function writeUsage(tx: Queryable, rows: Map<string, UsageRow>): Promise<void> {
  const all = [...rows.values()];
  await tx.query(
    `UPDATE keel_budget_usage AS u SET spent = v.spent, reserved = v.reserved
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS v(scope, window_key, spent, reserved)
     WHERE u.scope = v.scope AND u.window_key = v.window_key`,
    [all.map((r) => r.scope), all.map((r) => r.window), all.map((r) => r.spent), all.map((r) => r.reserved)],
  );
}

async function readUsage(db: Queryable, windows: ReadonlyArray<[string, string]>) {
  const { rows } = await db.query<{ scope: string; window_key: string; spent: string; reserved: string }>(
    `SELECT u.scope, u.window_key, u.spent, u.reserved
     FROM keel_budget_usage u JOIN unnest($1::text[], $2::text[]) AS k(scope, window_key)
       ON u.scope = k.scope AND u.window_key = k.window_key`,
    [windows.map((w) => w[0]), windows.map((w) => w[1])],
  );
  return toRows(rows);
}

function toRows(
  rows: Array<{ scope: string; window_key: string; spent: string; reserved: string }>,
): Map<string, UsageRow> {
  // BIGINT arrives as a string; nano-USD stay exact as numbers up to 9 million USD.
  return new Map(
    rows.map((r) => [
      keyOf([r.scope, r.window_key]),
      { scope: r.scope, window: r.window_key, spent: Number(r.spent), reserved: Number(r.reserved) },
    ]),
  );
}
