import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { DynamoAlertOutbox } from '../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoAuditLog } from '../../shared/adapters/dynamo/dynamo-audit-log.ts';
import { DynamoAwardSearch } from '../../shared/adapters/dynamo/dynamo-award-search.ts';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoReconciliationStore } from '../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { DynamoRunStore } from '../../shared/adapters/dynamo/dynamo-run-store.ts';
import { DynamoYearClose } from '../../shared/adapters/dynamo/dynamo-year-close.ts';
import { S3ExportFiles } from '../../shared/adapters/files/s3-export-files.ts';
import { KmsManifestSigner } from '../../shared/adapters/kms/kms-manifest-signer.ts';
import { SqsRunRequestQueue } from '../../shared/adapters/sqs/sqs-run-request-queue.ts';
import { parseConfig } from '../../shared/config.ts';
import { createObservability } from '../../shared/observability/powertools.ts';
import { systemClock } from '../../shared/services/clock.ts';
import { DeadLetterStore } from '../../cli/local/dead-letters.ts';
import { submitAwardRows } from '../../cli/submit-awards.ts';
import { createApiHandler, queuedRunOperations } from './create-handler.ts';

// Composition root for AWS: configuration is parsed once, at cold start.
const config = parseConfig(process.env, z.object({
  BURSAR_RUN_QUEUE_URL: z.url(),
  BURSAR_EXPORT_BUCKET: z.string().min(1),
  // The KMS key export manifests are signed with; this function only verifies (GET /runs/{id}/verify).
  BURSAR_MANIFEST_KEY_ARN: z.string().startsWith('arn:'),
}));
const { doc } = createDynamoClients(config.BURSAR_DYNAMODB_ENDPOINT ? { endpoint: config.BURSAR_DYNAMODB_ENDPOINT } : {});
const limits = { maxTransactionItems: config.BURSAR_TRANSACTION_MAX_ITEMS };
const table = config.BURSAR_TABLE_NAME;
const ledger = new DynamoLedger(doc, table, limits);
const runs = new DynamoRunStore(doc, table, limits);
const queue = new SqsRunRequestQueue(new SQSClient({}), config.BURSAR_RUN_QUEUE_URL);
const { logger } = createObservability('bursar-api');
const deadLetters = new DeadLetterStore(doc, table);
const exports = new S3ExportFiles(new S3Client({}), config.BURSAR_EXPORT_BUCKET);

export const handler = createApiHandler({
  ledger, runs, clock: systemClock,
  alerts: new DynamoAlertOutbox(doc, table, limits),
  reconciliations: new DynamoReconciliationStore(doc, table),
  awardSearch: new DynamoAwardSearch(doc, table, ledger),
  audit: new DynamoAuditLog(doc, table),
  exports,
  integrity: { signer: new KmsManifestSigner(new KMSClient({}), config.BURSAR_MANIFEST_KEY_ARN), readExport: (runId, name) => exports.read(runId, name) },
  runOps: queuedRunOperations(queue),
  yearCloses: new DynamoYearClose(doc, table, limits.maxTransactionItems),
  // Submissions run through the intake handler in this function, so the caller gets the report.
  submit: (rows, screen) => submitAwardRows({ ledger, clock: systemClock, deadLetters }, rows, screen ? { screen } : {}),
  logError: (message, detail) => logger.error(message, detail),
});
