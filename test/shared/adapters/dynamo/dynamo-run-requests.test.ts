/** DynamoRunRequestLog against DynamoDB Local: a handled request is recorded once and read back whole. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DynamoRunRequestLog } from '../../../../shared/adapters/dynamo/dynamo-run-requests.ts';
import type { HandledRunRequest } from '../../../../shared/ports/run-request-log.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';

let table: TestTable;
beforeAll(async () => { table = await freshTable(); });
afterAll(async () => { await table.drop(); });

describe('DynamoRunRequestLog', () => {
  test('records the first outcome of a request (empty strings included) and keeps it against later ones', async () => {
    const log = new DynamoRunRequestLog(table.doc, table.tableName);
    expect(await log.get('req-1')).toBeUndefined();
    const first: HandledRunRequest = {
      request_id: 'req-1', fingerprint: 'fp-1', at: '2025-06-01T00:00:00.000Z',
      outcome: { ok: false, request_id: 'req-1', action: 'export', error: { code: 'NOT_APPROVED', message: '' } },
    };
    await log.record(first);
    await log.record({ ...first, fingerprint: 'fp-2', outcome: { ...first.outcome, error: { code: 'OTHER', message: 'x' } } as HandledRunRequest['outcome'] });
    expect(await log.get('req-1')).toEqual(first);
    expect(await log.get('req-2')).toBeUndefined();
  });
});
