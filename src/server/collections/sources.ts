/**
 * Configured sources (`collections.<name>.sources`): files and folders, relative to the
 * configuration file, kept in step with a tenant's copy of the collection. A run reads every file;
 * the collection's content hashes make an unchanged file cost a lookup (nothing is chunked, embedded
 * or written), and documents whose files are gone are deleted. Which ids came from sources is
 * recorded in a table of its own, so documents ingested over the API are never pruned.
 */
import path from "node:path";
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
  // A collection whose sources were taken out of the configuration still has documents to prune.
  const names = options.collections ?? [];
  if (!options.collections) {
    for (const n of Object.keys(configured)) {
      if (
        configured[n]?.sources?.length ||
        (await rt.store.sources.holdsAny(physicalCollectionName(tenant, n)))
      )
        names.push(n);
    }
  }
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
  const { ids, ...counts } = await ingestFiles(collection, files, {
    acl: spec.acl ?? false,
    signal: options.signal,
    onProgress: (p) => options.onProgress?.({ collection: name, ...p }),
    // Recorded before the write: after a crash the next run finds the id and keeps or prunes it.
    beforeBatch: (batch) => rt.store.sources.track(owner, batch),
  });
  const current = new Set(ids);
  const tracked = await rt.store.sources.tracked(owner);
  const stale = tracked.filter((id) => !current.has(id));
  let deleted = 0;
  if (stale.length > 0) {
    options.signal?.throwIfAborted();
    deleted = (await collection.delete({ ids: stale })).deleted;
    await rt.store.sources.untrack(owner, stale);
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
