/**
 * `GET /runs/:id/events`: the run's stored events after the client's last one, then live ones as
 * they are stored, as Server-Sent Events whose `id:` is the event's number. The stream ends after the
 * run's end event (completed, failed, cancelled, or interrupted: a resume starts new events, which a
 * reconnect with `Last-Event-ID` picks up).
 */
import type { RunNotifier } from "./notifier.js";
import type { RunStore } from "./store.js";

/** A comment line every so often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

export function runEventStream(options: {
  runId: string;
  after: number;
  store: RunStore;
  notifier: RunNotifier;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { runId, store, notifier } = options;
  const encoder = new TextEncoder();
  const gone = new AbortController();
  const onGone = () => gone.abort();
  if (options.signal.aborted) gone.abort();
  else options.signal.addEventListener("abort", onGone, { once: true });
  let after = options.after;
  let opened = false;

  const close = (out: ReadableStreamDefaultController<Uint8Array>) => {
    options.signal.removeEventListener("abort", onGone);
    out.close();
  };

  return new ReadableStream<Uint8Array>({
    async pull(out) {
      if (!opened) {
        // Sent at once so that the client has the response before the run's next event.
        opened = true;
        out.enqueue(encoder.encode(`: events of ${runId} after ${after}\n\n`));
        return;
      }
      for (;;) {
        if (gone.signal.aborted) return close(out);
        const watch = notifier.watch(runId);
        try {
          // The status is read before the events: the end event is stored with the status, so once
          // the status says ended, the read that follows has every event.
          const status = store.status(runId);
          const events = store.events(runId, after);
          if (events.length > 0) {
            let text = "";
            for (const e of events) {
              text += `id: ${e.seq}\nevent: ${e.type}\ndata: ${e.data}\n\n`;
              after = e.seq;
            }
            out.enqueue(encoder.encode(text));
            return;
          }
          if (status !== "running") return close(out);
          const woke = await watch.wait(gone.signal, KEEP_ALIVE_MS);
          if (woke === "aborted" || woke === "closed") return close(out);
          if (woke === "timeout") {
            out.enqueue(encoder.encode(": keep-alive\n\n"));
            return;
          }
        } finally {
          watch.dispose();
        }
      }
    },
    cancel() {
      gone.abort();
      options.signal.removeEventListener("abort", onGone);
    },
  });
}
