/** Issue 14 over HTTP: clerks release and reject holds (audited); bureau users only read their unit's holds. */
import { awardFields } from '../support/records.ts';
import { awardsCsv } from './support/api-server.ts';
import { startWithTwoBureaus, type TwoBureaus } from './support/two-bureaus.ts';

// Set in beforeAll.
let { server, eitb, stb, clerk } = {} as TwoBureaus;

beforeAll(async () => {
  ({ server, eitb, stb, clerk } = await startWithTwoBureaus());
  expect((await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '100000.00' })).status).toBe(200);
  const same = awardFields(1).recipient_uscc!;
  const res = await eitb.csv('/api/v1/submissions', awardsCsv([
    awardFields(1), awardFields(2, { recipient_uscc: same }), awardFields(3, { recipient_uscc: same }),
  ]));
  expect(res.body).toMatchObject({ reserved: 1, held: 2 });
});
afterAll(async () => server.close());

test('bureau users list their own unit\'s holds; others see none; filters are checked', async () => {
  const mine = await eitb.get('/api/v1/holds?reason=POSSIBLE_DUPLICATE');
  expect(mine.status).toBe(200);
  expect(mine.body.holds.map((h: { award_id: string }) => h.award_id)).toEqual(['A-00002', 'A-00003']);
  expect((await stb.get('/api/v1/holds')).body.holds).toEqual([]);
  expect((await eitb.get('/api/v1/holds?unit=STB')).body.holds).toEqual([]);
  expect((await eitb.get('/api/v1/holds?reason=NOPE')).status).toBe(400);
});

test('only clerks decide; decisions are audited and in the award history', async () => {
  expect((await eitb.post('/api/v1/holds/A-00002/release', { note: 'mine' })).status).toBe(403);
  const released = await clerk.post('/api/v1/holds/A-00002/release', { note: 'a different project' });
  expect(released.status).toBe(200);
  expect(released.body).toMatchObject({ changed: true, award: { status: 'RESERVED' } });
  const rejected = await clerk.post('/api/v1/holds/A-00003/reject', { reason: 'resubmitted file' });
  expect(rejected.body).toMatchObject({ changed: true, award: { status: 'REJECTED' } });
  expect((await clerk.post('/api/v1/holds/A-00003/release', { note: 'x' })).body).toMatchObject({ error: { code: 'NOT_HELD' } });
  expect((await clerk.post('/api/v1/holds/A-00002/reject', {})).status).toBe(400);
  const award = await server.runtime.ledger.getAward('A-00003');
  expect(award!.history.at(-1)).toMatchObject({ status: 'REJECTED', by: expect.any(String) });
  const kinds: string[] = [];
  for (const e of await server.deps.audit.list({ limit: 50 })) kinds.push(e.kind);
  expect(kinds).toEqual(expect.arrayContaining(['hold-release', 'hold-reject']));
});
