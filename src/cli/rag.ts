/**
 * `keel rag ingest | query | eval`: collections from the command line, with a progress bar on a
 * terminal for long ingestions, and retrieval quality on BEIR or Cranfield data.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { KeelError } from "../errors/index.js";
import type { Embedder, IngestProgress, Principal, SearchMode } from "../rag/index.js";
import { fileFormatOf } from "../rag/loaders/file-types.js";
import { progressBar } from "./progress-bar.js";

const MODES = ["bm25", "vector", "hybrid"];

interface EmbedderFlags {
  embedder: string;
  dimensions?: string;
  model?: string;
  baseUrl?: string;
}

async function embedderFrom(flags: EmbedderFlags): Promise<Embedder | undefined> {
  const dimensions = flags.dimensions === undefined ? undefined : Number(flags.dimensions);
  if (flags.embedder === "none") return undefined;
  if (flags.embedder === "hashing") {
    const { hashingEmbedder } = await import("../rag/index.js");
    return hashingEmbedder({ dimensions });
  }
  if (flags.embedder === "openai") {
    if (!flags.model || dimensions === undefined) {
      throw new KeelError(
        "INVALID_OPTION",
        "--embedder openai needs --model and --dimensions (the API key comes from OPENAI_API_KEY).",
      );
    }
    const { openAIEmbedder } = await import("../rag/index.js");
    return openAIEmbedder({ model: flags.model, dimensions, baseURL: flags.baseUrl });
  }
  throw new KeelError(
    "INVALID_OPTION",
    `--embedder must be none, hashing or openai; got "${flags.embedder}".`,
  );
}

function withEmbedderFlags(cmd: Command, fallback: string): Command {
  return cmd
    .option(
      "--embedder <name>",
      "none, hashing (offline) or openai (any OpenAI-compatible /v1/embeddings)",
      fallback,
    )
    .option("--dimensions <n>", "vector length (hashing default 1024)")
    .option("--model <model>", "embedding model, with --embedder openai")
    .option("--base-url <url>", "OpenAI-compatible API base URL, with --embedder openai");
}

/** Files under the given paths (folders walked recursively), keeping only types a loader reads. */
function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (p: string, explicit: boolean) => {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(p);
    } catch {
      throw new KeelError("FILE_NOT_FOUND", `${p} does not exist.`);
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!name.startsWith(".")) walk(path.join(p, name), false);
    } else if (explicit || fileFormatOf(p) !== undefined) {
      files.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return files;
}

function principalFrom(id?: string, groups?: string): Principal | undefined {
  if (id === undefined) return undefined;
  return {
    id,
    groups: groups
      ? groups
          .split(",")
          .map((g) => g.trim())
          .filter(Boolean)
      : [],
  };
}

function parseJsonOption(value: string | undefined, flag: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new KeelError("INVALID_OPTION", `${flag} must be JSON: ${(error as Error).message}`);
  }
}

export function addRagCommands(program: Command): void {
  const cmd = program
    .command("rag")
    .description("ingest documents, search collections, measure retrieval quality");

  withEmbedderFlags(
    cmd
      .command("ingest")
      .description(
        "load files (text, Markdown, HTML, PDF, JSON/JSONL; folders recursively) into a collection",
      )
      .argument("<paths...>", "files or folders")
      .requiredOption("--db <file>", "SQLite file")
      .requiredOption("--collection <name>", "collection name")
      .option("--acl", "the collection enforces access lists (give --principals or --groups)")
      .option("--principals <ids>", "comma-separated user ids who may read these documents")
      .option("--groups <names>", "comma-separated groups who may read these documents")
      .option("--metadata <json>", "metadata added to every document, as a JSON object")
      .option("--json", "print the report as JSON"),
    "hashing",
  ).action(async (paths: string[], opts: EmbedderFlags & Record<string, string | boolean | undefined>) => {
    const list = (v: unknown) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    const access = opts.acl ? { principals: list(opts.principals), groups: list(opts.groups) } : undefined;
    const embedder = await embedderFrom(opts);
    const { openCollection } = await import("../rag/index.js");
    const collection = openCollection({
      db: opts.db as string,
      name: opts.collection as string,
      embedder,
      acl: Boolean(opts.acl),
    });
    const bar = await progressBar(!opts.json);
    const files = expandPaths(paths);
    try {
      const report = await collection.ingestFiles(files, {
        access,
        metadata: parseJsonOption(opts.metadata as string | undefined, "--metadata") as never,
        onProgress: (p: IngestProgress) => bar.update(p),
      });
      bar.stop();
      if (opts.json) console.log(JSON.stringify({ files: files.length, ...report }));
      else
        console.log(
          `${files.length} files: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.chunks} chunks written`,
        );
    } finally {
      bar.stop();
    }
  });

  withEmbedderFlags(
    cmd
      .command("query")
      .description("search a collection")
      .argument("<text...>", "the query")
      .requiredOption("--db <file>", "SQLite file")
      .requiredOption("--collection <name>", "collection name")
      .option("--k <n>", "results", "5")
      .option("--mode <mode>", `${MODES.join(", ")} (default hybrid with an embedder, else bm25)`)
      .option("--filter <json>", 'metadata filter, e.g. {"team":"billing"}')
      .option("--principal <id>", "who is asking (required on collections with access lists)")
      .option("--groups <names>", "comma-separated groups of the principal")
      .option("--json", "print the result as JSON"),
    "hashing",
  ).action(async (words: string[], opts: EmbedderFlags & Record<string, string | boolean | undefined>) => {
    const missing = () =>
      new KeelError("NOT_FOUND", `No collection "${opts.collection}" in ${opts.db}; ingest into it first.`);
    // Opening a missing file would create it.
    if (!existsSync(opts.db as string)) throw missing();
    const [{ openSqlite }, { openCollection }] = await Promise.all([
      import("../db/index.js"),
      import("../rag/index.js"),
    ]);
    const db = openSqlite(opts.db as string);
    let stored: { acl: boolean; embedder: unknown };
    try {
      const config = db
        .prepare("SELECT config FROM rag_collections WHERE name = ?")
        .pluck()
        .get(opts.collection) as string | undefined;
      if (!config) throw new Error("missing");
      stored = JSON.parse(config) as typeof stored;
    } catch {
      throw missing();
    }
    // A collection ingested with --embedder none has no vectors to search with any embedder.
    const embedder = stored.embedder === null ? undefined : await embedderFrom(opts);
    const collection = openCollection({ db, name: opts.collection as string, embedder, acl: stored.acl });
    const result = await collection.query(words.join(" "), {
      k: Number(opts.k),
      mode: opts.mode as SearchMode | undefined,
      filter: parseJsonOption(opts.filter as string | undefined, "--filter") as never,
      principal: principalFrom(opts.principal as string | undefined, opts.groups as string | undefined),
    });
    if (opts.json) return console.log(JSON.stringify(result));
    result.hits.forEach((h, i) => {
      const where = [h.headingPath.join(" > "), h.page ? `page ${h.page}` : ""].filter(Boolean).join(", ");
      console.log(
        `${i + 1}. ${h.documentId} [${h.start}-${h.end}]${where ? ` (${where})` : ""}  score ${h.score.toFixed(4)}`,
      );
      console.log(`   ${h.text.replace(/\s+/g, " ").slice(0, 200)}`);
    });
    if (result.withheld.length) console.log(`${result.withheld.length} results withheld by the guard`);
  });

  withEmbedderFlags(
    cmd
      .command("eval")
      .description("retrieval quality (nDCG@10, recall@100, MRR@10) on a BEIR folder or the Cranfield files")
      .option("--beir <dir>", "BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv")
      .option("--cranfield <dir>", "folder with cran.all.1400, cran.qry and cranqrel")
      .option("--mode <mode>", MODES.join(", "), "bm25")
      .option("--json", "print the figures as one JSON line"),
    "none",
  ).action(
    async (opts: EmbedderFlags & { beir?: string; cranfield?: string; mode: string; json?: boolean }) => {
      if (Boolean(opts.beir) === Boolean(opts.cranfield)) {
        throw new KeelError("INVALID_OPTION", "Give exactly one of --beir DIR or --cranfield DIR.");
      }
      if (!MODES.includes(opts.mode))
        throw new KeelError("INVALID_OPTION", `--mode must be one of ${MODES.join(", ")}.`);
      const { evaluateRetrieval, hashingEmbedder, readBeir, readCranfield } = await import("../rag/index.js");
      const embedder =
        opts.mode !== "bm25" && opts.embedder === "none" ? hashingEmbedder() : await embedderFrom(opts);
      const dataset = opts.beir ? readBeir(opts.beir) : readCranfield(opts.cranfield as string);
      const bar = await progressBar(!opts.json);
      const result = await evaluateRetrieval(dataset, {
        mode: opts.mode as SearchMode,
        embedder,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      const figures = {
        "ndcg@10": round(result["ndcg@10"]),
        "recall@100": round(result["recall@100"]),
        "mrr@10": round(result["mrr@10"]),
        queries: result.queries,
        docs: result.docs,
        chunks: result.chunks,
        mode: result.mode,
        embedder: embedder?.id ?? null,
        latencyMs: { p50: round(result.latencyMs.p50), p95: round(result.latencyMs.p95) },
      };
      if (opts.json) return console.log(JSON.stringify(figures));
      console.log(
        `${dataset.name} (${figures.docs} docs, ${figures.queries} queries, ${figures.mode}): nDCG@10 ${figures["ndcg@10"]}  recall@100 ${figures["recall@100"]}  MRR@10 ${figures["mrr@10"]}`,
      );
    },
  );
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
