import { randomUUID } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromKey, toKey, type BudgetTransfer } from '../../domain/budget-transfer.ts';
import { DEFAULT_ALERT_THRESHOLDS } from '../../domain/envelope.ts';
import type { BudgetAuditEntry } from '../../ports/ledger.ts';
import { AUDIT_PREFIX, ENVELOPE_LIST_PK, ENVELOPE_SK, envelopeListSk, envelopePk } from './items.ts';
import { Transaction } from './transaction.ts';

/** A transfer is stored once under its id (TRANSFER#<id>/TRANSFER), in the transaction that moves the money. */
export const transferPk = (id: string) => `TRANSFER#${id}`;
export const TRANSFER_SK = 'TRANSFER';
/** An envelope that is not CLOSED (envelopes written before year end have no status: OPEN). */
export const ENVELOPE_OPEN = '(attribute_not_exists(#st) OR #st <> :closed)';

/**
 * One transaction: the transfer record (new), A's budget and available down, B's up (B is created,
 * or a placeholder made a set budget, when needed), and an audit entry in each envelope's history.
 * Both envelopes are conditioned on the versions read, so the old/new budgets in the audit are exact.
 */
export function transferTransaction(
  tableName: string, t: BudgetTransfer, versions: { from: number; to: number | undefined }, budgets: { from: number; to: number | null },
): Transaction {
  const amt = t.amount_fen;
  const audit = (key: ReturnType<typeof fromKey>, entry: BudgetAuditEntry) => ({
    Put: { TableName: tableName, Item: { pk: envelopePk(key), sk: `${AUDIT_PREFIX}${t.at}#${randomUUID()}`, type: 'BUDGET_AUDIT', ...entry } },
  });
  const note = (direction: 'OUT' | 'IN', counterpart: number) => ({ transfer_id: t.transfer_id, reason: t.reason, direction, counterpart_measure: counterpart, amount_fen: amt });
  return new Transaction()
    .add('transfer', {
      Put: { TableName: tableName, Item: { pk: transferPk(t.transfer_id), sk: TRANSFER_SK, type: 'TRANSFER', ...t }, ConditionExpression: 'attribute_not_exists(pk)' },
    }, t.transfer_id)
    .add('envelope', {
      Update: {
        TableName: tableName,
        Key: { pk: envelopePk(fromKey(t)), sk: ENVELOPE_SK },
        ConditionExpression: `version = :v AND budget_set = :true AND available_fen >= :amt AND ${ENVELOPE_OPEN}`,
        UpdateExpression: 'SET budget_fen = budget_fen - :amt, available_fen = available_fen - :amt, updated_at = :now ADD version :one',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':v': versions.from, ':true': true, ':amt': amt, ':closed': 'CLOSED', ':now': t.at, ':one': 1 },
      },
    })
    .add('envelope', {
      Update: {
        TableName: tableName,
        Key: { pk: envelopePk(toKey(t)), sk: ENVELOPE_SK },
        ConditionExpression: versions.to === undefined ? 'attribute_not_exists(pk)' : `version = :v AND ${ENVELOPE_OPEN}`,
        UpdateExpression: [
          'SET measure = :m, fiscal_year = :fy, budget_set = :true,',
          'budget_fen = if_not_exists(budget_fen, :zero) + :amt, available_fen = if_not_exists(available_fen, :zero) + :amt,',
          'reserved_fen = if_not_exists(reserved_fen, :zero), batched_fen = if_not_exists(batched_fen, :zero),',
          'paid_fen = if_not_exists(paid_fen, :zero), waitlisted_fen = if_not_exists(waitlisted_fen, :zero),',
          'waitlisted_count = if_not_exists(waitlisted_count, :zero), queue_seq = if_not_exists(queue_seq, :zero),',
          'alert_at = if_not_exists(alert_at, :alerts), gsi2pk = :listPk, gsi2sk = :listSk, updated_at = :now',
          'ADD version :one',
        ].join(' '),
        ...(versions.to === undefined ? {} : { ExpressionAttributeNames: { '#st': 'status' } }),
        ExpressionAttributeValues: {
          ...(versions.to === undefined ? {} : { ':v': versions.to, ':closed': 'CLOSED' }),
          ':m': t.to_measure, ':fy': t.fiscal_year, ':true': true, ':zero': 0, ':amt': amt, ':alerts': [...DEFAULT_ALERT_THRESHOLDS],
          ':listPk': ENVELOPE_LIST_PK, ':listSk': envelopeListSk(toKey(t)), ':now': t.at, ':one': 1,
        },
      },
    })
    .add('budget-audit', audit(fromKey(t), {
      at: t.at, by: t.by, old_budget_fen: budgets.from, new_budget_fen: budgets.from - amt, transfer: note('OUT', t.to_measure),
    }))
    .add('budget-audit', audit(toKey(t), {
      at: t.at, by: t.by, old_budget_fen: budgets.to, new_budget_fen: (budgets.to ?? 0) + amt, transfer: note('IN', t.from_measure),
    }));
}

export async function readTransfer(doc: DynamoDBDocumentClient, tableName: string, transferId: string): Promise<BudgetTransfer | undefined> {
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: transferPk(transferId), sk: TRANSFER_SK }, ConsistentRead: true }));
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, ...rest } = out.Item;
  return rest as unknown as BudgetTransfer;
}
