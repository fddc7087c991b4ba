/**
 * Issue 7, part 1: what the model test found, each reduced to a few steps on the real adapters over
 * DynamoDB Local, with the fault that exposes it injected at one chosen request (the same gate the
 * model test uses). Fixed findings stay here as regression tests; all three are fixed. Finding 1b, a
 * narrower form of finding 1 left after its fix, is `test.failing` and explains itself.
 */
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { cancelAward } from '../../shared/services/awards.ts';
import { setBudget } from '../../shared/services/budget.ts';
import { processIntake, type IntakeResult } from '../../shared/services/intake.ts';
import type { IntakeRequest } from '../../shared/domain/queue-messages.ts';
import { freshTable, type TestTable } from '../support/dynamo.ts';
import { awardFields, tickingClock } from '../support/records.ts';
import { gatedDocClient, type Fault, type StoreGate } from './support/store-gate.ts';

const key = { measure: 7, fiscal_year: 2025 };
const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
/** Faults for the next DynamoDB requests, one per request, in order. */
let faults: (Fault | undefined)[];
const clock = tickingClock();

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  faults = [];
  ledger = new DynamoLedger(gated({ before: async () => faults.shift(), after: async () => {} }), table.tableName, { maxTransactionItems: 10 });
});
/** A client on the test table whose requests pass `gate` (SDK middleware); destroyed after the tests. */
const clients: { destroy(): void }[] = [];
function gated(gate: StoreGate) {
  const doc = gatedDocClient(gate);
  clients.push(doc);
  return doc;
}
afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all(tables.map((t) => t.drop()));
});

async function deliver(submission: string, line: number, record: Record<string, string>, through = ledger): Promise<IntakeResult> {
  const settled = await processIntake({ ledger: through, clock }, new Map<string, IntakeRequest>([['m', { submission_id: submission, line, record }]]));
  const s = settled.get('m')!;
  if (!s.ok) throw s.error;
  return s.result;
}

const head = { approved_date: '2025-03-01', amount_yuan: '700' }; // waits: more than the 500 available
const older = { approved_date: '2025-01-15', amount_yuan: '300' }; // older than the head, and fits

describe('findings of the money-core model test', () => {
  test('finding 2 (fixed): a cancellation whose reply was lost, run again, still serves the queue', async () => {
    await setBudget(ledger, clock, { ...key, amount_fen: 50_000, by: 'officer' });
    expect((await deliver('s1', 2, awardFields(1, { amount_yuan: '300', approved_date: '2025-01-10' }))).outcome).toBe('RESERVED');
    expect((await deliver('s1', 3, awardFields(2, { amount_yuan: '400', approved_date: '2025-02-10' }))).outcome).toBe('WAITLISTED');

    // cancelAward: GetItem (the award), then the cancel transaction: applied, but its reply is lost.
    faults.push(undefined, 'lost');
    await expect(cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'withdrawn', by: 'clerk' })).rejects.toThrow(/applied/);
    expect((await ledger.getAward('A-00001'))!.status).toBe('CANCELLED');

    // The clerk runs the command again: nothing to cancel, but the released money must reach the queue.
    const again = await cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'withdrawn', by: 'clerk' });
    expect(again).toMatchObject({ changed: false, drained: ['A-00002'] });
    expect((await ledger.getAward('A-00002'))!.status).toBe('RESERVED');
    expect(await ledger.queueHead(key, 10)).toEqual([]);
    expect(await ledger.getEnvelope(key)).toMatchObject({ budget_fen: 50_000, reserved_fen: 40_000, available_fen: 10_000, waitlisted_count: 0 });
  });

  test('finding 3 (fixed): an award queued by a delivery that failed before serving the queue is served when submitted again', async () => {
    await setBudget(ledger, clock, { ...key, amount_fen: 50_000, by: 'officer' });
    expect((await deliver('s1', 2, awardFields(1, head))).outcome).toBe('WAITLISTED');

    // Intake of A-00002: BatchGetItem, GetItem (the envelope its year is charged to: open or closed),
    // BatchGetItem (its enterprise's controls record) and Query (the credit list), GetItem (the
    // envelope's cap), GetItem (envelope), then the waitlist transaction: applied (A-00002 is now the
    // queue's head, and it fits), but the reply is lost before the queue is served.
    faults.push(undefined, undefined, undefined, undefined, undefined, undefined, 'lost');
    await expect(deliver('s2', 2, awardFields(2, older))).rejects.toThrow(/applied/);
    expect((await ledger.queueHead(key, 10)).map((e) => e.award_id)).toEqual(['A-00002', 'A-00001']);

    // The message is dead-lettered (or the CLI was killed here); the bureau submits the file again.
    const again = await deliver('s3', 2, awardFields(2, older));
    expect(again.outcome).toBe('DUPLICATE');
    expect((await ledger.getAward('A-00002'))!.status).toBe('RESERVED');
    expect((await ledger.queueHead(key, 10)).map((e) => e.award_id)).toEqual(['A-00001']);
    expect(await ledger.getEnvelope(key)).toMatchObject({ reserved_fen: 30_000, available_fen: 20_000, waitlisted_count: 1, waitlisted_fen: 70_000 });
  });

  /**
   * Finding 1 (fixed): when intake queues an award and its own drain then serves it in the same call
   * (the award is older than an unaffordable head and fits), the first delivery reports RESERVED;
   * the serving transaction now stores intake_outcome RESERVED too, so a redelivery reports the same.
   */
  test('finding 1 (fixed): a redelivered message reports RESERVED when its first delivery did', async () => {
    await setBudget(ledger, clock, { ...key, amount_fen: 50_000, by: 'officer' });
    expect((await deliver('s1', 2, awardFields(1, head))).outcome).toBe('WAITLISTED');
    const first = await deliver('s2', 2, awardFields(2, older));
    expect(first.outcome).toBe('RESERVED');
    const redelivered = await deliver('s2', 2, awardFields(2, older));
    expect(redelivered.outcome).toBe(first.outcome);
  });

  /**
   * Finding 1b (fixed): SQS may hand one message to two invocations at once. Delivery A queues the
   * award and its own drain then serves it, storing intake_outcome RESERVED (the fix of finding 1).
   * Delivery B read the award while it was still WAITLISTED (after A's waitlist write, before A's
   * drain) and found nothing left to serve. Each delivery now reports the intake outcome read from
   * the store once its own writes are done, so both report RESERVED, as every later redelivery does.
   * The order is forced here with two gates: A pauses before its serving transaction until B has
   * read the award; B pauses after that read until A has served it.
   */
  test('finding 1b: two concurrent deliveries of one message report the same outcome', async () => {
    await setBudget(ledger, clock, { ...key, amount_fen: 50_000, by: 'officer' });
    expect((await deliver('s1', 2, awardFields(1, head))).outcome).toBe('WAITLISTED');

    let bRead!: () => void;
    let aServed!: () => void;
    const bHasRead = new Promise<void>((r) => { bRead = r; });
    const aHasServed = new Promise<void>((r) => { aServed = r; });
    const transactions = { a: 0 };
    const gateA: StoreGate = {
      // A: BatchGetItem, GetItem (envelope), waitlist transaction, GetItem, Query (queue head), serving transaction.
      before: async (call) => { if (call.op === 'transact' && ++transactions.a === 2) await bHasRead; return undefined; },
      after: async (call) => { if (call.op === 'transact' && transactions.a === 2) aServed(); },
    };
    let bRequests = 0;
    const gateB: StoreGate = {
      before: async () => { if (++bRequests === 2) await aHasServed; return undefined; },
      after: async () => { if (bRequests === 1) bRead(); },
    };
    const ledgerA = new DynamoLedger(gated(gateA), table.tableName, { maxTransactionItems: 10 });
    const ledgerB = new DynamoLedger(gated(gateB), table.tableName, { maxTransactionItems: 10 });
    const a = deliver('s2', 2, awardFields(2, older), ledgerA);
    // B starts once A's waitlist transaction is in: its first request (BatchGetItem) reads WAITLISTED.
    while (transactions.a < 2) await new Promise((r) => setTimeout(r, 5));
    const b = deliver('s2', 2, awardFields(2, older), ledgerB);
    const [first, second] = await Promise.all([a, b]);
    expect((await ledger.getAward('A-00002'))).toMatchObject({ status: 'RESERVED', intake_outcome: 'RESERVED' });
    expect(second.outcome).toBe(first.outcome);
  });
});
