import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoRunRequestLog } from '../../shared/adapters/dynamo/dynamo-run-requests.ts';
import { DynamoRunStore } from '../../shared/adapters/dynamo/dynamo-run-store.ts';
import { S3Sink } from '../../shared/adapters/files/s3-sink.ts';
import { KmsManifestSigner } from '../../shared/adapters/kms/kms-manifest-signer.ts';
import { parseConfig } from '../../shared/config.ts';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from '../../shared/domain/run-batching.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { parseAllowedSenders } from './allowed-sender.ts';
import { createRunRequestHandler } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env, z.object({
  BURSAR_EXPORT_BUCKET: z.string().min(1),
  // The KMS key that signs export manifests (infra/constructs/manifest-signing-key.ts).
  BURSAR_MANIFEST_KEY_ARN: z.string().startsWith('arn:'),
  BURSAR_RUN_BATCH_SIZE: z.coerce.number().int().min(1).max(MAX_BATCH_SIZE).default(DEFAULT_BATCH_SIZE),
  BURSAR_RUN_CONCURRENCY: z.coerce.number().int().min(1).max(27).default(8),
  /** The API function role's unique id (RoleId, `AROA…`): the only sender whose requests are read. */
  BURSAR_RUN_REQUEST_SENDERS: z.string().transform(parseAllowedSenders).pipe(z.array(z.string().regex(/^[A-Z0-9]{16,128}$/)).min(1)),
}));
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const limits = { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS };
const s3 = new S3Client({});

export const handler = createRunRequestHandler({
  ledger: new DynamoLedger(doc, config.BURSAR_TABLE_NAME, limits),
  runs: new DynamoRunStore(doc, config.BURSAR_TABLE_NAME, limits),
  requests: new DynamoRunRequestLog(doc, config.BURSAR_TABLE_NAME),
  clock: systemClock,
  sinkFor: (runId) => new S3Sink(s3, config.BURSAR_EXPORT_BUCKET, `runs/${runId}/`),
  signer: new KmsManifestSigner(new KMSClient({}), config.BURSAR_MANIFEST_KEY_ARN),
  allowedSenders: config.BURSAR_RUN_REQUEST_SENDERS,
  prepare: { batchSize: config.BURSAR_RUN_BATCH_SIZE, concurrency: config.BURSAR_RUN_CONCURRENCY },
  ...createObservability('bursar-run-request'),
});
