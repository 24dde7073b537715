/**
 * The progress bar of long CLI work (`keel rag ingest | eval`, `keel ingest`): on standard error when
 * it is a terminal, silent otherwise. cli-progress is loaded only when a bar is drawn.
 */

export interface ProgressBar {
  update(p: { phase: string; done: number; total: number }): void;
  stop(): void;
}

export async function progressBar(enabled: boolean): Promise<ProgressBar> {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const { SingleBar } = await import("cli-progress");
  const bar = new SingleBar({
    stream: process.stderr,
    format: " {phase} [{bar}] {value}/{total} ({percentage}%) eta {eta_formatted}",
    hideCursor: true,
  });
  let phase = "";
  return {
    update(p) {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        bar.start(p.total, 0, { phase: p.phase.padEnd(6) });
      }
      bar.update(p.done, { phase: p.phase.padEnd(6) });
    },
    stop() {
      if (phase) bar.stop();
      phase = "";
    },
  };
}
