import type { Command } from 'commander';
import { BursarError } from '../../shared/domain/errors.ts';
import type { GlobalOptions } from '../context.ts';
import { intOption } from '../parse-options.ts';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface ServeOptions { port: number; host: string; tlsCert?: string; tlsKey?: string }

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
      // The server (Hono, the store, the AWS SDK) loads only when this command runs.
      await (await import('../serve-server.ts')).runServer(opts, globals);
    });
}
