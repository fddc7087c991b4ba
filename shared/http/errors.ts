import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { BursarError, NotFoundError, TransientError, ValidationError } from '../domain/errors.ts';
import type { ZodError } from 'zod';

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** The HTTP status of a refusal, by its code first and its class second. */
const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401, BAD_CREDENTIALS: 401,
  FORBIDDEN: 403, CSRF: 403, SAME_PERSON: 403,
  NOT_FOUND: 404, NO_ROUTE: 404,
  LOCKED_OUT: 429,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_IMPLEMENTED: 501,
};

export function statusOf(error: BursarError): number {
  const byCode = STATUS_BY_CODE[error.code];
  if (byCode) return byCode;
  if (error instanceof ValidationError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof TransientError) return 503;
  return 409;
}

export const forbidden = (message: string) => new BursarError('FORBIDDEN', message);

/** The one place a failure becomes a response: never a stack trace, always {"error": {code, message}}. */
export function respondToError(error: unknown, c: Context, logError?: (m: string, d: Record<string, unknown>) => void): Response {
  if (error instanceof BursarError) {
    const status = statusOf(error);
    // The unread rest of an oversized body would be taken for the next request: close the connection.
    if (status === 413) c.header('Connection', 'close');
    return c.json(errorBody(error.code, error.message), status as 400);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 415) return c.json(errorBody('UNSUPPORTED_MEDIA_TYPE', 'wrong Content-Type for this route'), 415);
    if (status === 413) c.header('Connection', 'close');
    if (status === 413) return c.json(errorBody('BODY_TOO_LARGE', 'request body too large for this route'), 413);
    if (status === 400) return c.json(errorBody('BAD_JSON', 'the request body is not well-formed JSON'), 400);
    return c.json(errorBody('BAD_REQUEST', error.message.slice(0, 200)), status);
  }
  logError?.('request failed', { error: error instanceof Error ? error.message : String(error), path: c.req.path, method: c.req.method });
  return c.json(errorBody('INTERNAL', 'internal error'), 500);
}

/** A zod failure as a 400: the first problem, naming its field, with the CLI's code for that field. */
const CODE_BY_FIELD: Record<string, string> = {
  amount_yuan: 'BAD_AMOUNT', fiscal_year: 'BAD_FISCAL_YEAR', measure: 'UNKNOWN_MEASURE', period: 'BAD_PERIOD',
  alert_at: 'BAD_ALERT_THRESHOLD', since: 'BAD_DATE', cursor: 'BAD_CURSOR', id: 'BAD_ID', name: 'BAD_FILE_NAME',
  username: 'BAD_USERNAME', password: 'WEAK_PASSWORD', roles: 'UNKNOWN_ROLE', unit: 'UNKNOWN_UNIT', reason: 'MISSING_REASON',
};

export function validationError(error: ZodError, where: string): ValidationError {
  const issue = error.issues[0];
  if (!issue) return new ValidationError('BAD_REQUEST', `invalid ${where}`);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k.slice(0, 40))).join(', ');
    return new ValidationError('UNKNOWN_FIELD', `unknown field(s) in the ${where}: ${keys}`, { field: issue.keys[0] });
  }
  const field = issue.path.map(String).join('.') || where;
  const top = String(issue.path[0] ?? '');
  return new ValidationError(CODE_BY_FIELD[top] ?? 'BAD_REQUEST', `${field}: ${issue.message}`, { field });
}
