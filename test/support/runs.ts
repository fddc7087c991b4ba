import { DynamoRunStore } from '../../shared/adapters/dynamo/dynamo-run-store.ts';
import type { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { processIntake } from '../../shared/services/intake.ts';
import type { IntakeRequest } from '../../shared/domain/queue-messages.ts';
import { setBudget } from '../../shared/services/budget.ts';
import type { Clock } from '../../shared/services/clock.ts';
import type { TestTable } from './dynamo.ts';

export function runStoreOn(table: TestTable, maxTransactionItems = 10): DynamoRunStore {
  return new DynamoRunStore(table.doc, table.tableName, { maxTransactionItems });
}

let submissions = 0;

/** Submit records through the real intake and insist every one was RESERVED. */
export async function reserve(ledger: DynamoLedger, clock: Clock, records: Record<string, string>[]): Promise<void> {
  const submission = `sub-${++submissions}`;
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: submission, line: i + 2, record }]));
  const settled = await processIntake({ ledger, clock }, requests);
  for (const [id, s] of settled) {
    if (!s.ok) throw new Error(`intake of ${id} failed: ${s.error.message}`);
    if (s.result.outcome !== 'RESERVED') throw new Error(`${s.result.award_id} was ${s.result.outcome} (${s.result.reason ?? ''}), expected RESERVED`);
  }
}

export async function budget(ledger: DynamoLedger, clock: Clock, measure: number, fiscalYear: number, yuan: number): Promise<void> {
  await setBudget(ledger, clock, { measure, fiscal_year: fiscalYear, amount_fen: yuan * 100, by: 'budget-officer' });
}

/** A clock fixed at a Shanghai instant, ticking a millisecond per call. */
export function clockAt(iso: string): Clock {
  let t = Date.parse(iso);
  return { now: () => new Date(t++).toISOString() };
}
