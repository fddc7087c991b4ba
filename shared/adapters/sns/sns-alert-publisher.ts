import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertPublisher, PublishRequest } from '../../ports/alert-publisher.ts';

/** The message attribute each bureau's subscription filters on (infra/constructs/notifications.ts). */
export const UNIT_MESSAGE_ATTRIBUTE = 'unit';

/** One SNS Publish per alert and unit; the `unit` attribute routes it to that bureau's subscriptions. */
export class SnsAlertPublisher implements AlertPublisher {
  constructor(private readonly sns: SNSClient, private readonly topicArn: string) {}

  async publish(request: PublishRequest): Promise<string> {
    const out = await this.sns.send(new PublishCommand({
      TopicArn: this.topicArn,
      Subject: request.subject,
      Message: request.message,
      MessageAttributes: {
        [UNIT_MESSAGE_ATTRIBUTE]: { DataType: 'String', StringValue: request.unit },
        kind: { DataType: 'String', StringValue: request.kind },
        alert_id: { DataType: 'String', StringValue: request.alert_id },
      },
    }));
    return out.MessageId ?? '';
  }
}
