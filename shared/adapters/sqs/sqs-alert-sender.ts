import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError } from '../../domain/errors.ts';
import type { AlertQueueMessage } from '../../domain/queue-messages.ts';
import type { AlertSender } from '../../ports/alert-sender.ts';

/** Hands alert ids to the notifier through the alert SQS queue, ten per SendMessageBatch. */
export class SqsAlertSender implements AlertSender {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async send(alertIds: readonly string[]): Promise<void> {
    const unique = [...new Set(alertIds)];
    for (let i = 0; i < unique.length; i += 10) {
      const chunk = unique.slice(i, i + 10);
      const out = await this.sqs.send(new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: chunk.map((alertId, n) => ({ Id: String(n), MessageBody: JSON.stringify({ alert_id: alertId } satisfies AlertQueueMessage) })),
      }));
      if (out.Failed && out.Failed.length > 0) {
        const failed = out.Failed.map((f) => chunk[Number(f.Id)]).join(', ');
        throw new TransientError(`alert queue refused ${out.Failed.length} message(s): ${failed}`);
      }
    }
  }
}

