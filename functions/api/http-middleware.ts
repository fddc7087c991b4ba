import type middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BursarError, NotFoundError, TransientError, ValidationError } from '../../shared/domain/errors.ts';

/** The API event once the JSON body middleware has run: `json` is the parsed body (undefined if none). */
export type ApiEvent = APIGatewayProxyEventV2WithIAMAuthorizer & { json?: unknown };
export type ApiResult = APIGatewayProxyStructuredResultV2;

export function jsonResponse(statusCode: number, body: unknown): ApiResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

const MAX_BODY_BYTES = 16 * 1024;

/** Parses a JSON request body (base64 or not) into `event.json`; anything else is a 400. */
export function jsonBody(): middy.MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === '') return;
      const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ValidationError('BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
      try {
        request.event.json = JSON.parse(text);
      } catch {
        throw new ValidationError('BAD_JSON', 'the request body is not JSON');
      }
    },
  };
}

/**
 * Errors become responses: refusals keep their stable code ({"error": {"code", "message"}}, as the
 * CLI prints them); anything unexpected is a 500 without detail (logged here).
 */
export function httpErrors(logger: Logger): middy.MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof BursarError) {
        request.response = jsonResponse(statusOf(error), { error: { code: error.code, message: error.message } });
        if (statusOf(error) >= 500) logger.warn('request failed, may be retried', { code: error.code, message: error.message });
        return;
      }
      logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
      request.response = jsonResponse(500, { error: { code: 'INTERNAL', message: 'internal error' } });
    },
  };
}

function statusOf(error: BursarError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof TransientError) return 503;
  if (error.code === 'SAME_PERSON' || error.code === 'NO_PRINCIPAL') return 403;
  return 409;
}
