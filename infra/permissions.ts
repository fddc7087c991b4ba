/**
 * Grants written out action by action. CDK's `grant*` helpers add wildcard actions
 * (`kms:GenerateDataKey*`, `kms:ReEncrypt*`, `s3:Abort*`) and `index/*` resources; Bursar's
 * functions get exactly the calls they make, on exactly the resources they touch.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { GSI1, GSI2 } from '../shared/adapters/dynamo/table-schema.ts';

/** Item reads and writes, transactions included (IAM authorises TransactWriteItems per item action). */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;
/** Indexes are only ever read. */
export const TABLE_INDEX_ACTIONS = ['dynamodb:Query', 'dynamodb:Scan'] as const;

/** The table's ARN and the ARN of each named index (never `index/*`). */
export function tableIndexArns(table: dynamodb.ITable): string[] {
  return [GSI1.name, GSI2.name].map((name) => `${table.tableArn}/index/${name}`);
}

function allowKey(grantee: iam.IGrantable, key: kms.IKey, actions: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions, resources: [key.keyArn] }),
  );
}

export function allowTableReadWrite(grantee: iam.IGrantable, table: dynamodb.ITable, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: [...TABLE_ITEM_ACTIONS], resources: [table.tableArn] }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: [...TABLE_INDEX_ACTIONS], resources: tableIndexArns(table) }),
  );
  allowKey(grantee, key, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);
}

export function allowSendMessages(grantee: iam.IGrantable, queue: sqs.IQueue, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

export function allowPublish(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/** PutObject only: payment files are written once per run, never read back or deleted by a function. */
export function allowPutObjects(grantee: iam.IGrantable, bucket: s3.IBucket, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }),
  );
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/** What a Lambda function or a schedule needs to drop a message into a KMS-encrypted dead-letter queue. */
export function allowDeadLetterKey(grantee: iam.IGrantable, key: kms.IKey): void {
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/**
 * The notifier reads an alert and marks its per-unit deliveries (claim, sent, release): Query and
 * UpdateItem on items whose partition key starts with ALERT#, nothing else of the table.
 */
export function allowAlertDeliveries(grantee: iam.IGrantable, table: dynamodb.ITable, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALERT#*'] } },
    }),
  );
  allowKey(grantee, key, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);
}
