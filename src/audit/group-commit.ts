/**
 * Group commit, as both audit logs do it: appends wait one macrotask, so every event produced in
 * the same tick joins one transaction; the next batch waits for this one's commit, so a process's
 * events keep their order. What runs after a commit (automatic checkpoints) cannot fail the events,
 * which are committed: its error is reported by the next `flush()`.
 */
import { KeelError } from "../errors/index.js";

export interface Committed<R> {
  /** One per input, in order: its result, or the error that refused it alone. */
  results: Array<R | KeelError>;
  /** Work after the commit (its failure is kept for `flush`). */
  after?: () => void | Promise<void>;
}

interface Pending<I, R> {
  input: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<I, R> {
  readonly #commit: (inputs: I[]) => Committed<R> | Promise<Committed<R>>;
  readonly #maxBatch: number;
  #queue: Array<Pending<I, R>> = [];
  #flushing: Promise<void> | undefined;
  #afterError: unknown;

  /** `commit` writes a batch in one transaction; if it throws, every event of the batch is refused. */
  constructor(commit: (inputs: I[]) => Committed<R> | Promise<Committed<R>>, maxBatch = 5000) {
    this.#commit = commit;
    this.#maxBatch = maxBatch;
  }

  /** Resolves once the input's batch is committed. */
  add(input: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /** Commits everything added so far; throws if work after a commit failed since the last flush. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing) {
      if (this.#flushing) await this.#flushing;
      else this.#schedule();
    }
    if (this.#afterError !== undefined) {
      const error = this.#afterError;
      this.#afterError = undefined;
      throw new KeelError(
        "CHECKPOINT_FAILED",
        `An automatic checkpoint failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  #schedule(): void {
    if (this.#flushing) return;
    this.#flushing = new Promise<void>((done) => setImmediate(done)).then(async () => {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const committed = await this.#commit(batch.map((p) => p.input));
        batch.forEach((p, i) => {
          const result = committed.results[i] as R | KeelError;
          if (result instanceof KeelError) p.reject(result);
          else p.resolve(result);
        });
        try {
          await committed.after?.();
        } catch (error) {
          this.#afterError = error;
        }
      } catch (error) {
        for (const p of batch) p.reject(error);
      } finally {
        this.#flushing = undefined;
        if (this.#queue.length > 0) this.#schedule();
      }
    });
  }
}
