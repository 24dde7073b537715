/**
 * `keel ingest` and `keel query`: a tenant's copy of a configured collection, worked on directly in
 * the configuration's store (no server needed), with the server's conventions: document ids are
 * paths relative to the folder given, a document's own `access` (Markdown front matter) names the
 * groups that may read it in a collection with access control, and every principal belongs to
 * `everyone`. Exit status: 0 done, 1 the work failed, 2 the command line or configuration is wrong.
 */
import path from "node:path";
import { styleText } from "node:util";
import { type Command, InvalidArgumentError } from "commander";
import { isKeelError, KeelError } from "../errors/index.js";
import type { Filter, SearchMode } from "../rag/index.js";
import type { Citation, EVERYONE as SERVER_EVERYONE } from "../server/collections/index.js";
import type { Runtime } from "../server/runtime.js";
import { progressBar } from "./progress-bar.js";

/** Errors that mean the command line (or the configuration it names) is wrong: exit status 2, as in main.ts. */
const USAGE_CODES = new Set([
  "INVALID_OPTION",
  "INVALID_REQUEST",
  "INVALID_CONFIG",
  "UNKNOWN_COLLECTION",
  "PRINCIPAL_REQUIRED",
  "INVALID_FILTER",
  "INVALID_QUERY",
  "QUERY_TOO_LONG",
]);

/**
 * The server's group of every principal, repeated here so that registering the commands does not load
 * the collections (and their document loaders); the type makes the compiler check it is the same.
 */
const EVERYONE: typeof SERVER_EVERYONE = "everyone";
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MODES = ["bm25", "vector", "hybrid"] as const;

const EXIT_STATUS = `
Exit status: 0 done; 1 the work failed (a file, the store); 2 bad usage (an invalid option or
configuration, an unknown collection, no --principal for a collection with access control).`;

interface CommonOptions {
  config?: string;
  tenant?: string;
  json?: boolean;
}

interface QueryOptions extends CommonOptions {
  k: number;
  mode?: SearchMode;
  filter?: string;
  principal?: string;
  group?: string[];
}

export function addCollectionCommands(program: Command): void {
  program
    .command("ingest")
    .description("load files into a tenant's copy of a configured collection (no server needed)")
    .argument("<collection>", "a collection of the configuration (collections in keel.config.ts)")
    .argument(
      "<paths...>",
      "files or folders (walked recursively); a document's id is its path relative to the one given",
    )
    .option("--config <file>", "keel.config.ts (default: ./keel.config.* if present); its store is used")
    .option("--tenant <name>", "whose copy to fill (default: the only tenant with API keys)")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Reads Markdown, HTML, PDF, text and JSON / JSON Lines files (one document per record). In a
collection with access control, a Markdown file's front matter \`access: [staff]\` lets only those
groups read it; a file without access is readable by everyone. Unchanged files cost a hash.

Examples:
  keel ingest handbook ./handbook                     every file under ./handbook
  keel ingest handbook ./policies/refunds.md --tenant acme
  keel ingest handbook ./handbook --config deploy/keel.config.ts --json
${EXIT_STATUS}`,
    )
    .exitOverride(usageExit)
    .action((collection: string, paths: string[], opts: CommonOptions) =>
      withUsageErrors(() => ingest(collection, paths, opts)),
    );

  program
    .command("query")
    .description("search a tenant's copy of a configured collection and print the hits with their citations")
    .argument("<collection>", "a collection of the configuration")
    .argument("<text...>", "what to search for")
    .option("--config <file>", "keel.config.ts (default: ./keel.config.* if present); its store is used")
    .option("--tenant <name>", "whose copy to search (default: the only tenant with API keys)")
    .option("--k <n>", "how many hits (1-1000)", wholeNumber(1, 1000), 5)
    .option("--mode <mode>", `${MODES.join(", ")} (default hybrid)`)
    .option("--filter <json>", 'metadata filter as JSON, e.g. {"team":"billing"}')
    .option("--principal <id>", "the user asking (required on a collection with access control)")
    .option(
      "--group <name>",
      `a group of the principal; repeat for more (every principal is in "${EVERYONE}")`,
      collect,
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Examples:
  keel query handbook "how long is parental leave"
  keel query handbook "salary bands" --principal ana --group staff --group hr
  keel query handbook refunds --filter '{"team":"billing"}' --k 3 --json | jq '.hits[0].span'
${EXIT_STATUS}`,
    )
    .exitOverride(usageExit)
    .action((collection: string, words: string[], opts: QueryOptions) =>
      withUsageErrors(() => query(collection, words.join(" "), opts)),
    );
}

async function ingest(name: string, paths: string[], opts: CommonOptions): Promise<void> {
  const rt = await openRuntime(opts.config);
  try {
    const tenant = await tenantOf(rt, opts.tenant);
    const collection = rt.collection(tenant, name);
    const { ingestFiles, listFiles } = await import("../server/collections/index.js");
    const files = listFiles(paths.map((p) => ({ path: path.resolve(p) })));
    const bar = await progressBar(!opts.json);
    let report: Awaited<ReturnType<typeof ingestFiles>>;
    try {
      report = await ingestFiles(collection, files, {
        acl: rt.config.collections?.[name]?.acl === true,
        onProgress: (p) => bar.update(p),
      });
    } finally {
      bar.stop();
    }
    const { ids, ...counts } = report;
    if (counts.added + counts.updated > 0) {
      await rt.record({
        type: "admin.action",
        tenant,
        actor: "cli",
        data: { action: "collection.ingest", target: name },
        content: { documents: ids.join("\n") },
      });
    }
    if (opts.json) {
      console.log(JSON.stringify({ collection: name, tenant, ...counts }));
      return;
    }
    console.log(
      `${name} (tenant ${tenant}): ${counts.files} file${counts.files === 1 ? "" : "s"}, ${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged; ${counts.chunks} chunks written`,
    );
  } finally {
    await rt.close();
  }
}

async function query(name: string, text: string, opts: QueryOptions): Promise<void> {
  if (opts.mode !== undefined && !(MODES as readonly string[]).includes(opts.mode)) {
    throw usage(`--mode must be one of ${MODES.join(", ")}; got "${opts.mode}".`);
  }
  const groups = opts.group ?? [];
  if (groups.length > 0 && opts.principal === undefined) {
    throw usage("--group needs --principal: the groups are the principal's.");
  }
  const filter = parseFilter(opts.filter);
  const { toCitation, withEveryone } = await import("../server/collections/index.js");
  const rt = await openRuntime(opts.config);
  try {
    const tenant = await tenantOf(rt, opts.tenant);
    const collection = rt.collection(tenant, name);
    if (rt.config.collections?.[name]?.acl === true && opts.principal === undefined) {
      throw new KeelError(
        "PRINCIPAL_REQUIRED",
        `Collection "${name}" has access control: give --principal ID (and --group NAME for each of their groups).`,
      );
    }
    const result = await collection.query(text, {
      k: opts.k,
      mode: opts.mode,
      filter,
      principal: opts.principal === undefined ? undefined : withEveryone({ id: opts.principal, groups }),
    });
    const hits = result.hits.map(toCitation);
    if (opts.json) {
      console.log(JSON.stringify({ collection: name, tenant, mode: result.mode, hits }));
      return;
    }
    if (hits.length === 0 && (await collection.stats()).documents === 0) {
      console.log(
        `Tenant ${tenant}'s copy of ${name} holds no documents yet: keel ingest ${name} PATH --tenant ${tenant}`,
      );
      return;
    }
    printHits(hits, opts.principal);
  } finally {
    await rt.close();
  }
}

function printHits(hits: Citation[], principal: string | undefined): void {
  const tty = process.stdout.isTTY === true;
  const style = (format: Parameters<typeof styleText>[0], text: string) =>
    tty ? styleText(format, text) : text;
  if (hits.length === 0) {
    console.log(principal === undefined ? "No hits." : `No hits readable by ${principal}.`);
    return;
  }
  hits.forEach((h, i) => {
    const where = [
      h.headingPath.length ? `§ ${h.headingPath.join(" › ")}` : "",
      h.page !== undefined ? `page ${h.page}` : "",
      `[${h.span.start}-${h.span.end}]`,
    ]
      .filter(Boolean)
      .join("  ");
    console.log(
      `${i + 1}. ${style("bold", h.documentId)}  ${where}  ${style("dim", `score ${h.score.toFixed(4)}`)}`,
    );
    const snippet = h.text.replace(/\s+/g, " ").trim();
    console.log(`   ${snippet.length > 240 ? `${snippet.slice(0, 239)}…` : snippet}`);
  });
}

async function openRuntime(configFile: string | undefined): Promise<Runtime> {
  const [{ loadConfig }, { createRuntime }] = await Promise.all([
    import("../server/config.js"),
    import("../server/runtime.js"),
  ]);
  const { config, file } = await loadConfig(configFile);
  // The configuration's store path and sources are relative to its file (KEEL_DB to the working
  // folder), as for `keel serve` and `keel keys`.
  return createRuntime({ config, configDir: file ? path.dirname(file) : process.cwd() });
}

/** The tenant named, else the only one with keys: a copy nobody can query is never filled silently. */
async function tenantOf(rt: Runtime, given: string | undefined): Promise<string> {
  if (given !== undefined) {
    if (!TENANT.test(given)) {
      throw usage(`--tenant must be 1 to 64 letters, digits, '.', '_' or '-'; got ${JSON.stringify(given)}.`);
    }
    return given;
  }
  const tenants = [...new Set((await rt.keys.list()).map((k) => k.tenant))].sort();
  if (tenants.length === 1) return tenants[0]!;
  throw usage(
    tenants.length === 0
      ? "Give --tenant NAME: this store has no API keys yet to tell which tenant is meant."
      : `Give --tenant NAME: this store has keys for several tenants (${tenants.join(", ")}).`,
  );
}

function parseFilter(value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw usage(`--filter must be a JSON object: ${(error as Error).message}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw usage('--filter must be a JSON object, e.g. {"team":"billing"}.');
  }
  return parsed as Filter;
}

function usage(message: string): KeelError {
  return new KeelError("INVALID_OPTION", message);
}

/** Usage errors are reported here with status 2; the rest go to `keel`'s handler (status 1). */
async function withUsageErrors(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isKeelError(error) || !USAGE_CODES.has(error.code)) throw error;
    console.error(`keel: ${error.code}: ${error.message}`);
    process.exitCode = 2;
  }
}

/** Commander's own usage errors (a missing argument, an unknown option) exit with status 2; help with 0. */
function usageExit(error: { exitCode: number }): never {
  process.exit(error.exitCode === 0 ? 0 : 2);
}

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean),
  ];
}
