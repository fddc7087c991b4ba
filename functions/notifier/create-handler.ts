import middy from '@middy/core';
import { safeJson } from '../../shared/json.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { alertQueueMessageSchema } from '../../shared/domain/queue-messages.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { deliverAlert, type DeliverAlertDeps, type DeliveryResult } from '../../shared/services/deliver-alert.ts';

export interface NotifierHandlerDeps extends DeliverAlertDeps {
  logger: Logger;
  metrics: Metrics;
}

/**
 * The notifier Lambda: alert queue in, one SNS Publish per (alert, unit) out, with the `unit`
 * message attribute each bureau's subscription filters on. Records are independent: one that fails
 * (bad body, missing alert, SNS error) is reported as a batch item failure and retried alone; the
 * units it had already published are skipped on the retry (see deliverAlert).
 */
export function createNotifierHandler(deps: NotifierHandlerDeps) {
  const { logger, metrics } = deps;
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const settled = await Promise.allSettled(event.Records.map(async (record): Promise<DeliveryResult> => {
      const parsed = alertQueueMessageSchema.safeParse(safeJson(record.body));
      if (!parsed.success) throw new ValidationError('BAD_ALERT_MESSAGE', 'message is not an alert queue message');
      return deliverAlert(deps, parsed.data.alert_id);
    }));
    const failures: SQSBatchItemFailure[] = [];
    let published = 0;
    settled.forEach((outcome, i) => {
      const messageId = event.Records[i]!.messageId;
      if (outcome.status === 'fulfilled') {
        published += outcome.value.published.length;
        logger.info('alert delivered', { messageId, ...outcome.value });
      } else {
        const error = outcome.reason as Error;
        logger.warn('alert delivery will be retried', { messageId, error: error.message });
        failures.push({ itemIdentifier: messageId });
      }
    });
    metrics.addMetric('AlertsPublished', MetricUnit.Count, published);
    if (failures.length > 0) metrics.addMetric('AlertDeliveriesRetried', MetricUnit.Count, failures.length);
    return { batchItemFailures: failures };
  };
  return middy(handle).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics));
}
