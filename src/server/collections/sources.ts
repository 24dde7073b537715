/**
 * Configured sources (`collections.<name>.sources`): files and folders, relative to the
 * configuration file, kept in step with a tenant's copy of the collection. A run reads every file;
 * the collection's content hashes make an unchanged file cost a lookup (nothing is chunked, embedded
 * or written), and documents whose files are gone are deleted. Which ids came from sources is
 * recorded in a table of its own, so documents ingested over the API are never pruned.
 */
import path from "node:path";
import { migrate } from "../../db/index.js";
import type { IngestProgress } from "../../rag/index.js";
import { physicalCollectionName, type Runtime } from "../runtime.js";
import { ingestFiles, listFiles } from "./files.js";

export interface SourcesProgress {
  collection: string;
  phase: "load" | IngestProgress["phase"];
  done: number;
  total: number;
}

export interface IngestSourcesOptions {
  /** Only these collections (default: every collection that has sources). */
  collections?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: SourcesProgress) => void;
}

export interface SourcesReport {
  collection: string;
  tenant: string;
  files: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Documents whose files are no longer in the sources. */
  deleted: number;
  chunks: number;
}

/**
 * Ingests the configured sources of every collection (or those named) into `tenant`'s copies.
 * Run it at start for each tenant; running it again costs a read and a hash per file.
 *
 * @example
 * for (const tenant of new Set(rt.keys.list().map((k) => k.tenant))) await ingestSources(rt, tenant);
 */
export async function ingestSources(
  rt: Runtime,
  tenant: string,
  options: IngestSourcesOptions = {},
): Promise<SourcesReport[]> {
  const configured = rt.config.collections ?? {};
  migrate(rt.db, "server-collection-sources", [
    {
      id: 1,
      name: "documents ingested from configured sources",
      sql: `CREATE TABLE keel_source_documents (
        collection TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;`,
    },
  ]);
  const owns = rt.db.prepare("SELECT 1 FROM keel_source_documents WHERE collection = ? LIMIT 1").pluck();
  // A collection whose sources were taken out of the configuration still has documents to prune.
  const names =
    options.collections ??
    Object.keys(configured).filter(
      (n) => configured[n]?.sources?.length || owns.get(physicalCollectionName(tenant, n)) !== undefined,
    );
  const reports: SourcesReport[] = [];
  for (const name of names) reports.push(await syncCollection(rt, tenant, name, options));
  return reports;
}

/** One collection's sources into one tenant's copy: ingest what the files give, prune what they no longer do. */
async function syncCollection(
  rt: Runtime,
  tenant: string,
  name: string,
  options: IngestSourcesOptions,
): Promise<SourcesReport> {
  const collection = rt.collection(tenant, name); // UNKNOWN_COLLECTION for a name not configured
  const spec = rt.config.collections?.[name] ?? {};
  const roots = (spec.sources ?? []).map((source, i) => ({
    path: path.resolve(rt.configDir, source),
    label: `collections.${name}.sources[${i}]`,
  }));
  const files = listFiles(roots);
  const owner = physicalCollectionName(tenant, name);
  const track = rt.db.prepare("INSERT OR IGNORE INTO keel_source_documents (collection, id) VALUES (?, ?)");
  const { ids, ...counts } = await ingestFiles(collection, files, {
    acl: spec.acl ?? false,
    signal: options.signal,
    onProgress: (p) => options.onProgress?.({ collection: name, ...p }),
    // Recorded before the write: after a crash the next run finds the id and keeps or prunes it.
    beforeBatch: (batch) =>
      rt.db.transaction(() => {
        for (const id of batch) track.run(owner, id);
      })(),
  });
  const current = new Set(ids);
  const tracked = rt.db
    .prepare("SELECT id FROM keel_source_documents WHERE collection = ?")
    .pluck()
    .all(owner) as string[];
  const stale = tracked.filter((id) => !current.has(id));
  let deleted = 0;
  if (stale.length > 0) {
    options.signal?.throwIfAborted();
    deleted = (await collection.delete({ ids: stale })).deleted;
    const untrack = rt.db.prepare("DELETE FROM keel_source_documents WHERE collection = ? AND id = ?");
    rt.db.transaction(() => {
      for (const id of stale) untrack.run(owner, id);
    })();
  }
  const report: SourcesReport = { collection: name, tenant, ...counts, deleted };
  if (report.added + report.updated + report.deleted > 0) {
    const data = {
      action: "collection.sources",
      target: name,
      added: report.added,
      updated: report.updated,
      deleted: report.deleted,
    };
    await rt.record({ type: "admin.action", tenant, actor: "keel", data });
  }
  return report;
}
