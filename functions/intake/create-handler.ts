import middy from '@middy/core';
import { safeJson } from '../../shared/json.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processIntake, type IntakeDeps, type IntakeResult } from '../../shared/services/intake.ts';
import { intakeRequestSchema, type IntakeRequest } from '../../shared/domain/queue-messages.ts';

export interface IntakeHandlerDeps extends IntakeDeps {
  logger: Logger;
  metrics: Metrics;
  /** Receives every settled result (the local runtime collects them for the CLI's report). */
  onResult?: (messageId: string, result: IntakeResult) => void;
}

/**
 * The intake Lambda: SQS batch in, partial batch response out. Records are parsed with zod; invalid
 * records and rule rejections are permanent outcomes (stored and acknowledged); a message whose
 * body is not an intake request at all, and every transient store failure, is reported as a batch
 * item failure so SQS retries it and finally moves it to the dead-letter queue.
 */
export function createIntakeHandler(deps: IntakeHandlerDeps) {
  const { logger, metrics } = deps;
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchItemFailure[] = [];
    const requests = new Map<string, IntakeRequest>();
    for (const record of event.Records) {
      const parsed = intakeRequestSchema.safeParse(safeJson(record.body));
      if (parsed.success) requests.set(record.messageId, parsed.data);
      else {
        // The body itself is not echoed: it may hold personal data.
        logger.error('message is not an intake request', { messageId: record.messageId, issues: parsed.error.issues.length });
        failures.push({ itemIdentifier: record.messageId });
      }
    }

    const settled = await processIntake(deps, requests);
    const counts: Record<string, number> = {};
    for (const [messageId, outcome] of settled) {
      if (outcome.ok) {
        const { result } = outcome;
        counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
        logger.info('intake result', { messageId, award_id: result.award_id, line: result.line, outcome: result.outcome, reason: result.reason });
        deps.onResult?.(messageId, result);
      } else {
        logger.warn('intake will be retried', { messageId, error: outcome.error.message });
        failures.push({ itemIdentifier: messageId });
      }
    }
    for (const [outcome, n] of Object.entries(counts)) metrics.addMetric(`Intake${outcome}`, MetricUnit.Count, n);
    if (failures.length > 0) metrics.addMetric('IntakeRetried', MetricUnit.Count, failures.length);
    return { batchItemFailures: failures };
  };
  // logEvent: false even if POWERTOOLS_LOGGER_LOG_EVENT is set: the bodies hold payee accounts.
  return middy(handle).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics));
}
