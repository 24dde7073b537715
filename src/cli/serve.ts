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
    .addHelpText(
      "after",
      `
Examples:
  keel serve                                   no config: embedded store (./keel.db), offline model
  keel serve --port 8080 --config keel.config.ts
  OPENAI_API_KEY=sk-... keel serve             route to OpenAI (model from KEEL_MODEL, default gpt-4o-mini)
  KEEL_DB=/var/lib/keel/keel.db keel serve     another store file

Then point any OpenAI client at http://127.0.0.1:8787/v1 with a Keel key.`,
    )
    .action(async (opts: { port: string; host: string; config?: string }) => {
      const port = parsePort(opts.port);
      const { serve } = await import("./start-server.js");
      await serve({ port, host: opts.host, config: opts.config });
    });
}
