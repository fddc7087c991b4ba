/**
 * One base error for everything Bursar refuses on purpose. `code` is stable and machine-readable
 * (the CLI prints it as `{"error": {"code", "message"}}`); `context` carries what a reader needs to
 * find the offending record. Unexpected failures stay plain `Error`s.
 */
export class BursarError extends Error {
  override name = 'BursarError';
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad input from a person or a file: never retried. */
export class ValidationError extends BursarError {
  override name = 'ValidationError';
}

/** Asked for something that does not exist (an award id, a run id). */
export class NotFoundError extends BursarError {
  override name = 'NotFoundError';
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, { what, id });
  }
}

/** The store refused because of concurrent change or throttling; the caller should retry later. */
export class TransientError extends BursarError {
  override name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, {}, options);
  }
}
