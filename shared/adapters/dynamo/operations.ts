import { randomUUID } from 'node:crypto';
import {
  QueryCommand, ScanCommand, TransactWriteCommand,
  type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** DynamoDB plumbing every adapter shares: paginated reads and one transaction with its outcome. */
export type Item = Record<string, unknown>;
export type TxItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * The outcome of TransactWriteItems. A cancelled transaction is an answer, not an error: `codes`
 * holds the per-item cancellation reasons (in item order) and `conflict` says whether it collided
 * with another transaction (worth retrying as is) rather than failing a condition.
 */
export type TxOutcome = { ok: true } | { ok: false; codes: string[]; conflict: boolean };

export async function transactWrite(doc: DynamoDBDocumentClient, items: TxItem[]): Promise<TxOutcome> {
  try {
    // The client request token makes the SDK's own retry of a write whose reply was lost idempotent.
    await doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }));
    return { ok: true };
  } catch (error) {
    return cancelledOutcome(error);
  }
}

/** Translate a transaction's failure into its outcome; anything but a cancellation or collision is rethrown. */
export function cancelledOutcome(error: unknown): TxOutcome {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e.name === 'TransactionCanceledException') {
    const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    return { ok: false, codes, conflict: codes.length === 0 || codes.some((c) => c === 'TransactionConflict') };
  }
  if (e.name === 'TransactionConflictException' || e.name === 'TransactionInProgressException') {
    return { ok: false, codes: [], conflict: true };
  }
  throw error;
}

/** Every item a query matches, page by page (never all pages in memory). */
export async function* queryItems(doc: DynamoDBDocumentClient, input: QueryCommandInput): AsyncIterable<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Every item a scan (or one scan segment) returns, page by page. */
export async function* scanItems(doc: DynamoDBDocumentClient, input: ScanCommandInput): AsyncIterable<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}
