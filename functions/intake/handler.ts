import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { parseConfig } from '../../shared/config.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { createIntakeHandler } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env);
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const ledger = new DynamoLedger(doc, config.BURSAR_TABLE_NAME, { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS });

export const handler = createIntakeHandler({ ledger, clock: systemClock, ...createObservability('bursar-intake') });
