import { DynamoAlertOutbox } from '../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import type { AlertOutbox, AlertQuery } from '../../shared/ports/alert-outbox.ts';
import type { Clock } from '../../shared/services/clock.ts';
import type { TestTable } from './dynamo.ts';

export function outboxOn(table: TestTable, maxTransactionItems = 10): DynamoAlertOutbox {
  return new DynamoAlertOutbox(table.doc, table.tableName, { maxTransactionItems });
}

export async function listAlerts(outbox: AlertOutbox, query: AlertQuery = {}): Promise<Alert[]> {
  const found: Alert[] = [];
  for await (const a of outbox.listAlerts(query)) found.push(a);
  return found;
}

/** A clock that ticks a millisecond per call and can be moved, e.g. across a Shanghai midnight. */
export function settableClock(start: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(start);
  return {
    now: () => new Date(t++).toISOString(),
    set: (iso) => { t = Date.parse(iso); },
    advance: (ms) => { t += ms; },
  };
}
