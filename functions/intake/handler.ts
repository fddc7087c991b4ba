import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { DynamoAlertOutbox } from '../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { SqsAlertSender } from '../../shared/adapters/sqs/sqs-alert-sender.ts';
import { parseConfig } from '../../shared/config.ts';
import { envelopeLabel } from '../../shared/domain/envelope.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { createBudgetAlerts } from '../../shared/services/budget-alerts.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { createIntakeHandler } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env, z.object({ BURSAR_ALERT_QUEUE_URL: z.url() }));
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const ledger = new DynamoLedger(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS });
const { logger, metrics } = createObservability('bursar-intake');
// Budget alerts: stored in the outbox and handed to the notifier through the alert queue. A failure
// is logged, never fails the intake; the nightly reconcile re-evaluates and re-sends.
const events = createBudgetAlerts({
  outbox: new DynamoAlertOutbox(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS }),
  clock: systemClock,
  sender: new SqsAlertSender(new SQSClient({}), config.BURSAR_ALERT_QUEUE_URL),
  onError: (error, context) => logger.error('budget alerts not evaluated', { envelope: envelopeLabel(context.key), stage: context.stage, error: (error as Error).message }),
});

export const handler = createIntakeHandler({ ledger, clock: systemClock, events, logger, metrics });
