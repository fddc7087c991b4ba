import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

const REPLICATION_REASON =
  'Single-region deployment: cross-region replication needs a second-region bucket and key that ' +
  'this stack does not own. Versioning keeps every overwritten or deleted object recoverable.';

/**
 * Payment files and exports: private, TLS 1.2+, versioned, SSE-KMS with the Bursar key (S3 Bucket
 * Key on, to keep KMS request costs down), server access logs to a separate bucket.
 *
 * Never overwritten (issue 13, finding 3): S3 Object Lock in governance mode keeps every version
 * written for `retentionDays` (nobody deletes or replaces a version without the
 * s3:BypassGovernanceRetention permission, which no Bursar role has), and the S3 sink writes with
 * `If-None-Match: *`, so a second file under an exported name is refused instead of becoming the
 * current version.
 */
export class ExportBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { readonly key: kms.IKey; readonly retentionDays: number }) {
    super(scope, id);

    // S3 server access log delivery supports only SSE-S3 on the target bucket, not SSE-KMS.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logsCfn = this.accessLogBucket.node.defaultChild!;
    Validations.of(logsCfn).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the server access log bucket; logging its own access would log the log writes.',
      },
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'S3 server access log delivery only writes to buckets encrypted with SSE-S3; SSE-KMS targets are not supported.',
      },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: REPLICATION_REASON },
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(props.retentionDays)),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'exports/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket.node.defaultChild!).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: REPLICATION_REASON,
    });
  }
}
