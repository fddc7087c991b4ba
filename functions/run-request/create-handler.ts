import middy from '@middy/core';
import { safeJson } from '../../shared/json.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runRequestSchema } from '../../shared/domain/queue-messages.ts';
import type { RunRequestOutcome } from '../../shared/ports/run-request-log.ts';
import { handleRunRequest, type RunRequestDeps } from '../../shared/services/run-requests.ts';
import { isAllowedSender } from './allowed-sender.ts';

export interface RunRequestHandlerDeps extends RunRequestDeps {
  /**
   * SenderIds (or their unique-id part, e.g. the API function role's `AROA…`) whose messages are
   * acted on; locally the in-process queue's `local`. Any other sender's message is not read.
   */
  allowedSenders: readonly string[];
  logger: Logger;
  metrics: Metrics;
  /** Receives every outcome (the local runtime hands it to the CLI). */
  onOutcome?: (messageId: string, outcome: RunRequestOutcome) => void;
  /** Receives every failure that will be retried (the local runtime reports the last one). */
  onFailure?: (messageId: string, error: Error) => void;
}

/**
 * The run-request Lambda: SQS batch in (batch size 1 in AWS: a run is heavy), partial batch response
 * out. A message from any sender but the allowed ones (the API function's role) is not even parsed:
 * it is logged (metric RunRequestForbiddenSender) and failed, so it ends in the dead-letter queue,
 * whose alarm tells operations. Bodies are parsed with zod, and only prepare and export exist: an
 * `approve` (or anything else) is not a run request. A refusal (four eyes, not approved…) is an outcome: logged and
 * acknowledged. A body that is not a run request, and every transient failure, is a batch item
 * failure, so SQS retries it and finally parks it in the dead-letter queue. A prepare cut short by
 * the Lambda timeout is finished by the redelivery (prepare resumes where it stopped).
 * Logs carry ids, codes and counts only — never payee data.
 */
export function createRunRequestHandler(deps: RunRequestHandlerDeps) {
  const { logger, metrics } = deps;
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchItemFailure[] = [];
    // One record at a time: requests for one run must not race each other inside a batch.
    for (const record of event.Records) {
      const senderId = record.attributes?.SenderId;
      if (!isAllowedSender(senderId, deps.allowedSenders)) {
        logger.error('message from a sender that may not request runs', { messageId: record.messageId, senderId: senderId ?? null });
        metrics.addMetric('RunRequestForbiddenSender', MetricUnit.Count, 1);
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const parsed = runRequestSchema.safeParse(safeJson(record.body));
      if (!parsed.success) {
        logger.error('message is not a run request', { messageId: record.messageId, issues: parsed.error.issues.map((i) => i.message) });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const request = parsed.data;
      try {
        const outcome = await handleRunRequest(deps, request);
        if (outcome.ok) {
          logger.info('run request done', {
            messageId: record.messageId, request_id: request.request_id, action: request.action, run_id: outcome.run.run_id,
            status: outcome.run.status, award_count: outcome.run.award_count, replayed: outcome.replayed === true,
          });
          metrics.addMetric(`RunRequest${capitalise(request.action)}`, MetricUnit.Count, 1);
        } else {
          // A refusal is an expected outcome (four eyes did their job), not an operational problem.
          logger.info('run request refused', { messageId: record.messageId, request_id: request.request_id, action: request.action, code: outcome.error.code, detail: outcome.error.message });
          metrics.addMetric('RunRequestRefused', MetricUnit.Count, 1);
        }
        deps.onOutcome?.(record.messageId, outcome);
      } catch (error) {
        logger.warn('run request will be retried', { messageId: record.messageId, request_id: request.request_id, action: request.action, error: (error as Error).message });
        deps.onFailure?.(record.messageId, error as Error);
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    if (failures.length > 0) metrics.addMetric('RunRequestRetried', MetricUnit.Count, failures.length);
    return { batchItemFailures: failures };
  };
  return middy(handle).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics));
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
