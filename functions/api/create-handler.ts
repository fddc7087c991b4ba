import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { BursarError, ValidationError } from '../../shared/domain/errors.ts';
import { checkPeriod, runIdFor } from '../../shared/domain/run-batching.ts';
import type { RunRequest } from '../../shared/domain/queue-messages.ts';
import type { Ledger } from '../../shared/ports/ledger.ts';
import type { RunStore } from '../../shared/ports/run-store.ts';
import type { RunRequestQueue } from '../../shared/ports/run-request-queue.ts';
import { approveRun } from '../../shared/services/approve-run.ts';
import type { Clock } from '../../shared/services/clock.ts';
import { fiscalSummary } from '../../shared/services/fiscal-summary.ts';
import { httpErrors, jsonBody, jsonResponse, type ApiEvent, type ApiResult } from './http-middleware.ts';

export interface ApiHandlerDeps {
  ledger: Ledger;
  runs: RunStore;
  clock: Clock;
  queue: RunRequestQueue;
  logger: Logger;
  metrics: Metrics;
}

const requestRunBody = z.object({
  period: z.string({ error: 'period is required (YYYY-MM)' }),
  request_id: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/).optional(),
}).strict();

/**
 * The finance API (HTTP API, payload v2, IAM authorization; routes in infra/constructs/api.ts):
 *
 *   POST /runs {period[, request_id]}  → 202: a prepare request is queued (idempotent on request_id,
 *                                        else on the Idempotency-Key header, else on API Gateway's request id)
 *   POST /runs/{runId}/approve         → 200: approved by the caller (four eyes against prepared_by)
 *   GET  /summary?fiscalYear=YYYY      → 200: the fiscal summary JSON
 *
 * The actor is always the caller's IAM principal as API Gateway verified it, never a body field.
 */
export function createApiHandler(deps: ApiHandlerDeps) {
  const { logger, metrics } = deps;
  const handle = async (event: ApiEvent): Promise<ApiResult> => {
    switch (event.routeKey) {
      case 'POST /runs': {
        const body = requestRunBody.safeParse(event.json ?? {});
        if (!body.success) throw new ValidationError('BAD_REQUEST', body.error.issues.map((i) => i.message).join('; '));
        const period = checkPeriod(body.data.period);
        const requestId = body.data.request_id ?? idempotencyKey(event) ?? `api-${event.requestContext.requestId}`;
        const request: RunRequest = { request_id: requestId, action: 'prepare', period, by: principal(event) };
        await deps.queue.send(request);
        metrics.addMetric('RunRequested', MetricUnit.Count, 1);
        logger.info('run requested', { request_id: requestId, period });
        return jsonResponse(202, { request_id: requestId, run_id: runIdFor(period), status: 'QUEUED' });
      }
      case 'POST /runs/{runId}/approve': {
        const result = await approveRun(deps, { run_id: event.pathParameters?.['runId'] ?? '', by: principal(event) });
        logger.info('run approved', { run_id: result.run.run_id, changed: result.changed });
        return jsonResponse(200, result);
      }
      case 'GET /summary': {
        const text = event.queryStringParameters?.['fiscalYear'] ?? '';
        if (!/^\d{4}$/.test(text)) throw new ValidationError('BAD_FISCAL_YEAR', 'fiscalYear must be a year such as 2025');
        return jsonResponse(200, await fiscalSummary(deps, Number(text)));
      }
      default:
        return jsonResponse(404, { error: { code: 'NO_ROUTE', message: `no route ${event.routeKey}` } });
    }
  };
  return middy(handle).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics)).use(httpErrors(logger)).use(jsonBody());
}

/** The verified IAM principal: the actor for four eyes. */
function principal(event: ApiEvent): string {
  const arn = event.requestContext.authorizer?.iam?.userArn;
  if (!arn) throw new BursarError('NO_PRINCIPAL', 'the request carries no IAM principal (IAM authorization is required)');
  return arn;
}

function idempotencyKey(event: ApiEvent): string | undefined {
  const key = event.headers?.['idempotency-key']?.trim();
  return key && /^[A-Za-z0-9._:-]{1,100}$/.test(key) ? key : undefined;
}
