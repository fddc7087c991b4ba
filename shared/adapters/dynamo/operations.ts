import {
  BatchGetCommand, QueryCommand, ScanCommand, UpdateCommand,
  type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput, type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../domain/errors.ts';
import { backoff } from '../../retry/backoff.ts';

/** DynamoDB plumbing every adapter shares: paginated reads, batch gets, conditional writes. */
export type Item = Record<string, unknown>;

/** The one test for "the write's condition did not hold". */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** A conditional UpdateItem: true when applied, false when its condition failed; other errors are thrown. */
export async function conditionalUpdate(doc: DynamoDBDocumentClient, input: UpdateCommandInput): Promise<boolean> {
  try {
    await doc.send(new UpdateCommand(input));
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Run a conditional write; a failed condition is swallowed (false), any other error is thrown. */
export async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Every item of `keys` that exists, strongly consistent, 100 keys a call, retrying unprocessed keys
 * with backoff (DynamoDB returns them under throttling) until none are left.
 */
export async function batchGetAll(doc: DynamoDBDocumentClient, tableName: string, keys: readonly Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Item[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new TransientError('BatchGetItem kept returning unprocessed keys');
      if (attempt > 0) await backoff(attempt);
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
    }
  }
  return found;
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
