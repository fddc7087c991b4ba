/**
 * Jest globalSetup (ESM: the default export is called once, in the main jest process, before any
 * worker starts). Starts ONE in-memory DynamoDB Local for the whole run, unless
 * BURSAR_DYNAMODB_ENDPOINT already names one, and publishes its endpoint as
 * BURSAR_TEST_DYNAMODB_ENDPOINT, which the workers inherit. Tests get their own tables from
 * test/support/dynamo.ts (`freshTable`).
 */
import { startDynamoLocal, type DynamoLocal } from '../../cli/local/dynamo-local.ts';

declare global {
  // eslint-disable-next-line no-var
  var __BURSAR_DYNAMO_LOCAL__: DynamoLocal | undefined;
}

export default async function globalSetup(): Promise<void> {
  const external = process.env['BURSAR_DYNAMODB_ENDPOINT'];
  if (external) {
    process.env['BURSAR_TEST_DYNAMODB_ENDPOINT'] = external;
    return;
  }
  const started = Date.now();
  const local = await startDynamoLocal({ inMemory: true });
  globalThis.__BURSAR_DYNAMO_LOCAL__ = local;
  process.env['BURSAR_TEST_DYNAMODB_ENDPOINT'] = local.endpoint;
  if (process.env['BURSAR_TEST_VERBOSE']) {
    console.log(`\nDynamoDB Local up at ${local.endpoint} in ${Date.now() - started} ms`);
  }
}
