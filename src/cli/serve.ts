/**
 * `keel serve`: the gateway, the runs API and the collections API on one port, from `keel.config.ts`
 * (or nothing: the embedded store and the offline model). On a store with no keys it creates one
 * admin key and prints it once. SIGINT/SIGTERM close it gracefully: requests in flight finish, the
 * audit log is flushed. The server itself is started by start-server.ts, imported when the command
 * runs.
 */
import type { Command } from "commander";
import { KeelError } from "../errors/index.js";

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new KeelError("INVALID_OPTION", `--port must be a port number (0-65535), got "${value}".`);
  }
  return port;
}

export function addServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the OpenAI-compatible gateway, the runs API and the collections API")
    .option("--port <n>", "port to listen on (0 picks a free one)", "8787")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--config <file>", "keel.config.ts (default: ./keel.config.* if present)")
    .option("--no-worker", "on a PostgreSQL store, leave queued runs to `keel worker` processes")
    .addHelpText(
      "after",
      `
Examples:
  keel serve                                   no config: embedded store (./keel.db), offline model
  keel serve --port 8080 --config keel.config.ts
  OPENAI_API_KEY=sk-... keel serve             route to OpenAI (model from KEEL_MODEL, default gpt-4o-mini)
  KEEL_DB=/var/lib/keel/keel.db keel serve     another store file
  KEEL_DB=postgres://keel@db:5432/keel keel serve --no-worker
                                               shared PostgreSQL store; runs go to \`keel worker\`s

Then point any OpenAI client at http://127.0.0.1:8787/v1 with a Keel key.`,
    )
    .action(async (opts: { port: string; host: string; config?: string; worker: boolean }) => {
      const port = parsePort(opts.port);
      const { serve } = await import("./start-server.js");
      await serve({ port, host: opts.host, config: opts.config, worker: opts.worker });
    });
}

export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("execute queued workflow runs from a PostgreSQL store (as many processes as you like)")
    .option("--config <file>", "keel.config.ts (default: ./keel.config.* if present)")
    .option("--concurrency <n>", "runs executed at once by this process", "8")
    .option("--lease-ms <n>", "how long a run stays with a worker that stopped answering", "10000")
    .addHelpText(
      "after",
      `
Examples:
  KEEL_DB=postgres://keel@db:5432/keel keel worker
  KEEL_DB=postgres://keel@db:5432/keel keel worker --concurrency 32 --config keel.config.ts

The store must be PostgreSQL (KEEL_DB=postgres://... or store.url in keel.config.ts): runs started
with POST /runs on any server are queued there. A worker that dies loses its runs' leases after
--lease-ms; another worker continues them from their last checkpoint. SIGINT/SIGTERM hand the
runs in hand back to the queue at once.`,
    )
    .action(async (opts: { config?: string; concurrency: string; leaseMs: string }) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new KeelError(
          "INVALID_OPTION",
          `--concurrency must be a whole number of at least 1, got "${opts.concurrency}".`,
        );
      }
      const leaseMs = Number(opts.leaseMs);
      if (!Number.isInteger(leaseMs) || leaseMs < 500) {
        throw new KeelError(
          "INVALID_OPTION",
          `--lease-ms must be a whole number of at least 500, got "${opts.leaseMs}".`,
        );
      }
      const { work } = await import("./start-worker.js");
      await work({ config: opts.config, concurrency, leaseMs });
    });
}
