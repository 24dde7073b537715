/**
 * Wakes event streams when their run changes (an event stored, a status written). A stream starts
 * watching before it reads the store, so a change between its read and its wait is never missed.
 */
export type WakeReason = "changed" | "timeout" | "aborted" | "closed";

export interface Watch {
  /** Resolves at the run's next change after `watch()`, or after `timeoutMs`, or when `signal` aborts. */
  wait(signal: AbortSignal, timeoutMs: number): Promise<WakeReason>;
  dispose(): void;
}

export class RunNotifier {
  readonly #watchers = new Map<string, Set<(reason: WakeReason) => void>>();
  #closed = false;

  watch(runId: string): Watch {
    let fired: WakeReason | undefined = this.#closed ? "closed" : undefined;
    let wake: ((reason: WakeReason) => void) | undefined;
    const listener = (reason: WakeReason) => {
      fired ??= reason;
      wake?.(reason);
    };
    let set = this.#watchers.get(runId);
    if (!set) {
      set = new Set();
      this.#watchers.set(runId, set);
    }
    set.add(listener);
    const dispose = () => {
      set.delete(listener);
      if (set.size === 0 && this.#watchers.get(runId) === set) this.#watchers.delete(runId);
    };
    return {
      dispose,
      wait(signal, timeoutMs) {
        if (fired) return Promise.resolve(fired);
        if (signal.aborted) return Promise.resolve("aborted");
        return new Promise<WakeReason>((resolve) => {
          const done = (reason: WakeReason) => {
            clearTimeout(timer);
            signal.removeEventListener("abort", onAbort);
            wake = undefined;
            resolve(reason);
          };
          const onAbort = () => done("aborted");
          const timer = setTimeout(() => done("timeout"), timeoutMs);
          signal.addEventListener("abort", onAbort, { once: true });
          wake = done;
        });
      },
    };
  }

  notify(runId: string): void {
    for (const listener of this.#watchers.get(runId) ?? []) listener("changed");
  }

  /** Ends every wait (the server is closing). */
  close(): void {
    this.#closed = true;
    for (const set of this.#watchers.values()) for (const listener of set) listener("closed");
  }
}
