/** Jest globalTeardown: stops the DynamoDB Local that global-setup.ts started (if it started one). */
import type { DynamoLocal } from '../../cli/local/dynamo-local.ts';

export default async function globalTeardown(): Promise<void> {
  const local = (globalThis as { __BURSAR_DYNAMO_LOCAL__?: DynamoLocal }).__BURSAR_DYNAMO_LOCAL__;
  if (!local) return;
  (globalThis as { __BURSAR_DYNAMO_LOCAL__?: DynamoLocal }).__BURSAR_DYNAMO_LOCAL__ = undefined;
  await local.stop();
}
