import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, privateBucket } from './private-bucket.ts';

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

    this.accessLogBucket = accessLogBucket(this, 'AccessLogs', {
      holds: "the export bucket's server access logs",
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      replicationReason: REPLICATION_REASON,
    });

    this.bucket = privateBucket(this, 'Bucket', {
      key: props.key,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(props.retentionDays)),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'exports/',
      replicationReason: REPLICATION_REASON,
    });
  }
}
