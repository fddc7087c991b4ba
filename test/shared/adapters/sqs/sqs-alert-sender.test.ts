import { beforeEach, describe, expect, test } from '@jest/globals';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsAlertSender } from '../../../../shared/adapters/sqs/sqs-alert-sender.ts';

const QUEUE = 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/bursar-alerts';
const sqs = mockClient(SQSClient);
const sender = new SqsAlertSender(new SQSClient({ region: 'cn-north-1' }), QUEUE);

beforeEach(() => { sqs.reset(); });

describe('SqsAlertSender', () => {
  test('sends each alert id once, ten per batch, as {"alert_id"} bodies', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const ids = Array.from({ length: 12 }, (_, i) => `T-2025-007-080-v${i}`);
    await sender.send([...ids, ids[0]!]);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.QueueUrl)).toEqual([QUEUE, QUEUE]);
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 2]);
    expect(calls.flatMap((c) => c.Entries!.map((e) => JSON.parse(e.MessageBody!)))).toEqual(ids.map((alert_id) => ({ alert_id })));
  });

  test('a partly refused batch is an error naming the alerts not sent', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [{ Id: '1', Code: 'KMS.ThrottlingException', SenderFault: false }] });
    await expect(sender.send(['W-2025-007-2025-05-01', 'T-2025-007-090-v3'])).rejects.toMatchObject({ code: 'TRANSIENT', message: expect.stringContaining('T-2025-007-090-v3') });
  });
});
