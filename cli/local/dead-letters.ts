import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeadLetter } from './local-queue.ts';

/**
 * The local dead-letter queue: messages the local runtime gave up on, kept in the store's table
 * (pk `LOCALDLQ#<queue>`) so `bursar dlq list` can show them. In AWS each queue has a real DLQ.
 */
export class DeadLetterStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async add(letter: DeadLetter): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: { pk: `LOCALDLQ#${letter.queue}`, sk: `${letter.deadAt}#${letter.messageId}`, type: 'DEAD_LETTER', ...letter },
    }));
  }

  async list(queue: string): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `LOCALDLQ#${queue}` },
        ExclusiveStartKey: start,
      }));
      for (const item of out.Items ?? []) {
        const { pk: _pk, sk: _sk, type: _type, ...letter } = item;
        letters.push(letter as DeadLetter);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return letters;
  }
}
