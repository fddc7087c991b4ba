import { describe, expect, test } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import { runLocalQueue, type DeadLetter } from '../../cli/local/local-queue.ts';

async function* bodies(n: number) {
  for (let i = 1; i <= n; i++) yield `m${i}`;
}

const options = (deadLetters: DeadLetter[], extra = {}) => ({
  name: 'intake', batchSize: 3, maxReceiveCount: 3, concurrency: 2, retryDelayMs: 1,
  onDeadLetter: async (d: DeadLetter) => { deadLetters.push(d); }, ...extra,
});

describe('local SQS runtime (event source mapping stand-in)', () => {
  test('delivers every message in SQS-shaped batches no larger than the batch size', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    await runLocalQueue(bodies(10), async (event: SQSEvent) => {
      sizes.push(event.Records.length);
      for (const r of event.Records) {
        expect(r.eventSource).toBe('aws:sqs');
        expect(r.attributes.ApproximateReceiveCount).toBe('1');
        seen.push(r.body);
      }
      return { batchItemFailures: [] };
    }, options([]));
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 1}`).sort());
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  test('redelivers only the reported failures, and dead-letters after maxReceiveCount', async () => {
    const attempts = new Map<string, number>();
    const deadLetters: DeadLetter[] = [];
    await runLocalQueue(bodies(6), async (event: SQSEvent) => {
      const failures = [];
      for (const r of event.Records) {
        attempts.set(r.body, (attempts.get(r.body) ?? 0) + 1);
        // m2 succeeds on its second delivery; m5 never does.
        if ((r.body === 'm2' && attempts.get(r.body) === 1) || r.body === 'm5') failures.push({ itemIdentifier: r.messageId });
      }
      return { batchItemFailures: failures };
    }, options(deadLetters));
    expect(attempts.get('m1')).toBe(1);
    expect(attempts.get('m2')).toBe(2);
    expect(attempts.get('m5')).toBe(3);
    expect(deadLetters.map((d) => [d.body, d.receiveCount])).toEqual([['m5', 3]]);
  });

  test('a handler that throws fails its whole batch, which is retried', async () => {
    let calls = 0;
    const delivered: string[] = [];
    await runLocalQueue(bodies(3), async (event: SQSEvent) => {
      calls++;
      if (calls === 1) throw new Error('cold start failure');
      delivered.push(...event.Records.map((r) => r.body));
      return { batchItemFailures: [] };
    }, options([], { concurrency: 1 }));
    expect(delivered.sort()).toEqual(['m1', 'm2', 'm3']);
  });
});
