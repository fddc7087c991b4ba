import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoRunStore } from '../../shared/adapters/dynamo/dynamo-run-store.ts';
import { SqsRunRequestQueue } from '../../shared/adapters/sqs/sqs-run-request-queue.ts';
import { parseConfig } from '../../shared/config.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { createApiHandler } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env, z.object({ BURSAR_RUN_QUEUE_URL: z.url() }));
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const limits = { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS };

export const handler = createApiHandler({
  ledger: new DynamoLedger(doc, config.BURSAR_TABLE_NAME, limits),
  runs: new DynamoRunStore(doc, config.BURSAR_TABLE_NAME, limits),
  clock: systemClock,
  queue: new SqsRunRequestQueue(new SQSClient({}), config.BURSAR_RUN_QUEUE_URL),
  ...createObservability('bursar-api'),
});
