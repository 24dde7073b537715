/**
 * A verification thread: scans the ranges of tenants' events it is sent, one at a time, on its own
 * read-only connection, and posts each result (see scan-range.ts). Started by `verifyAuditLog` with
 * `workers` > 1; a `null` message closes it.
 */
import { parentPort } from "node:worker_threads";
import { openSqlite, type SqliteDatabase } from "../db/index.js";
import { type RangeTask, scanRange } from "./scan-range.js";

const port = parentPort;
if (!port) throw new Error("verify-worker runs as a worker thread");
const dbs = new Map<string, SqliteDatabase>();

port.on("message", (task: RangeTask | null) => {
  if (task === null) {
    for (const db of dbs.values()) db.close();
    port.close();
    return;
  }
  try {
    let db = dbs.get(task.file);
    if (!db) {
      db = openSqlite(task.file, { readonly: true });
      dbs.set(task.file, db);
    }
    port.postMessage({
      scan: scanRange(db, task.tenant, task.start, task.end, task.blockLevel, task.wanted),
    });
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
});
