import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context, SQSEvent } from 'aws-lambda';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { outboxOn, settableClock } from '../../support/alerts.ts';
import { createNotifierHandler } from '../../../functions/notifier/create-handler.ts';
import { SnsAlertPublisher } from '../../../shared/adapters/sns/sns-alert-publisher.ts';
import { thresholdAlert } from '../../../shared/domain/build-alert.ts';
import { emptyEnvelope } from '../../../shared/domain/envelope.ts';
import type { DynamoAlertOutbox } from '../../../shared/adapters/dynamo/dynamo-alert-outbox.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

const TOPIC = 'arn:aws:sns:cn-north-1:123456789012:bursar-alerts';
const sns = mockClient(SNSClient);
const tables: TestTable[] = [];
let outbox: DynamoAlertOutbox;
let handler: ReturnType<typeof createNotifierHandler>;
let messageSeq = 0;

const alert = thresholdAlert({
  ...emptyEnvelope({ measure: 21, fiscal_year: 2025 }), budget_set: true, budget_fen: 100_000, reserved_fen: 85_000, available_fen: 15_000, version: 4,
}, 80, '2025-05-01T01:00:00.000Z');

const event = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body) => ({
    messageId: `msg-${++messageSeq}`, receiptHandle: 'r', body, attributes: {} as never, messageAttributes: {},
    md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:cn-north-1:123456789012:alerts', awsRegion: 'cn-north-1',
  })),
});
const context = { functionName: 'bursar-notifier', awsRequestId: 'req' } as Context;
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

beforeEach(async () => {
  sns.reset();
  sns.on(PublishCommand).callsFake(() => ({ MessageId: `sns-${Math.random()}` }));
  const table = await freshTable();
  tables.push(table);
  outbox = outboxOn(table);
  await outbox.putAlert(alert);
  handler = createNotifierHandler({
    store: outbox, publisher: new SnsAlertPublisher(new SNSClient({ region: 'cn-north-1' }), TOPIC), clock: settableClock('2025-05-01T01:00:01Z'),
    logger: new Logger({ serviceName: 'bursar-notifier' }), metrics: new Metrics({ namespace: 'Bursar', serviceName: 'bursar-notifier' }),
  });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

describe('notifier', () => {
  test('publishes one message per unit with the unit attribute the subscriptions filter on', async () => {
    const out = await handler(event(JSON.stringify({ alert_id: alert.alert_id })), context);
    expect(out).toEqual({ batchItemFailures: [] });
    const calls = published();
    expect(calls.map((c) => c.MessageAttributes?.['unit']?.StringValue).sort()).toEqual(['EITB', 'FIN', 'HRSS', 'IPC', 'STB', 'TALENT']);
    for (const c of calls) {
      expect(c).toMatchObject({
        TopicArn: TOPIC, Subject: alert.subject, Message: alert.message,
        MessageAttributes: { unit: { DataType: 'String' }, kind: { DataType: 'String', StringValue: 'THRESHOLD' }, alert_id: { StringValue: alert.alert_id } },
      });
    }
    const stored = await outbox.getAlert(alert.alert_id);
    expect(stored!.deliveries.every((d) => d.sent_at && d.sns_message_id?.startsWith('sns-'))).toBe(true);
  });

  test('duplicate and redelivered messages publish nothing twice', async () => {
    const body = JSON.stringify({ alert_id: alert.alert_id });
    await handler(event(body, body, body), context); // three copies in one batch, handled concurrently
    await handler(event(body), context); // and a redelivery later
    expect(published()).toHaveLength(6);
  });

  test('an SNS failure fails only that message; the retry publishes only the units still unsent', async () => {
    sns.on(PublishCommand, { MessageAttributes: { unit: { DataType: 'String', StringValue: 'STB' } } }).rejectsOnce(new Error('throttled')).resolves({ MessageId: 'sns-stb-retry' });
    const body = JSON.stringify({ alert_id: alert.alert_id });
    const first = await handler(event(body, JSON.stringify({ nope: 1 }), JSON.stringify({ alert_id: 'T-missing' })), context);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([`msg-${messageSeq - 2}`, `msg-${messageSeq - 1}`, `msg-${messageSeq}`]);
    const sentFirst = published().length;
    expect(sentFirst).toBe(6); // five delivered, STB attempted and failed
    const stored = await outbox.getAlert(alert.alert_id);
    expect(stored!.deliveries.filter((d) => !d.sent_at).map((d) => d.unit)).toEqual(['STB']);

    const retry = await handler(event(body), context);
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(published().slice(sentFirst).map((c) => c.MessageAttributes?.['unit']?.StringValue)).toEqual(['STB']);
  });
});
