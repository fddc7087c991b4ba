import type { Command } from 'commander';
import { maskAccount } from '../../shared/domain/award.ts';
import type { DeadLetter } from '../local/local-queue.ts';
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
        // Bodies are award records with personal data: people see ids and errors, --json has the rest,
        // with the payee account masked as everywhere outside payment files.
        out.result({ dead_letters: letters.map(maskLetter) }, () => letters.length === 0 ? `No dead letters on ${opts.queue}.`
          : table(['dead at', 'message', 'receives', 'last error'], letters.map((l) => [l.deadAt, l.messageId, l.receiveCount, l.lastError])));
      });
    });
}

/** A dead letter as shown: the intake record's payee account masked; a body that is not one is not shown. */
function maskLetter(letter: DeadLetter): DeadLetter {
  let body: unknown;
  try {
    body = JSON.parse(letter.body);
  } catch {
    return { ...letter, body: `(not shown: ${letter.body.length} characters that are not an intake message)` };
  }
  const record = (body as { record?: Record<string, unknown> } | null)?.record;
  if (record && typeof record === 'object' && typeof record['payee_account'] === 'string') {
    return { ...letter, body: JSON.stringify({ ...(body as object), record: { ...record, payee_account: maskAccount(record['payee_account']) } }) };
  }
  return letter;
}
