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
    // The id comes from a person or a file: quoted short, never echoed whole.
    const shown = JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
    super('NOT_FOUND', `${what} ${shown} not found`, { what, id: id.slice(0, 64) });
  }
}

/** The store refused because of concurrent change or throttling; the caller should retry later. */
export class TransientError extends BursarError {
  override name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, {}, options);
  }
}
