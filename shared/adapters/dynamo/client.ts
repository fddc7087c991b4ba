import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

/**
 * The DynamoDB client and document client every adapter uses. With an `endpoint` (DynamoDB Local)
 * the region defaults to 'local' and, unless AWS credentials are in the environment, dummy
 * credentials are used so nothing goes looking for a profile or instance role.
 */
export function createDynamoClients(config: { endpoint?: string; region?: string } = {}): DynamoClients {
  const options: DynamoDBClientConfig = { maxAttempts: 5, retryMode: 'standard' };
  if (config.region) options.region = config.region;
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    options.region ??= 'local';
    if (!process.env['AWS_ACCESS_KEY_ID'] || !process.env['AWS_SECRET_ACCESS_KEY']) {
      options.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    }
  }
  const client = new DynamoDBClient(options);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, doc };
}
