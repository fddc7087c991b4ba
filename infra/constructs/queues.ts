import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Receives before a message is parked in the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** Lambda's guidance: visibility timeout ≥ 6 × function timeout (+ batching window). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Both queues of a pair: KMS with the Bursar key, TLS-only, 14 days to look at a problem. */
function secureQueueProps(key: kms.IKey): sqs.QueueProps {
  return {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    dataKeyReuse: Duration.minutes(5),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  };
}

/** A dead-letter queue on its own (for targets that are not SQS redrives, e.g. async Lambda). */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, secureQueueProps(key));
}

export interface WorkQueueProps {
  readonly key: kms.IKey;
  /** Timeout of the function the event source mapping feeds; sets the visibility timeout. */
  readonly consumerTimeout: Duration;
  /** Event source batching window, added to the visibility timeout as Lambda recommends. */
  readonly maxBatchingWindow?: Duration;
}

/** A work queue and its dead-letter queue (maxReceiveCount 5). */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', props.key);
    const visibility =
      props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR +
      (props.maxBatchingWindow?.toSeconds() ?? 0);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...secureQueueProps(props.key),
      visibilityTimeout: Duration.seconds(visibility),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }

  /**
   * Only `role` may send to this queue: the queue policy denies SendMessage to every other
   * principal, whatever their identity policies allow (an explicit Deny wins), and allows it to
   * `role`. The consumer checks each message's SenderId as well.
   */
  allowOnlySender(role: iam.IRole): void {
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyTheSenderRole',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [this.queue.queueArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
    }));
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'TheSenderRole',
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['sqs:SendMessage'],
      resources: [this.queue.queueArn],
    }));
  }
}
