/**
 * DynamoControls against DynamoDB Local: the two ways of reading enterprise records agree.
 * `readEnterprises` (one consistent query per enterprise, with its restrictions) serves single
 * decisions; `readControls` (consistent BatchGet, 100 keys a call, no restrictions) serves intake.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoControls } from '../../../../shared/adapters/dynamo/dynamo-controls.ts';
import { AWARD_SK, ENVELOPE_SK, awardPk, envelopePk } from '../../../../shared/adapters/dynamo/items.ts';
import { usccFor } from '../../../support/records.ts';
import { storedAward } from '../../../support/stored-awards.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';

let table: TestTable;
let controls: DynamoControls;
beforeAll(async () => {
  table = await freshTable();
  controls = new DynamoControls(table.doc, table.tableName);
});
afterAll(async () => { await table.drop(); });

const KEY = { measure: 7, fiscal_year: 2025 };

describe('DynamoControls.readControls', () => {
  test('reads more than one BatchGet (100 keys) of records, each equal to readEnterprises without its restrictions', async () => {
    // 130 enterprises with one held award each (counted in their records), 20 with none.
    for (let n = 1; n <= 130; n++) {
      const award = storedAward(n, 10_000 + n, 'HELD', { hold: { reason: 'POSSIBLE_DUPLICATE', at: '2025-05-01T00:00:00.000Z', keeps_reservation: false }, controls_counted: true });
      expect(await controls.holdNew(KEY, award, { emptyGuards: [], caps: [] })).toEqual({ ok: true });
    }
    await controls.putRestriction({
      recipient_uscc: usccFor(3), list_name: '失信被执行人', restricted_from: '2025-01-01', reference: 'R-1', loaded_by: 'test', loaded_at: '2025-01-01T00:00:00.000Z',
    });
    const usccs = Array.from({ length: 150 }, (_, i) => usccFor(i + 1));

    const batch = await controls.readControls([...usccs, usccFor(1)]);
    const single = await controls.readEnterprises(usccs);

    expect(batch.size).toBe(150);
    for (const uscc of usccs) expect(batch.get(uscc)).toEqual({ ...single.get(uscc)!, restrictions: [] });
    expect(batch.get(usccFor(5))!.totals.get('M#2025#7')).toBe(10_005);
    expect(batch.get(usccFor(140))).toEqual({ uscc: usccFor(140), guards: new Map(), totals: new Map(), restrictions: [] });
    // The restriction is there for readEnterprises and listRestrictions, which intake joins in.
    expect(single.get(usccFor(3))!.restrictions.map((r) => r.reference)).toEqual(['R-1']);
    expect((await controls.listRestrictions()).map((r) => r.recipient_uscc)).toEqual([usccFor(3)]);
  });
});

describe('DynamoControls: decisions racing a year close', () => {
  const held = (n: number) => storedAward(n, 50_000, 'HELD', {
    measure: 9, hold: { reason: 'POSSIBLE_DUPLICATE', at: '2025-05-01T00:00:00.000Z', keeps_reservation: false }, controls_counted: true,
  });
  const entry = { at: '2025-06-01T00:00:00.000Z', status: 'REJECTED' as const, by: 'fin-wang', note: 'hold rejected' };

  test('a decision on an award read before a close carried it to the next year is refused (the service reads again)', async () => {
    const award = held(201);
    expect(await controls.holdNew({ measure: 9, fiscal_year: 2025 }, award, { emptyGuards: [], caps: [] })).toEqual({ ok: true });
    // What a carry does to the award: it now belongs to FY2026.
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: awardPk(award.award_id), sk: AWARD_SK },
      UpdateExpression: 'SET fiscal_year = :fy', ExpressionAttributeValues: { ':fy': 2026 },
    }));
    const stale = await controls.rejectHeld(award, entry);
    expect(stale.ok).toBe(false);
    expect((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: awardPk(award.award_id), sk: AWARD_SK } }))).Item?.['status']).toBe('HELD');
  });

  test('no award is held into, and no released award queued into, a closed envelope', async () => {
    const key = { measure: 9, fiscal_year: 2024 };
    const first = held(202);
    expect(await controls.holdNew(key, { ...first, fiscal_year: 2024 }, { emptyGuards: [], caps: [] })).toEqual({ ok: true });
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
      UpdateExpression: 'SET #st = :closed', ExpressionAttributeNames: { '#st': 'status' }, ExpressionAttributeValues: { ':closed': 'CLOSED' },
    }));
    expect((await controls.holdNew(key, { ...held(203), fiscal_year: 2024 }, { emptyGuards: [], caps: [] })).ok).toBe(false);
    const release = { at: '2025-06-01T00:00:00.000Z', status: 'WAITLISTED' as const, by: 'fin-wang', note: 'hold released' };
    expect((await controls.releaseToQueue({ ...first, fiscal_year: 2024 }, release, 'BUDGET_EXHAUSTED')).ok).toBe(false);
  });
});
