import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** A cdk-nag finding a bucket accepts, and why (the infra test wants a specific reason). */
export interface BucketAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Everything a Bursar bucket may choose; what makes it private is not among the choices. */
export interface PrivateBucketProps
  extends Omit<s3.BucketProps, 'encryption' | 'encryptionKey' | 'bucketKeyEnabled' | 'blockPublicAccess' | 'enforceSSL' | 'minimumTLSVersion' | 'versioned' | 'removalPolicy'> {
  /**
   * SSE-KMS with this key, with an S3 Bucket Key (fewer KMS requests). Without a key, SSE-S3: only
   * for log buckets, since S3 server access logs and CloudFront standard logs cannot be delivered
   * to SSE-KMS buckets.
   */
  readonly key?: kms.IKey;
  /** Why the bucket is not replicated to another region (NIST.800.53.R5-S3BucketReplicationEnabled). */
  readonly replicationReason: string;
  /** Further cdk-nag findings the bucket accepts. */
  readonly acknowledge?: readonly BucketAcknowledgement[];
}

/**
 * The one way Bursar makes a bucket: all public access blocked, objects owned by the bucket owner
 * (unless the caller needs ACLs), TLS 1.2+ only, versioned, encrypted, and kept when the stack is
 * deleted. The console's site and logs and the export bucket and its logs all come from here.
 */
export function privateBucket(scope: Construct, id: string, props: PrivateBucketProps): s3.Bucket {
  const { key, replicationReason, acknowledge = [], ...choices } = props;
  const bucket = new s3.Bucket(scope, id, {
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    ...choices,
    ...(key ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true } : { encryption: s3.BucketEncryption.S3_MANAGED }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket.node.defaultChild!).acknowledge(
    ...acknowledge,
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: replicationReason },
  );
  return bucket;
}

/**
 * A bucket that receives access logs: SSE-S3 (log delivery writes no SSE-KMS bucket) and no access
 * log of its own (it would log the log writes).
 */
export function accessLogBucket(scope: Construct, id: string, props: Omit<PrivateBucketProps, 'key' | 'acknowledge'> & { readonly holds: string }): s3.Bucket {
  const { holds, ...rest } = props;
  return privateBucket(scope, id, {
    ...rest,
    acknowledge: [
      { id: 'AwsSolutions-S1', reason: `This bucket holds ${holds}; logging its own access would log the log writes.` },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'S3 server access logs and CloudFront standard logs are delivered only to SSE-S3 buckets, not SSE-KMS.' },
    ],
  });
}
