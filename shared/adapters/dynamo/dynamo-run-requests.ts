import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HandledRunRequest, RunRequestLog } from '../../ports/run-request-log.ts';
import { conditionally } from './operations.ts';
import { RUN_REQUEST_SK, runRequestPk } from './run-items.ts';

/** Handled run requests in the single table (pk RUNREQ#<request_id>). */
export class DynamoRunRequestLog implements RunRequestLog {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(requestId: string): Promise<HandledRunRequest | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: runRequestPk(requestId), sk: RUN_REQUEST_SK }, ConsistentRead: true,
    }));
    if (!out.Item) return undefined;
    return { request_id: String(out.Item.request_id), fingerprint: String(out.Item.fingerprint), outcome: JSON.parse(String(out.Item.outcome)), at: String(out.Item.at) };
  }

  async record(entry: HandledRunRequest): Promise<void> {
    // Recorded once: a second recording of the same request keeps the first.
    await conditionally(this.doc.send(new PutCommand({
        TableName: this.tableName,
        // The outcome is kept as JSON text: it holds empty strings the bundled DynamoDB Local refuses.
        Item: { pk: runRequestPk(entry.request_id), sk: RUN_REQUEST_SK, type: 'RUN_REQUEST', ...entry, outcome: JSON.stringify(entry.outcome) },
        ConditionExpression: 'attribute_not_exists(pk)',
      })));
  }
}
