/** The role-tagged transaction and the shared DynamoDB helpers, against DynamoDB Local. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Transaction, decodeCancellation } from '../../../../shared/adapters/dynamo/transaction.ts';
import { batchGetAll, conditionalUpdate, isConditionalCheckFailed } from '../../../../shared/adapters/dynamo/operations.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';

let table: TestTable;
beforeAll(async () => { table = await freshTable(); });
afterAll(async () => { await table.drop(); });

const put = (pk: string) => ({ Put: { TableName: table.tableName, Item: { pk, sk: 'X', n: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } });

describe('Transaction', () => {
  test('applies every item, or none, and reads a refusal by role and id whatever the item order', async () => {
    expect((await new Transaction().add('award', put('A#1'), 'A1').add('envelope', put('E#1')).run(table.doc)).ok).toBe(true);
    // The envelope first this time, then two awards of which one exists.
    const refused = await new Transaction()
      .add('envelope', put('E#2'))
      .add('award', put('A#2'), 'A2')
      .add('award', put('A#1'), 'A1')
      .add('queue-entry', put('Q#1'), 'A1')
      .run(table.doc);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.failed('award')).toBe(true);
    expect(refused.failedIds('award')).toEqual(['A1']);
    expect(refused.failed('envelope')).toBe(false);
    expect(refused.failed('queue-entry')).toBe(false);
    expect(refused.conflict).toBe(false);
    // Nothing of the refused transaction was applied.
    expect((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'A#2', sk: 'X' } }))).Item).toBeUndefined();
  });

  test('a collision is a conflict, not a failed condition; other errors are thrown', () => {
    const items = [{ role: 'envelope' as const, item: put('E#3') }];
    const conflict = decodeCancellation(items, Object.assign(new Error('x'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'TransactionConflict' }] }));
    expect(conflict.conflict).toBe(true);
    expect(conflict.failed('envelope')).toBe(false);
    expect(decodeCancellation(items, Object.assign(new Error('x'), { name: 'TransactionConflictException' })).conflict).toBe(true);
    expect(() => decodeCancellation(items, Object.assign(new Error('boom'), { name: 'ValidationException' }))).toThrow('boom');
  });
});

describe('helpers', () => {
  test('batchGetAll reads more than 100 keys and skips missing ones', async () => {
    for (let i = 0; i < 120; i++) await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { pk: `B#${i}`, sk: 'X' } }));
    const keys = Array.from({ length: 130 }, (_, i) => ({ pk: `B#${i}`, sk: 'X' }));
    const found = await batchGetAll(table.doc, table.tableName, keys);
    expect(found.map((it) => it.pk).sort()).toEqual(Array.from({ length: 120 }, (_, i) => `B#${i}`).sort());
  });

  test('conditionalUpdate: true when applied, false when the condition fails', async () => {
    const update = {
      TableName: table.tableName, Key: { pk: 'A#1', sk: 'X' },
      ConditionExpression: 'n = :one', UpdateExpression: 'SET n = :two', ExpressionAttributeValues: { ':one': 1, ':two': 2 },
    };
    expect(await conditionalUpdate(table.doc, update)).toBe(true);
    expect(await conditionalUpdate(table.doc, update)).toBe(false);
    expect(isConditionalCheckFailed(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBe(true);
    expect(isConditionalCheckFailed(new Error('x'))).toBe(false);
  });
});
