/**
 * A uniquely named Bursar table on the test DynamoDB (started by global-setup.ts), so parallel
 * jest workers and test files never share data. Call `drop()` when done (e.g. in afterAll).
 */
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../cli/local/dynamo-local.ts';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';

export interface TestTable {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  drop(): Promise<void>;
}

let counter = 0;

export function testEndpoint(): string {
  const endpoint = process.env['BURSAR_TEST_DYNAMODB_ENDPOINT'];
  if (!endpoint) {
    throw new Error(
      'BURSAR_TEST_DYNAMODB_ENDPOINT is not set: run tests through jest (test/support/global-setup.ts starts ' +
        'DynamoDB Local), or set BURSAR_DYNAMODB_ENDPOINT to a running one.',
    );
  }
  return endpoint;
}

export async function freshTable(): Promise<TestTable> {
  const { client, doc } = createDynamoClients({ endpoint: testEndpoint() });
  const random = Math.random().toString(36).slice(2, 8);
  const tableName = `bursar-test-${process.pid}-${++counter}-${random}`;
  await ensureTable(client, tableName);
  let dropped = false;
  return {
    client,
    doc,
    tableName,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } catch (err) {
        if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
      } finally {
        client.destroy();
      }
    },
  };
}
