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
