/**
 * Issue 7, part 1: is the in-memory store (support/memory-*.ts) a faithful stand-in for DynamoDB?
 *
 * One scenario suite runs twice, side by side: on MemoryLedger/MemoryRunStore and on the real
 * DynamoLedger/DynamoRunStore over DynamoDB Local. Every call's result (or error) is recorded, and
 * the stores' complete contents are compared at checkpoints. They must be identical: same results,
 * same refusals with the same per-item reasons (which awards exist, whether the envelope moved, stale
 * awards and items, counter moved, run closed, envelope short, collided), same items to the last
 * attribute. The scenarios cover the services end to end (intake with duplicates, conflicts and
 * redeliveries, budgets, cancellations, prepare, approve, export, settle) and the ports' refusals,
 * pagination and the faults the model test injects (throttling, TransactionConflict, lost reply,
 * unprocessed BatchGet keys), injected through the same gate into both stores.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { awardContentHash } from '../../shared/domain/content-hash.ts';
import { validateAwardRecord } from '../../shared/domain/award-record.ts';
import type { Award } from '../../shared/domain/award.ts';
import type { EnvelopeKey } from '../../shared/domain/envelope.ts';
import { BursarError } from '../../shared/domain/errors.ts';
import { envelopePk, ENVELOPE_SK } from '../../shared/adapters/dynamo/items.ts';
import { runPk, RUN_SK } from '../../shared/adapters/dynamo/run-items.ts';
import { cancelAward } from '../../shared/services/awards.ts';
import { approveRun } from '../../shared/services/approve-run.ts';
import { setBudget } from '../../shared/services/budget.ts';
import { exportRun } from '../../shared/services/export-run.ts';
import { processIntake } from '../../shared/services/intake.ts';
import type { IntakeRequest } from '../../shared/domain/queue-messages.ts';
import { prepareRun } from '../../shared/services/prepare-run.ts';
import { settleRun } from '../../shared/services/settle-run.ts';
import type { CsvRow } from '../../shared/csv/read-csv-records.ts';
import {
  ENVELOPES, TEMPLATES, awardId, discardingSink, dynamoStore, memoryStore, modelClock, recordOf, type ModelStore,
} from './support/money-model.ts';
import type { Item } from './support/memory-table.ts';
import type { Fault, StoreGate } from './support/store-gate.ts';

interface Env {
  store: ModelStore;
  /** Faults for the next requests, in order (one per request). */
  faults: (Fault | undefined)[];
  clock: ReturnType<typeof modelClock>;
}

function gateFor(faults: (Fault | undefined)[]): StoreGate {
  return { before: async () => faults.shift(), after: async () => {} };
}

async function makeEnvs(): Promise<[Env, Env]> {
  const memoryFaults: (Fault | undefined)[] = [];
  const dynamoFaults: (Fault | undefined)[] = [];
  return [
    { store: memoryStore(gateFor(memoryFaults)), faults: memoryFaults, clock: modelClock() },
    { store: await dynamoStore(gateFor(dynamoFaults)), faults: dynamoFaults, clock: modelClock() },
  ];
}

/** What a call returned, or how it failed, as plain data. */
function normalise(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)).map(([k, v]) => [k, normalise(v)]));
  if (value instanceof Error) {
    return value instanceof BursarError ? { error: value.code } : { error: value.name };
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

/** The store as a whole, with the one random part of a key (budget audit ids) blanked. */
function normaliseDump(items: Item[]): Item[] {
  return items
    .map((it) => (String(it.sk).startsWith('AUDIT#') ? { ...it, sk: String(it.sk).replace(/#[0-9a-f-]{36}$/, '#<uuid>') } : it))
    .sort((a, b) => (`${String(a.pk)}\u0000${String(a.sk)}` < `${String(b.pk)}\u0000${String(b.sk)}` ? -1 : 1));
}

type Transcript = { label: string; value: unknown }[];

class Recorder {
  readonly transcript: Transcript = [];
  constructor(readonly env: Env) {}

  async call(label: string, fn: () => Promise<unknown>): Promise<unknown> {
    let value: unknown;
    try {
      value = await fn();
      this.transcript.push({ label, value: normalise(value) });
    } catch (error) {
      this.transcript.push({ label, value: normalise(error) });
    }
    return value;
  }

  async checkpoint(label: string): Promise<void> {
    this.transcript.push({ label: `store after ${label}`, value: normaliseDump(await this.env.store.dump()) });
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

const rows = (lines: [string, 'PAID' | 'FAILED'][]): (() => AsyncIterable<CsvRow>) => async function* () {
  for (const [i, [award_id, status]] of lines.entries()) {
    yield {
      kind: 'record', line: i + 2,
      fields: status === 'PAID' ? { award_id, status, reference: `BK-${award_id}`, reason: '' } : { award_id, status, reference: '', reason: 'account closed' },
    };
  }
};

/** The services end to end. Concurrency settings are 1 so both stores see the same order of clock readings. */
async function servicesScenario(r: Recorder): Promise<void> {
  const { ledger, runs } = r.env.store;
  const clock = r.env.clock;
  const intake = (entries: [string, number, Record<string, string>][]) => r.call(`intake ${entries.map(([s, l]) => `${s}#${l}`).join(',')}`, () => processIntake(
    { ledger, clock, groupConcurrency: 1 },
    new Map(entries.map(([submission_id, line, record]): [string, IntakeRequest] => [`${submission_id}#${line}`, { submission_id, line, record }])),
  ));

  // A. Every template with no budget anywhere (NO_ENVELOPE; several waitlist transactions), one
  //    rejected, an invalid record and, later in the same batch, a conflicting repeat.
  await intake([
    ...TEMPLATES.map((_, t): [string, number, Record<string, string>] => ['c-1', t + 2, recordOf(t, 'ok')]),
    ['c-1', 20, recordOf(2, 'invalid')],
    ['c-1', 21, recordOf(0, 'conflict')],
  ]);
  await r.checkpoint('A: intake without budgets');

  // B. Budgets: drains; the same again changes nothing; a cut below what is committed is refused.
  for (const [i, yuan] of [[0, 1000], [1, 300], [2, 5000], [0, 1000], [0, 100], [0, 1200]] as const) {
    await r.call(`budget ${i} ${yuan}`, () => setBudget(ledger, clock, { ...ENVELOPES[i]!, amount_fen: yuan * 100, by: 'officer' }));
  }
  await r.call('budget audit', () => ledger.listBudgetAudit(ENVELOPES[0]!).then((a) => a.map(({ by, old_budget_fen, new_budget_fen }) => ({ by, old_budget_fen, new_budget_fen }))));
  await r.checkpoint('B: budgets');

  // C. A redelivery of c-1's line 4, a duplicate in a new file, a conflict, a new award that waits.
  await intake([['c-1', 4, recordOf(2, 'ok')], ['c-2', 2, recordOf(5, 'ok')], ['c-2', 3, recordOf(6, 'conflict')], ['c-2', 4, recordOf(9, 'ok')]]);
  await r.call('issues c-1', () => ledger.listIntakeIssues('c-1'));
  await r.call('issues c-2', () => ledger.listIntakeIssues('c-2'));
  await r.checkpoint('C: second file');

  // D. Cancellations: a RESERVED one, a WAITLISTED one, one again, a REJECTED one, an unknown one.
  const reserved = (await ledger.getAwards(TEMPLATES.map((_, t) => awardId(t))));
  const first = (s: string) => [...reserved.values()].filter((a) => a.status === s).map((a) => a.award_id).sort()[0]!;
  const [aReserved, aWaiting] = [first('RESERVED'), first('WAITLISTED')];
  for (const id of [aReserved, aWaiting, aReserved, awardId(12), 'A-99999']) {
    await r.call(`cancel ${id}`, () => cancelAward(ledger, clock, { award_id: id, reason: 'withdrawn', by: 'clerk' }));
  }
  await r.checkpoint('D: cancellations');

  // E. A run over several batches and pages, approved by a second person, exported.
  await r.call('prepare 2025-02', () => prepareRun({ ledger, runs, clock }, { period: '2025-02', by: 'Maker' }, { batchSize: 2, pageSize: 1, concurrency: 1 }));
  await r.call('prepare 2025-02 again', () => prepareRun({ ledger, runs, clock }, { period: '2025-02', by: 'Other' }, { concurrency: 1 }));
  await r.call('approve by the maker', () => approveRun({ runs, clock }, { run_id: 'RUN-2025-02', by: ' maker ' }));
  await r.call('approve', () => approveRun({ runs, clock }, { run_id: 'RUN-2025-02', by: 'Checker' }));
  await r.call('approve again', () => approveRun({ runs, clock }, { run_id: 'RUN-2025-02', by: 'Checker' }));
  await r.call('export', () => exportRun({ runs, clock, sink: discardingSink }, { run_id: 'RUN-2025-02' }));
  await r.checkpoint('E: prepared, approved, exported');

  // F. Settlement: part of the run (one payment fails), the same file again, a contradiction, the rest.
  const items = (await collect(runs.listRunItems('RUN-2025-02'))).map((i) => i.award_id).sort();
  const part: [string, 'PAID' | 'FAILED'][] = items.slice(0, 3).map((id, i) => [id, i === 1 ? 'FAILED' : 'PAID']);
  await r.call('settle part', () => settleRun({ runs, clock }, { run_id: 'RUN-2025-02', rows: rows(part), by: 'bank' }));
  await r.call('settle part again', () => settleRun({ runs, clock }, { run_id: 'RUN-2025-02', rows: rows(part), by: 'bank' }));
  await r.call('settle contradicting', () => settleRun({ runs, clock }, { run_id: 'RUN-2025-02', rows: rows([[items[1]!, 'PAID']]), by: 'bank' }));
  await r.call('settle all', () => settleRun({ runs, clock }, { run_id: 'RUN-2025-02', rows: rows(items.map((id) => [id, 'PAID'])), by: 'bank' }));
  await r.call('paid by month 2025', () => runs.paidByMonth(2025));
  await r.checkpoint('F: settled');

  // G. The next run takes the failed payment back and what was approved later.
  await r.call('prepare 2025-06', () => prepareRun({ ledger, runs, clock }, { period: '2025-06', by: 'Maker' }, { batchSize: 3, pageSize: 2, concurrency: 1 }));
  await r.call('runs', () => runs.listRuns());
  await r.checkpoint('G: second run');

  // H. Reads: queue heads, envelope and award listings, pages of batchable awards, batch listings.
  for (const key of ENVELOPES) {
    await r.call(`queueHead ${envelopePk(key)}`, () => ledger.queueHead(key, 2));
    for (const status of ['RESERVED', 'WAITLISTED', 'BATCHED', 'PAID', 'CANCELLED'] as const) {
      await r.call(`awards ${status} ${envelopePk(key)}`, () => collect(ledger.listAwards({ status, ...key })).then((a) => a.map((x) => x.award_id)));
    }
    for (const pageSize of [1, 2, 3]) {
      await r.call(`batchable ${envelopePk(key)} by ${pageSize}`, () => collect(runs.batchableAwards(key, '2025-12-31', pageSize)).then((pages) => pages.map((p) => p.map((a) => a.award_id))));
    }
  }
  await r.call('envelopes', () => ledger.listEnvelopes());
  await r.call('envelopes 2024', () => ledger.listEnvelopes(2024));
  // A scan's order is DynamoDB's own (by hash): compared as a set.
  await r.call('awards REJECTED (scan)', () => collect(ledger.listAwards({ status: 'REJECTED' })).then((a) => a.map((x) => x.award_id).sort()));
  const run6 = await runs.getRun('RUN-2025-06');
  for (const b of run6?.batches ?? []) await r.call(`payments of ${b.batch_id}`, () => collect(runs.listBatchPayments('RUN-2025-06', b.batch_id)));
  await r.call('control totals', () => runs.readControlTotals('RUN-2025-06'));
  await r.call('settlement totals', () => runs.readSettlementTotals('RUN-2025-02'));
  await r.call('run items by award', () => runs.getRunItemsByAward('RUN-2025-02', [...items, 'A-99999']));
  await r.call('getAwards', () => ledger.getAwards(['A-00001', 'A-99999', 'A-00001']));
}

/** Award records built as intake builds them, for calling the ports directly. */
function award(t: number, status: Award['status'], at = '2025-07-01T00:00:00.000Z'): Award {
  const checked = validateAwardRecord(recordOf(t, 'ok'));
  if (!checked.ok) throw new Error('template does not validate');
  return {
    ...checked.record, fiscal_year: Number(checked.record.approved_date.slice(0, 4)), status, trace: [],
    content_hash: awardContentHash(checked.record), submission_id: 'port', line: t + 2, intake_outcome: status === 'WAITLISTED' ? 'WAITLISTED' : 'RESERVED',
    created_at: at, updated_at: at, history: [{ at, status }],
  };
}

/** The ports called directly: refusals with their per-item reasons, and injected faults. */
async function portsScenario(r: Recorder): Promise<void> {
  const { ledger, runs } = r.env.store;
  const key: EnvelopeKey = ENVELOPES[0]!;
  const at = '2025-07-02T00:00:00.000Z';
  const audit = (n: number) => ({ at: `2025-07-02T00:00:0${n}.000Z`, by: 'officer', old_budget_fen: null, new_budget_fen: 100_000 });
  const fault = (f: Fault) => { r.env.faults.push(f); };

  await r.call('reserve without an envelope', () => ledger.reserveNew(key, [award(0, 'RESERVED')]));
  await r.call('budget on a missing envelope', () => ledger.writeBudget(key, undefined, { budget_fen: 100_000, available_fen: 100_000, alert_at: [80] }, audit(1)));
  await r.call('budget "create" again', () => ledger.writeBudget(key, undefined, { budget_fen: 100_000, available_fen: 100_000, alert_at: [80] }, audit(2)));
  await r.call('budget at a stale version', () => ledger.writeBudget(key, 7, { budget_fen: 100_000, available_fen: 100_000, alert_at: [80] }, audit(3)));
  await r.call('reserve A1', () => ledger.reserveNew(key, [award(0, 'RESERVED')]));
  await r.call('reserve A1 again', () => ledger.reserveNew(key, [award(0, 'RESERVED')]));
  await r.call('reserve A1 + A4, more than is left', () => ledger.reserveNew(key, [award(0, 'RESERVED'), award(3, 'RESERVED')]));
  await r.call('waitlist A4', () => ledger.waitlistNew(key, [award(3, 'WAITLISTED')]));
  await r.call('waitlist A4 again', () => ledger.waitlistNew(key, [award(3, 'WAITLISTED')]));
  await r.call('reserve A2 while someone waits', () => ledger.reserveNew(key, [award(1, 'RESERVED')]));
  const env = await ledger.getEnvelope(key);
  const entry = (t: number) => ({ award_id: awardId(t), approved_date: TEMPLATES[t]!.approved, amount_fen: TEMPLATES[t]!.yuan * 100 });
  await r.call('serve at a stale queue_seq', () => ledger.reserveFromQueue(key, env!.queue_seq - 1, [entry(3)], at));
  await r.call('serve an award that does not wait', () => ledger.reserveFromQueue(key, env!.queue_seq, [entry(0)], at));
  // One item twice in a transaction: refused with nothing applied. (Where the conditions would hold,
  // DynamoDB Local and AWS refuse it differently; Bursar never sends such a request.)
  await r.call('serve one entry twice, more than is left', () => ledger.reserveFromQueue(key, env!.queue_seq, [entry(3), entry(3)], at));
  await r.call('insert a rejected award over A1', () => ledger.insertRejected(award(0, 'REJECTED')));
  const stored = (await ledger.getAward(awardId(0)))!;
  await r.call('cancel A1', () => ledger.cancelReserved(stored, { at, status: 'CANCELLED', by: 'clerk', note: 'withdrawn' }));
  await r.call('cancel A1 again', () => ledger.cancelReserved(stored, { at, status: 'CANCELLED', by: 'clerk', note: 'withdrawn' }));
  const waiting = (await ledger.getAward(awardId(3)))!;
  await r.call('cancel waiting A4', () => ledger.cancelWaitlisted(waiting, { at, status: 'CANCELLED', by: 'clerk', note: 'withdrawn' }));
  await r.call('cancel waiting A4 again', () => ledger.cancelWaitlisted(waiting, { at, status: 'CANCELLED', by: 'clerk', note: 'withdrawn' }));
  await r.checkpoint('ledger refusals');

  // Faults, through the same gate: a TransactionConflict, throttling (nothing applied), a lost reply
  // (applied), unprocessed BatchGet keys (retried), a conflicting single-item write.
  fault('conflict');
  await r.call('reserve A2, TransactionConflict', () => ledger.reserveNew(key, [award(1, 'RESERVED')]));
  fault('throttle');
  await r.call('reserve A2, throttled', () => ledger.reserveNew(key, [award(1, 'RESERVED')]));
  await r.call('A2 after throttling', () => ledger.getAward(awardId(1)));
  fault('lost');
  await r.call('reserve A2, reply lost', () => ledger.reserveNew(key, [award(1, 'RESERVED')]));
  await r.call('A2 after the lost reply', () => ledger.getAward(awardId(1)).then((a) => a?.status));
  fault('partial');
  await r.call('getAwards, half unprocessed', () => ledger.getAwards([awardId(0), awardId(1), awardId(3)]).then((m) => [...m.keys()].sort()));
  await r.call('reserve A3 and A6', () => ledger.reserveNew(key, [award(2, 'RESERVED'), award(5, 'RESERVED')]));
  await r.checkpoint('faults');

  // Runs.
  const newRun = (id: string, period: string) => ({ run_id: id, period, through_date: '2025-06-30', batch_size: 2, prepared_by: 'Maker', prepared_at: at });
  await r.call('create run', () => runs.createRun(newRun('RUN-2025-06', '2025-06')));
  await r.call('create run again', () => runs.createRun(newRun('RUN-2025-06', '2025-06')));
  const move = (t: number, seq: number) => ({ award: award(t, 'RESERVED'), batch_id: `RUN-2025-06-M07-EITB-00${Math.ceil(seq / 2)}`, seq: ((seq - 1) % 2) + 1 });
  await r.call('move A2', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 0, key, [move(1, 1)], at));
  await r.call('move A2 again', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 0, key, [move(1, 1)], at));
  await r.call('move A3 at a wrong count', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 5, key, [move(2, 2)], at));
  await r.call('move a cancelled award', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 1, key, [move(0, 2)], at));
  await r.env.store.patch(envelopePk(key), ENVELOPE_SK, { reserved_fen: 0 });
  await r.call('move A3, envelope short', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 1, key, [move(2, 2)], at));
  await r.env.store.patch(envelopePk(key), ENVELOPE_SK, { reserved_fen: 80_000 });
  fault('conflict');
  await r.call('move A3, TransactionConflict', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 1, key, [move(2, 2)], at));
  await r.call('move A3 and A6', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 1, key, [move(2, 2), move(5, 3)], at));
  await r.call('series count', () => runs.seriesCount('RUN-2025-06', 'M07-EITB'));
  await r.call('seal: stop taking awards', () => runs.startSealing('RUN-2025-06', at));
  await r.call('move after sealing started', () => runs.moveIntoRun('RUN-2025-06', 'M07-EITB', 3, key, [move(6, 4)], at));
  await r.call('seal: stop again', () => runs.startSealing('RUN-2025-06', at));
  const totals = await runs.readControlTotals('RUN-2025-06');
  await r.call('control totals', async () => totals);
  const sealed = { award_count: 3, total_fen: totals.batches.reduce((s, b) => s + b.total_fen, 0), batches: totals.batches };
  await r.call('seal', () => runs.sealRun('RUN-2025-06', sealed, at));
  await r.call('seal again', () => runs.sealRun('RUN-2025-06', sealed, at));
  await r.call('export before approval', () => runs.recordExport('RUN-2025-06', at, []));
  fault('conflict');
  await r.call('approve, conflicting write', () => runs.approveRun('RUN-2025-06', 'Checker', at));
  await r.call('approve', () => runs.approveRun('RUN-2025-06', 'Checker', at));
  await r.call('approve again', () => runs.approveRun('RUN-2025-06', 'Checker', at));
  await r.call('export', () => runs.recordExport('RUN-2025-06', at, [{ name: 'f.csv', location: 'x', sha256: 'a' }]));
  await r.call('export again', () => runs.recordExport('RUN-2025-06', at, [{ name: 'f.csv', location: 'y', sha256: 'b' }]));
  const settle = (id: string, outcome: 'PAID' | 'FAILED', amount: number) => ({ award_id: id, amount_fen: amount, outcome, reference: outcome === 'PAID' ? `BK-${id}` : '', reason: outcome === 'FAILED' ? 'closed' : '' });
  await r.call('settle A2 paid', () => runs.settlePayments('RUN-2025-06', key, [settle(awardId(1), 'PAID', 50_000)], '2025-07', at, 'bank'));
  await r.call('settle A2 again', () => runs.settlePayments('RUN-2025-06', key, [settle(awardId(1), 'PAID', 50_000)], '2025-07', at, 'bank'));
  await r.call('settle an award not in the run', () => runs.settlePayments('RUN-2025-06', key, [settle(awardId(4), 'FAILED', 10_000)], '2025-07', at, 'bank'));
  await r.env.store.patch(envelopePk(key), ENVELOPE_SK, { batched_fen: 0 });
  await r.call('settle A3, envelope short', () => runs.settlePayments('RUN-2025-06', key, [settle(awardId(2), 'FAILED', 20_000)], '2025-07', at, 'bank'));
  await r.env.store.patch(envelopePk(key), ENVELOPE_SK, { batched_fen: 50_000 });
  await r.call('settle A3 failed, A6 paid', () => runs.settlePayments('RUN-2025-06', key, [settle(awardId(2), 'FAILED', 20_000), settle(awardId(5), 'PAID', 30_000)], '2025-07', at, 'bank'));
  await r.call('settlement totals', () => runs.readSettlementTotals('RUN-2025-06'));
  await r.call('record settlement', async () => runs.recordSettlement('RUN-2025-06', await runs.readSettlementTotals('RUN-2025-06'), at));
  await r.call('record an older count', () => runs.recordSettlement('RUN-2025-06', { item_count: 3, paid_count: 1, paid_fen: 50_000, failed_count: 0, failed_fen: 0 }, at));
  await r.call('run', () => runs.getRunHeader('RUN-2025-06'));
  await r.call('paid by month', () => runs.paidByMonth(2025));
  await r.checkpoint('runs');
  await r.call('run header item', async () => (await r.env.store.dump()).find((it) => it.pk === runPk('RUN-2025-06') && it.sk === RUN_SK));
}

let envs: [Env, Env];
beforeAll(async () => { envs = await makeEnvs(); });
afterAll(async () => { await Promise.all((envs ?? []).map((e) => e.store.close())); });

function compare(memory: Transcript, dynamo: Transcript): void {
  expect(memory.map((e) => e.label)).toEqual(dynamo.map((e) => e.label));
  for (const [i, m] of memory.entries()) expect({ step: m.label, value: m.value }).toEqual({ step: m.label, value: dynamo[i]!.value });
}

describe('the in-memory store behaves as DynamoDB Local does', () => {
  test('services end to end: the same results and the same items at every checkpoint', async () => {
    const [memory, dynamo] = envs.map((e) => new Recorder(e));
    await servicesScenario(memory!);
    await servicesScenario(dynamo!);
    expect(memory!.transcript.length).toBeGreaterThan(60);
    compare(memory!.transcript, dynamo!.transcript);
  }, 60_000);

  test('ports: the same refusals with the same per-item reasons, the same faults, the same items', async () => {
    const fresh = await makeEnvs();
    try {
      const [memory, dynamo] = fresh.map((e) => new Recorder(e));
      await portsScenario(memory!);
      await portsScenario(dynamo!);
      compare(memory!.transcript, dynamo!.transcript);
      // The scenario did reach the refusals it is about (not only successes).
      const values = JSON.stringify(memory!.transcript.map((e) => e.value));
      for (const reason of ['"envelopeChanged":true', '"existingAwards":["A-00001"]', '"staleAwards":["A-00002"]', '"staleItems":["A-00002"]',
        '"counterMoved":true', '"runClosed":true', '"envelopeShort":true', '"collided":true', 'ThrottlingException',
        'TimeoutError', 'ConditionalCheckFailedException']) {
        expect({ reason, found: values.includes(reason) }).toEqual({ reason, found: true });
      }
    } finally {
      await Promise.all(fresh.map((e) => e.store.close()));
    }
  }, 60_000);
});
