import { randomUUID } from 'node:crypto';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * TransactWriteItems by role. Every item of a transaction says what it is (the envelope, an award,
 * a queue entry, a run item …) and, for per-record items, whose record it is. A cancelled
 * transaction is decoded by those roles, never by position, so items can be added or reordered
 * without breaking how a refusal is read.
 */
export type TxItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export type TxRole =
  | 'envelope' | 'award' | 'queue-entry' | 'budget-audit' | 'alert' | 'alert-delivery'
  | 'run' | 'run-item' | 'run-series' | 'paid-month' | 'repair-audit'
  | 'user' | 'login-state' | 'session' | 'audit-entry'
  | 'transfer' | 'year-close' | 'recovery'
  | 'enterprise';

export interface RoledItem {
  role: TxRole;
  /** Whose record this item writes (an award id for awards, run items, queue entries). */
  id?: string;
  item: TxItem;
}

/** A cancelled transaction, read by role. */
export interface TxRefusal {
  ok: false;
  /** Another transaction touched the same items: worth retrying as is. */
  conflict: boolean;
  /** Did any item of this role fail its condition? */
  failed(role: TxRole): boolean;
  /** The ids of the items of this role whose condition failed. */
  failedIds(role: TxRole): string[];
}

export type TxResult = { ok: true } | TxRefusal;

export class Transaction {
  readonly items: RoledItem[] = [];

  add(role: TxRole, item: TxItem, id?: string): this {
    this.items.push(id === undefined ? { role, item } : { role, id, item });
    return this;
  }

  addAll(items: readonly RoledItem[]): this {
    this.items.push(...items);
    return this;
  }

  get size(): number {
    return this.items.length;
  }

  /** Run it; a cancellation or collision is an answer, any other error is thrown. */
  async run(doc: DynamoDBDocumentClient): Promise<TxResult> {
    try {
      // The client request token makes the SDK's own retry of a write whose reply was lost idempotent.
      await doc.send(new TransactWriteCommand({ TransactItems: this.items.map((i) => i.item), ClientRequestToken: randomUUID() }));
      return { ok: true };
    } catch (error) {
      return decodeCancellation(this.items, error);
    }
  }
}

/** Translate a transaction's failure into a refusal by role; anything but a cancellation or collision is rethrown. */
export function decodeCancellation(items: readonly RoledItem[], error: unknown): TxRefusal {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  let codes: string[];
  if (e.name === 'TransactionCanceledException') codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  else if (e.name === 'TransactionConflictException' || e.name === 'TransactionInProgressException') codes = [];
  else throw error;
  // AWS reports one reason per item, in item order; no reasons at all means a collision.
  const failedItems = items.filter((_, i) => codes[i] === 'ConditionalCheckFailed');
  return {
    ok: false,
    conflict: codes.length === 0 || codes.some((c) => c === 'TransactionConflict'),
    failed: (role) => failedItems.some((i) => i.role === role),
    failedIds: (role) => failedItems.filter((i) => i.role === role && i.id !== undefined).map((i) => i.id as string),
  };
}

export function checkTransactionSize(items: number, limit: number): void {
  if (items > limit) throw new RangeError(`a transaction of ${items} items exceeds the limit of ${limit}`);
}

/** One record's write (the first item, in `role`) with the audit entries that must land with it. */
export function runRecordWithAudit(doc: DynamoDBDocumentClient, role: TxRole, [record, ...audits]: [TxItem, ...TxItem[]]): Promise<TxResult> {
  const tx = new Transaction().add(role, record);
  for (const audit of audits) tx.add('audit-entry', audit);
  return tx.run(doc);
}
