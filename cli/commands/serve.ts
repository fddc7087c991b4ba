import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import type { Command } from 'commander';
import { BursarError } from '../../shared/domain/errors.ts';
import { createApp } from '../../shared/http/app.ts';
import type { GlobalOptions } from '../context.ts';
import { defaultExportsDir, localApiDeps } from '../local/api-deps.ts';
import { intOption } from '../parse-options.ts';
import { openRuntime, publishStore, resolveDataDir } from '../runtime.ts';

/** The console's build output, served at `/` when it exists. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

interface ServeOptions { port: number; host: string; tlsCert?: string; tlsKey?: string }

/**
 * `bursar serve`: the HTTP API and the console over the embedded store, until SIGINT/SIGTERM; then
 * in-flight requests and background run preparations finish and it exits 0. Anything but loopback
 * needs TLS. Other commands on the data dir use this process's store while it runs.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (/api/v1) and the console on the local store until Ctrl-C')
    .option('--port <n>', 'port (0 picks a free one)', intOption('--port', 0, 65535), 8080)
    .option('--host <address>', 'address to listen on (anything but loopback needs --tls-cert/--tls-key)', '127.0.0.1')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .action(async (opts: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const tls = opts.tlsCert !== undefined || opts.tlsKey !== undefined;
      if (tls && (!opts.tlsCert || !opts.tlsKey)) throw new BursarError('TLS_REQUIRED', 'give both --tls-cert and --tls-key');
      if (!tls && !isLoopback(opts.host)) {
        throw new BursarError('TLS_REQUIRED', `listening on ${opts.host} (not loopback) needs --tls-cert FILE --tls-key FILE`);
      }
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
    });
}
