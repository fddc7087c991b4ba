import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../shared/http/app.ts';
import type { ServeOptions } from './commands/serve.ts';
import type { GlobalOptions } from './context.ts';
import { defaultExportsDir, localApiDeps } from './local/api-deps.ts';
import { packageRoot } from './package-root.ts';
import { openRuntime, publishStore, resolveDataDir } from './runtime.ts';

/** The console's build output, served at `/` when it exists. */
export const WEB_DIST = path.join(packageRoot(), 'web', 'dist');

/**
 * `bursar serve`: the HTTP API and the console over the embedded store, until SIGINT/SIGTERM; then
 * in-flight requests and background run preparations finish and it exits 0. Options were checked
 * (TLS for anything but loopback) by the command before this module was loaded.
 */
export async function runServer(opts: ServeOptions, globals: GlobalOptions): Promise<void> {
  const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined;
  const serverOptions = tls ? { cert: readFileSync(opts.tlsCert!), key: readFileSync(opts.tlsKey!) } : undefined;

  const signalsBefore = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')]);
  const runtime = await openRuntime(globals.dataDir ? { dataDir: globals.dataDir } : {});
  // The embedded store's launcher stops DynamoDB Local at the first signal; here the store must
  // outlive the requests still in flight, so this command stops it itself (runtime.close below).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) if (!signalsBefore.has(listener)) process.off(signal, listener);
  }
  const dataDir = resolveDataDir(globals.dataDir ? { dataDir: globals.dataDir } : {});
  const withdraw = runtime.location.mode === 'embedded' ? publishStore(dataDir, runtime.location.endpoint) : () => {};
  const deps = localApiDeps(runtime, { exportsDir: defaultExportsDir(dataDir), secureCookies: tls, staticDir: WEB_DIST });
  const app = createApp(deps);

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({
      fetch: app.fetch, port: opts.port, hostname: opts.host,
      ...(serverOptions ? { createServer: createHttpsServer, serverOptions } : {}),
    }, () => resolve(s));
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${address.port}/`;
  if (globals.json) process.stdout.write(`${JSON.stringify({ url })}\n`);
  else process.stderr.write(`bursar serve: listening on ${url} (Ctrl-C to stop)\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await deps.runOps.idle();
  withdraw();
  await runtime.close();
}
