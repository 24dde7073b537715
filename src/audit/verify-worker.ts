/**
 * A verification thread: scans one range of a tenant's events on its own read-only connection and
 * posts the result (see scan-range.ts). Started by `verifyAuditLog` with `workers` > 1.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqlite } from "../db/index.js";
import { type RangeTask, scanRange } from "./scan-range.js";

const task = workerData as RangeTask;
const db = openSqlite(task.file, { readonly: true });
try {
  parentPort?.postMessage(scanRange(db, task.tenant, task.start, task.end, task.blockLevel, task.wanted));
} finally {
  db.close();
}
