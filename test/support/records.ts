import { usccCheckChar } from '../../shared/domain/uscc.ts';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { Clock } from '../../shared/services/clock.ts';
import type { TestTable } from './dynamo.ts';

/** A valid unified social credit code derived from a number, so test data is varied but deterministic. */
export function usccFor(n: number): string {
  const body = `91330213${String(n).padStart(9, '0')}`;
  return body + usccCheckChar(body);
}

/** A valid award record (raw CSV text fields) for measure 7 (EITB), FY2025, overridable per field. */
export function awardFields(n: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    award_id: `A-${String(n).padStart(5, '0')}`,
    measure: '7',
    recipient_name: `宁波测试制造有限公司${n}`,
    recipient_uscc: usccFor(n),
    amount_yuan: '1000.00',
    qualifying_date: '2025-03-01',
    approved_date: '2025-04-01',
    approving_unit: 'EITB',
    scheme_id: '',
    payee_bank: '中国银行宁波奉化支行',
    payee_account: `62170000${String(n).padStart(8, '0')}`,
    ...overrides,
  };
}

/** A clock that ticks one millisecond per call, so history entries are ordered and reproducible. */
export function tickingClock(start = Date.parse('2025-05-01T00:00:00Z')): Clock {
  let t = start;
  return { now: () => new Date(t++).toISOString() };
}

export function ledgerOn(table: TestTable, maxTransactionItems = 10): DynamoLedger {
  return new DynamoLedger(table.doc, table.tableName, { maxTransactionItems });
}
