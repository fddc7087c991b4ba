import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { DynamoAlertOutbox } from '../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoReconciliationStore } from '../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { DynamoRunStore } from '../../shared/adapters/dynamo/dynamo-run-store.ts';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { SqsAlertSender } from '../../shared/adapters/sqs/sqs-alert-sender.ts';
import { parseConfig } from '../../shared/config.ts';
import { envelopeLabel } from '../../shared/domain/envelope.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { createBudgetAlerts } from '../../shared/services/budget-alerts.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { DEFAULT_FORECAST_ALERT_DAYS } from '../../shared/services/forecast-alerts.ts';
import { createReconcileHandler } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env, z.object({
  BURSAR_ALERT_QUEUE_URL: z.url(),
  BURSAR_RECONCILE_SEGMENTS: z.coerce.number().int().min(1).max(64).default(8),
  // The FORECAST early-warning window (issue 15: "within 30 days (a setting)").
  BURSAR_FORECAST_ALERT_DAYS: z.coerce.number().int().min(1).max(366).default(DEFAULT_FORECAST_ALERT_DAYS),
}));
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const ledger = new DynamoLedger(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS });
const outbox = new DynamoAlertOutbox(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS });
const sender = new SqsAlertSender(new SQSClient({}), config.BURSAR_ALERT_QUEUE_URL);
const { logger, metrics } = createObservability('bursar-reconcile');
const events = createBudgetAlerts({
  outbox, clock: systemClock, sender,
  onError: (error, context) => logger.error('budget alerts not evaluated', { envelope: envelopeLabel(context.key), stage: context.stage, error: (error as Error).message }),
});

export const handler = createReconcileHandler({
  ledger, store: new DynamoReconciliationStore(doc, config.BURSAR_TABLE_NAME), clock: systemClock,
  runs: new DynamoRunStore(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS }),
  outbox, sender, events, redrive: { outbox, sender },
  forecast: { ledger, days: config.BURSAR_FORECAST_ALERT_DAYS },
  segments: config.BURSAR_RECONCILE_SEGMENTS, logger, metrics,
});
