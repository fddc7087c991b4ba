/**
 * The cast the bureau-scoping tests share: a server with two bureau users of different units
 * (jxj of EITB, kjj of STB) and a finance clerk (alice), each signed in.
 */
import { startTestServer, type ApiClient, type TestServer } from './api-server.ts';

export interface TwoBureaus {
  server: TestServer;
  /** jxj, bureau user of EITB (measure 7 is EITB's, with IPC). */
  eitb: ApiClient;
  /** kjj, bureau user of STB (measure 11 is STB's alone). */
  stb: ApiClient;
  /** alice, clerk. */
  clerk: ApiClient;
}

export async function startWithTwoBureaus(): Promise<TwoBureaus> {
  const server = await startTestServer();
  await server.addUser('jxj', ['bureau'], 'EITB');
  await server.addUser('kjj', ['bureau'], 'STB');
  await server.addUser('alice', ['clerk']);
  return { server, eitb: await server.signIn('jxj'), stb: await server.signIn('kjj'), clerk: await server.signIn('alice') };
}
