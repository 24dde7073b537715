/**
 * Spending budgets per API key and per tenant, per UTC day and calendar month. A request reserves
 * its worst-case cost before the model is called and settles to the real cost after; the check and
 * the reservation are one `BEGIN IMMEDIATE` transaction on the shared store, so concurrent requests
 * (in one process or many sharing the file) can never reserve past a limit together. Amounts are
 * integers of nano-USD: no rounding drift however many calls are added up.
 */
import { randomBytes } from "node:crypto";
import type { Statement } from "better-sqlite3";
import { migrate, type SqliteDatabase } from "../db/index.js";
import { KeelError } from "../errors/index.js";

const NANO = 1e9;
export const toNano = (usd: number) => Math.ceil(usd * NANO);
export const fromNano = (nano: number) => nano / NANO;

export type BudgetPeriod = "day" | "month";

/** One limit a request must fit in: e.g. key key_1a2b's daily budget of 5 USD. */
export interface BudgetLimit {
  /** `key:<id>` or `tenant:<name>`. */
  scope: string;
  period: BudgetPeriod;
  limitUsd: number;
}

export interface Reservation {
  id: string;
  amountUsd: number;
  /** The windows it counts against, e.g. [["key:key_1a2b", "2026-12-06"], ...]. */
  windows: Array<[string, string]>;
}

/** A request would take a budget past its limit. */
export class BudgetExceededError extends KeelError {
  readonly scope: string;
  readonly period: BudgetPeriod;
  readonly limitUsd: number;
  readonly remainingUsd: number;
  readonly requestedUsd: number;

  constructor(limit: BudgetLimit, remainingUsd: number, requestedUsd: number) {
    super(
      "BUDGET_EXCEEDED",
      `The ${limit.period === "day" ? "daily" : "monthly"} budget of ${limit.scope.replace(":", " ")} (${limit.limitUsd} USD) ` +
        `has ${remainingUsd.toFixed(6)} USD left; this request may cost up to ${requestedUsd.toFixed(6)} USD. ` +
        "Lower max_tokens, wait for the next period, or raise the budget.",
    );
    this.scope = limit.scope;
    this.period = limit.period;
    this.limitUsd = limit.limitUsd;
    this.remainingUsd = remainingUsd;
    this.requestedUsd = requestedUsd;
  }
}

export function windowOf(period: BudgetPeriod, at: number): string {
  const iso = new Date(at).toISOString();
  return period === "day" ? iso.slice(0, 10) : iso.slice(0, 7);
}

export class BudgetStore {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #usage: Statement;
  readonly #reserve: Statement;
  readonly #settle: Statement;
  readonly #insertReservation: Statement;
  readonly #takeReservation: Statement;
  readonly #expired: Statement;

  constructor(db: SqliteDatabase, options: { now?: () => number; reservationTtlMs?: number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.reservationTtlMs ?? 15 * 60_000;
    migrate(db, "server-budgets", [
      {
        id: 1,
        name: "budgets",
        sql: `CREATE TABLE keel_budget_usage (
            scope TEXT NOT NULL, window TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (scope, window)) WITHOUT ROWID;
          CREATE TABLE keel_budget_reservations (
            id TEXT PRIMARY KEY, windows TEXT NOT NULL, amount INTEGER NOT NULL, expires_at INTEGER NOT NULL);
          CREATE INDEX keel_budget_reservations_expiry ON keel_budget_reservations (expires_at);`,
      },
    ]);
    this.#usage = db.prepare("SELECT spent, reserved FROM keel_budget_usage WHERE scope = ? AND window = ?");
    this.#reserve = db.prepare(
      `INSERT INTO keel_budget_usage (scope, window, reserved) VALUES (?, ?, ?)
       ON CONFLICT (scope, window) DO UPDATE SET reserved = reserved + excluded.reserved`,
    );
    this.#settle = db.prepare(
      `INSERT INTO keel_budget_usage (scope, window, spent, reserved) VALUES (?, ?, ?, 0)
       ON CONFLICT (scope, window) DO UPDATE SET spent = spent + excluded.spent, reserved = max(0, reserved - ?)`,
    );
    this.#insertReservation = db.prepare(
      "INSERT INTO keel_budget_reservations (id, windows, amount, expires_at) VALUES (?, ?, ?, ?)",
    );
    this.#takeReservation = db.prepare(
      "DELETE FROM keel_budget_reservations WHERE id = ? RETURNING windows, amount",
    );
    this.#expired = db.prepare(
      `DELETE FROM keel_budget_reservations
       WHERE id IN (SELECT id FROM keel_budget_reservations WHERE expires_at < ? LIMIT 100) RETURNING windows, amount`,
    );
  }

  /**
   * Reserves `amountUsd` against every limit, or none of them: throws `BudgetExceededError` for the
   * first limit it would pass. Reservations a crashed process never settled expire after the TTL.
   */
  reserve(limits: readonly BudgetLimit[], amountUsd: number): Reservation {
    const now = this.#now();
    const amount = toNano(amountUsd);
    const windows: Array<[string, string]> = limits.map((l) => [l.scope, windowOf(l.period, now)]);
    const id = randomBytes(9).toString("base64url");
    this.#db
      .transaction(() => {
        this.#release(this.#expired.all(now) as Array<{ windows: string; amount: number }>);
        limits.forEach((limit, i) => {
          const [scope, window] = windows[i] as [string, string];
          const used = this.#usage.get(scope, window) as { spent: number; reserved: number } | undefined;
          const taken = (used?.spent ?? 0) + (used?.reserved ?? 0);
          const cap = toNano(limit.limitUsd);
          if (taken + amount > cap)
            throw new BudgetExceededError(limit, fromNano(Math.max(0, cap - taken)), amountUsd);
        });
        for (const [scope, window] of windows) this.#reserve.run(scope, window, amount);
        this.#insertReservation.run(id, JSON.stringify(windows), amount, now + this.#ttlMs);
      })
      .immediate();
    return { id, amountUsd, windows };
  }

  /** Replaces a reservation by what the request really cost (0 when it failed before any output). */
  settle(reservation: Reservation, costUsd: number): void {
    const cost = toNano(costUsd);
    this.#db
      .transaction(() => {
        const held = this.#takeReservation.get(reservation.id) as { amount: number } | undefined;
        // An expired reservation was released already: only the spending is added.
        const release = held?.amount ?? 0;
        for (const [scope, window] of reservation.windows) this.#settle.run(scope, window, cost, release);
      })
      .immediate();
  }

  /** Spent and reserved USD of a scope in the window holding `at` (default now). */
  usage(scope: string, period: BudgetPeriod, at = this.#now()): { spentUsd: number; reservedUsd: number } {
    const used = this.#usage.get(scope, windowOf(period, at)) as
      | { spent: number; reserved: number }
      | undefined;
    return { spentUsd: fromNano(used?.spent ?? 0), reservedUsd: fromNano(used?.reserved ?? 0) };
  }

  /** The least USD left under any of `limits` now (Infinity with none). */
  remaining(limits: readonly BudgetLimit[]): number {
    const now = this.#now();
    let least = Number.POSITIVE_INFINITY;
    for (const limit of limits) {
      const used = this.#usage.get(limit.scope, windowOf(limit.period, now)) as
        | { spent: number; reserved: number }
        | undefined;
      least = Math.min(
        least,
        fromNano(Math.max(0, toNano(limit.limitUsd) - (used?.spent ?? 0) - (used?.reserved ?? 0))),
      );
    }
    return least;
  }

  #release(rows: Array<{ windows: string; amount: number }>): void {
    for (const row of rows) {
      for (const [scope, window] of JSON.parse(row.windows) as Array<[string, string]>)
        this.#settle.run(scope, window, 0, row.amount);
    }
  }
}
