import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../support/records.ts';
import { listAlerts, outboxOn, settableClock } from '../../support/alerts.ts';
import { processIntake } from '../../../shared/services/intake.ts';
import type { IntakeRequest } from '../../../shared/domain/queue-messages.ts';
import { setBudget } from '../../../shared/services/budget.ts';
import { cancelAward } from '../../../shared/services/awards.ts';
import { createBudgetAlerts } from '../../../shared/services/budget-alerts.ts';
import { resendUnsentAlerts } from '../../../shared/services/resend-alerts.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoAlertOutbox } from '../../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import type { EnvelopeEvents } from '../../../shared/ports/envelope-events.ts';
import type { AlertSender } from '../../../shared/ports/alert-sender.ts';

const tables: TestTable[] = [];
let ledger: DynamoLedger;
let outbox: DynamoAlertOutbox;
let clock: ReturnType<typeof settableClock>;
let events: EnvelopeEvents;
const key = { measure: 7, fiscal_year: 2025 };

beforeEach(async () => {
  const table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  outbox = outboxOn(table);
  clock = settableClock('2025-05-01T01:00:00Z'); // 09:00 in Shanghai
  events = createBudgetAlerts({ outbox, clock });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

let line = 2;
async function submit(records: Record<string, string>[], submission = `sub-${line}`, ev: EnvelopeEvents | undefined = events) {
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: submission, line: line + i, record }]));
  line += records.length;
  const settled = await processIntake({ ledger, clock, ...(ev ? { events: ev } : {}) }, requests);
  for (const s of settled.values()) if (!s.ok) throw s.error;
  return [...settled.values()].map((s) => (s.ok ? s.result : undefined)!);
}
const budget = (yuan: number, k = key, alert_at?: number[]) =>
  setBudget(ledger, clock, { ...k, amount_fen: yuan * 100, by: 'finance-a', ...(alert_at ? { alert_at } : {}) }, events);
const thresholdsFired = async (query = {}) => (await listAlerts(outbox, query)).filter((a) => a.kind === 'THRESHOLD').map((a) => a.threshold).sort((a, b) => a! - b!);

describe('threshold alerts', () => {
  test('each threshold fires exactly once under concurrent reservations and duplicate deliveries', async () => {
    await budget(10_000);
    const records = Array.from({ length: 14 }, (_, i) => awardFields(i + 1, { approved_date: `2025-04-${String(i + 1).padStart(2, '0')}` }));
    // 14 single-record submissions, each delivered twice (at-least-once), all racing.
    const deliveries = records.map((r, i) => ({ r, sub: `race-${i}`, line: 2 + i }));
    await Promise.all([...deliveries, ...deliveries].map(async ({ r, sub, line: l }) => {
      const settled = await processIntake({ ledger, clock, events }, new Map([[`m-${sub}`, { submission_id: sub, line: l, record: r }]]));
      for (const s of settled.values()) if (!s.ok) throw s.error;
    }));
    // Extra, repeated and racing notifications about the same state change nothing.
    await Promise.all(Array.from({ length: 10 }, () => events.envelopeChanged(key, {})));

    expect(await thresholdsFired()).toEqual([80, 90, 100]);
    const state = (await outbox.readAlertState(key))!;
    expect(state.fired).toEqual([80, 90, 100]);
    expect(state.envelope).toMatchObject({ reserved_fen: 1_000_000, available_fen: 0, waitlisted_count: 4 });
    // Four awards waited today: one waitlist alert.
    expect((await listAlerts(outbox)).filter((a) => a.kind === 'WAITLIST')).toHaveLength(1);
  });

  test('many racing evaluations of one state store a single alert', async () => {
    await setBudget(ledger, clock, { ...key, amount_fen: 1_000_000, by: 'finance-a' }); // no events: nothing fired yet
    await submit([awardFields(1, { amount_yuan: '8500' })], 'quiet', undefined);
    await Promise.all(Array.from({ length: 20 }, () => events.envelopeChanged(key, {})));
    const alerts = await listAlerts(outbox);
    expect(alerts.map((a) => a.alert_id)).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'THRESHOLD', threshold: 80, measure: 7, fiscal_year: 2025 });
    expect(alerts[0]!.message).toContain('已承诺 85.0%');
    expect(alerts[0]!.message).toContain('可用余额 1,500.00 元');
  });

  test('a budget increase re-arms thresholds, so a later crossing fires again; so does a cancellation', async () => {
    await budget(10_000);
    await submit(Array.from({ length: 9 }, (_, i) => awardFields(i + 1))); // 90%
    expect(await thresholdsFired()).toEqual([80, 90]);

    await budget(20_000); // 45%: both re-arm
    expect((await outbox.readAlertState(key))!.fired).toEqual([]);
    await submit(Array.from({ length: 7 }, (_, i) => awardFields(i + 20))); // 16,000 / 20,000 = 80%
    expect(await thresholdsFired()).toEqual([80, 80, 90]);
    await submit([awardFields(30), awardFields(31)]); // 90%
    expect(await thresholdsFired()).toEqual([80, 80, 90, 90]);

    await cancelAward(ledger, clock, { award_id: 'A-00031', reason: 'withdrawn', by: 'eitb-clerk' }, events); // 85%: 90 re-arms
    expect((await outbox.readAlertState(key))!.fired).toEqual([80]);
    await submit([awardFields(32)]);
    expect(await thresholdsFired()).toEqual([80, 80, 90, 90, 90]);
    const ids = (await listAlerts(outbox)).map((a) => a.alert_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('thresholds set per envelope replace the defaults', async () => {
    await budget(10_000, key, [50, 80, 100]);
    await submit(Array.from({ length: 6 }, (_, i) => awardFields(i + 1)));
    expect(await thresholdsFired()).toEqual([50]);
  });
});

describe('waitlist alerts', () => {
  test('at most one per envelope per Shanghai day, saying how much demand waits', async () => {
    await budget(1_000);
    await submit([awardFields(1)]); // fills the envelope
    clock.set('2025-05-01T15:00:00Z'); // 23:00 in Shanghai
    await submit([awardFields(2)]);
    await submit([awardFields(3, { amount_yuan: '500' })]);
    await submit([awardFields(4, { amount_yuan: '250.50' })]);
    let waits = (await listAlerts(outbox)).filter((a) => a.kind === 'WAITLIST');
    expect(waits).toHaveLength(1);
    expect(waits[0]!.alert_id).toBe('W-2025-007-2025-05-01');
    expect(waits[0]!.message).toContain('有 1 笔奖补排队等待拨付，待拨需求 1,000.00 元');

    clock.set('2025-05-01T16:00:00Z'); // midnight in Shanghai: a new day
    await submit([awardFields(5, { amount_yuan: '100' })]);
    waits = (await listAlerts(outbox)).filter((a) => a.kind === 'WAITLIST');
    expect(waits.map((a) => a.alert_id)).toEqual(['W-2025-007-2025-05-01', 'W-2025-007-2025-05-02']);
    expect(waits[1]!.message).toContain('有 4 笔奖补排队等待拨付，待拨需求 1,850.50 元');
    expect(waits[1]!.message).toContain('waiting demand 1,850.50 yuan');
  });

  test('awards waiting for an envelope that has no budget raise a NO_ENVELOPE alert', async () => {
    await submit([awardFields(1, { measure: '9' })]);
    const [alert, ...rest] = await listAlerts(outbox);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ kind: 'WAITLIST', measure: 9, wait_reason: 'NO_ENVELOPE', units: ['EITB', 'FIN'] });
    expect(alert!.message).toContain('尚未设立预算');
  });
});

describe('routing and listing', () => {
  test("an alert goes to each responsible unit of the measure and to FIN, and is listed per unit and date", async () => {
    const m21 = { measure: 21, fiscal_year: 2025 };
    await budget(1_000, m21);
    await submit([awardFields(1, { measure: '21', approving_unit: 'TALENT', amount_yuan: '800' })]);
    await budget(1_000); // measure 7, nothing committed: no alert
    await submit([awardFields(2, { amount_yuan: '900' })]); // measure 7 at 90%

    const all = await listAlerts(outbox);
    expect(all.map((a) => [a.measure, a.threshold, a.units])).toEqual([
      [21, 80, ['TALENT', 'HRSS', 'EITB', 'STB', 'IPC', 'FIN']],
      [7, 80, ['EITB', 'IPC', 'FIN']],
      [7, 90, ['EITB', 'IPC', 'FIN']],
    ]);
    expect((await listAlerts(outbox, { unit: 'STB' })).map((a) => a.measure)).toEqual([21]);
    expect((await listAlerts(outbox, { unit: 'IPC' })).map((a) => a.measure)).toEqual([21, 7, 7]);
    expect(await listAlerts(outbox, { unit: 'NRPB' })).toEqual([]);
    expect(await listAlerts(outbox, { unit: 'FIN' })).toHaveLength(3);
    expect(await listAlerts(outbox, { unit: 'FIN', since: '2025-05-02T00:00:00.000Z' })).toEqual([]);
    expect(await listAlerts(outbox, { unit: 'FIN', since: '2025-05-01T00:00:00.000Z' })).toHaveLength(3);
    const stored = await outbox.getAlert(all[0]!.alert_id);
    expect(stored!.deliveries.map((d) => [d.unit, d.sent_at])).toEqual(
      ['EITB', 'FIN', 'HRSS', 'IPC', 'STB', 'TALENT'].map((u) => [u, undefined]),
    );
  });
});

describe('handing alerts to the notifier', () => {
  test('stored alerts are sent by id; a failed send is reported, never fails the change, and is re-sent later', async () => {
    const sent: string[][] = [];
    const errors: string[] = [];
    let failing = true;
    const sender: AlertSender = { send: async (ids) => { if (failing) throw new Error('queue down'); sent.push([...ids]); } };
    const withSender = createBudgetAlerts({ outbox, clock, sender, onError: (e, c) => errors.push(`${c.stage}: ${(e as Error).message}`) });
    await setBudget(ledger, clock, { ...key, amount_fen: 1_000_000, by: 'finance-a' }, withSender);
    const results = await submit([awardFields(1, { amount_yuan: '9500' })], 'with-sender', withSender);
    expect(results[0]!.outcome).toBe('RESERVED');
    expect(errors).toEqual(['send: queue down']);
    expect(await thresholdsFired()).toEqual([80, 90]);

    failing = false;
    clock.advance(60_000);
    expect(await resendUnsentAlerts({ outbox, sender, clock })).toEqual([]); // still within the grace period
    clock.advance(20 * 60_000);
    const resent = await resendUnsentAlerts({ outbox, sender, clock });
    expect(resent.sort()).toEqual((await listAlerts(outbox)).map((a) => a.alert_id).sort());
    expect(sent).toEqual([resent]);
  });
});
