/**
 * Base class of every error Keel throws on purpose.
 *
 * `code` is stable (safe to switch on, mapped to HTTP statuses by the server); the message says what
 * happened and what to do about it. Subclasses add structured fields rather than packing them into
 * the message.
 */
export class KeelError extends Error {
  readonly code: string;
  /** Whether trying the same operation again may succeed (network blips, timeouts). */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  /** The shape errors take on the wire: `{ code, message }`, never a stack or a cause. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isKeelError(value: unknown): value is KeelError {
  return value instanceof KeelError;
}
