import { loadScript } from "./script.js";
import { startMockLLM } from "./server.js";

export interface MockLLMCommandOptions {
  /** 0 picks a free port. */
  port?: number;
  /** A JSON file holding an array of steps; without it every request gets the default reply. */
  script?: string;
  host?: string;
  /** Stops the server like SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
}

/**
 * `keel mock-llm --port N [--script FILE]`: serves until SIGINT or SIGTERM (or `signal`), then closes
 * the server and resolves. Logs one line with the base URL to give an OpenAI client.
 */
export async function runMockLLMCommand(
  options: MockLLMCommandOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  const script = options.script === undefined ? undefined : loadScript(options.script);
  const mock = await startMockLLM({ script, port: options.port ?? 0, host: options.host });
  const answers = script ? `${script.length} scripted step(s) from ${options.script}` : "default replies";
  log(`mock LLM listening on ${mock.url} (${answers}); stop with Ctrl-C`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      options.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener("abort", stop);
  });
  await mock.close();
}
