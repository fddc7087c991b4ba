import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RunRequestQueue } from '../../ports/run-request-queue.ts';
import type { RunRequest } from '../../domain/queue-messages.ts';

/** Puts a run request on the run-request SQS queue (read by functions/run-request). */
export class SqsRunRequestQueue implements RunRequestQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async send(request: RunRequest): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(request) }));
  }
}
