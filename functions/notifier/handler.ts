import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { DynamoAlertOutbox } from '../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { SnsAlertPublisher } from '../../shared/adapters/sns/sns-alert-publisher.ts';
import { parseConfig } from '../../shared/config.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { createNotifierHandler } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env, z.object({ BURSAR_ALERT_TOPIC_ARN: z.string().startsWith('arn:') }));
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const store = new DynamoAlertOutbox(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS });
const publisher = new SnsAlertPublisher(new SNSClient({}), config.BURSAR_ALERT_TOPIC_ARN);

export const handler = createNotifierHandler({ store, publisher, clock: systemClock, ...createObservability('bursar-notifier') });
