import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { createIntakeHandler } from '../../../functions/intake/create-handler.ts';
import { setBudget } from '../../../shared/services/budget.ts';
import type { Ledger } from '../../../shared/ports/ledger.ts';
import type { IntakeResult } from '../../../shared/services/intake.ts';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';

let table: TestTable;
beforeAll(async () => { table = await freshTable(); });
afterAll(async () => { await table.drop(); });

const context = { functionName: 'intake', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const event = (bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `msg-${i}`, receiptHandle: `rh-${i}`, body, attributes: {} as never, messageAttributes: {},
    md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local:0:intake', awsRegion: 'local',
  })),
});
const request = (line: number, fields: Record<string, string>) => JSON.stringify({ submission_id: 'sub-h', line, record: fields });

function handlerWith(ledger: Ledger, results: Map<string, IntakeResult>) {
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  return createIntakeHandler({
    ledger, clock: tickingClock(),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Bursar', serviceName: 'test' }),
    onResult: (id, r) => results.set(id, r),
  });
}

describe('intake handler', () => {
  test('acknowledges invalid records (permanent), reports unparseable messages and transient failures for retry', async () => {
    const real = ledgerOn(table);
    await setBudget(real, tickingClock(), { measure: 7, fiscal_year: 2025, amount_fen: 1_000_000, by: 'fin' });
    await setBudget(real, tickingClock(), { measure: 8, fiscal_year: 2025, amount_fen: 1_000_000, by: 'fin' });
    // A store that throttles every transaction for the first award and works for the rest.
    let throttled = 0;
    const flaky: Ledger = Object.create(real, {
      reserveNew: {
        value: async (key: never, awards: { award_id: string }[]) => {
          if (awards.some((a) => a.award_id === 'A-00002') && throttled++ === 0) {
            throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException' });
          }
          return real.reserveNew(key, awards as never);
        },
      },
    });
    const results = new Map<string, IntakeResult>();
    const handler = handlerWith(flaky, results);
    const response = await handler(event([
      request(2, awardFields(1)),
      request(3, awardFields(2, { measure: '8' })),
      request(4, awardFields(3, { amount_yuan: '0' })),
      '{not json',
    ]), context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-3' }, { itemIdentifier: 'msg-1' }] });
    expect(results.get('msg-0')?.outcome).toBe('RESERVED');
    expect(results.get('msg-2')).toMatchObject({ outcome: 'INVALID', errors: [{ field: 'amount_yuan' }] });
    expect(results.has('msg-1')).toBe(false);

    // The retry of the failed message succeeds and nothing is counted twice.
    const retry = await handler(event([request(2, awardFields(1)), request(3, awardFields(2, { measure: '8' }))]), context);
    expect(retry.batchItemFailures).toEqual([]);
    expect(results.get('msg-0')?.outcome).toBe('RESERVED'); // a redelivery of line 2 reports its first outcome
    expect(results.get('msg-1')).toMatchObject({ outcome: 'RESERVED', award_id: 'A-00002' });
    expect(throttled).toBe(2);
    expect((await real.getEnvelope({ measure: 7, fiscal_year: 2025 }))!.reserved_fen).toBe(100_000);
  });
});
