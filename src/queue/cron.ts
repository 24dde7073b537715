/**
 * Schedule patterns, apart from the queue so that checking a configuration does not load `pg`.
 */
import { Cron } from "croner";
import { KeelError } from "../errors/index.js";

/** The first time after `after` that `cron` matches in `timezone`; a bad pattern is INVALID_REQUEST. */
export function nextTick(cron: string, timezone: string, after: Date): Date {
  let next: Date | null;
  try {
    next = new Cron(cron, { paused: true, timezone }).nextRun(after);
  } catch (cause) {
    throw new KeelError(
      "INVALID_REQUEST",
      `Schedule pattern "${cron}" (time zone ${timezone}) is not valid: ${(cause as Error).message}. Use five fields (minute hour day month weekday) or six with seconds first, e.g. "0 9 * * 1-5".`,
      { cause },
    );
  }
  if (!next) throw new KeelError("INVALID_REQUEST", `Schedule pattern "${cron}" never matches again.`);
  return next;
}

/**
 * The latest tick of a schedule at or before `now`, walking from its first missed one: after an
 * outage only that one runs (a thousand missed minutes are not a thousand runs). Far behind, the
 * walk stops after 100,000 ticks and takes the tick it reached.
 */
export function latestTick(cron: string, timezone: string, first: Date, now: Date): Date {
  const pattern = new Cron(cron, { paused: true, timezone });
  let tick = first;
  for (let i = 0; i < 100_000; i++) {
    const next = pattern.nextRun(tick);
    if (!next || next > now) break;
    tick = next;
  }
  return tick;
}
