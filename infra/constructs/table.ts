import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GSI1, GSI2, KEY } from '../../shared/adapters/dynamo/table-schema.ts';

const S = dynamodb.AttributeType.STRING;

/**
 * Bursar's single table (envelopes, awards, waitlists, runs, alerts, reports). Key names come from
 * shared/adapters/dynamo/table-schema.ts, the same module the local store and the adapters use.
 */
export class BursarTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: { readonly key: kms.IKey }) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: KEY.pk, type: S },
      sortKey: { name: KEY.sk, type: S },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of [GSI1, GSI2]) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.pk, type: S },
        sortKey: { name: gsi.sk, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    Validations.of(this.table.node.defaultChild!).acknowledge({
      id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
      reason:
        'Recovery is point-in-time recovery (35 days, to the second) plus deletion protection and a ' +
        'RETAIN removal policy. Longer-term copies belong to the account-wide AWS Backup policy ' +
        '(organisation backup plans select by tag), not to this application stack.',
    });
  }
}
