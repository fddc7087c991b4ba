import type { Command } from 'commander';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description("the local runtime's dead-letter store");
  dlq
    .command('list')
    .description('messages the local runtime gave up on after the maximum receive count')
    .option('--queue <name>', 'queue name', 'intake')
    .action(async (opts: { queue: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const letters = await runtime.deadLetters.list(opts.queue);
        // Bodies are award records with personal data: people see ids and errors, --json has the rest.
        out.result({ dead_letters: letters }, () => letters.length === 0 ? `No dead letters on ${opts.queue}.`
          : table(['dead at', 'message', 'receives', 'last error'], letters.map((l) => [l.deadAt, l.messageId, l.receiveCount, l.lastError])));
      });
    });
}
