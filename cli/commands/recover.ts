import { Option, type Command } from 'commander';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { RECOVERY_STATUSES, type Recovery, type RecoveryStatus } from '../../shared/domain/recovery.ts';
import { cancelRecovery, openRecovery, settleRecovery, type RecoveryDeps } from '../../shared/services/recoveries.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';
import { yuanOption } from '../parse-options.ts';
import type { Runtime } from '../runtime.ts';

/** The recovery store and alert events, loaded when a recover command runs (they bring the AWS SDK). */
async function depsOf(runtime: Runtime): Promise<RecoveryDeps> {
  const [{ DynamoRecoveries }, { alertEvents }] = await Promise.all([import('../../shared/adapters/dynamo/dynamo-recoveries.ts'), import('../alert-events.ts')]);
  const events = alertEvents(runtime);
  return { ledger: runtime.ledger, clock: runtime.clock, recoveries: new DynamoRecoveries(runtime.doc, runtime.tableName), ...(events ? { events } : {}) };
}

const line = (r: Recovery) => `${r.recovery_id}  ${r.status}  award ${r.award_id}  ${formatYuanGrouped(r.amount_fen)} yuan${r.settled_to ? ` -> ${r.settled_to}` : ''}`;

/** `bursar recover open|settle|list|cancel`: money paid in error, claimed back (追回). */
export function registerRecover(program: Command): void {
  const recover = program.command('recover').description('recoveries of money paid in error (追回)');

  recover.command('open <award_id>')
    .description('claim money back from a PAID award (at most what was paid minus its DUE and SETTLED recoveries)')
    .requiredOption('--amount-yuan <amount>', 'how much, in yuan', yuanOption('--amount-yuan'))
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--by <name>', 'who opens it')
    .action(async (awardId: string, opts: { amountYuan: number; reason: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const r = await openRecovery(await depsOf(runtime), { award_id: awardId, amount_fen: opts.amountYuan, reason: opts.reason, by: opts.by });
        out.result(r, () => `Opened ${line(r)}`);
      });
    });

  recover.command('settle <recovery_id>')
    .description("the money is back: to the envelope (year open) or the treasury (year closed)")
    .requiredOption('--reference <text>', 'the bank or treasury reference')
    .requiredOption('--by <name>', 'who settles it')
    .action(async (id: string, opts: { reference: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await settleRecovery(await depsOf(runtime), { recovery_id: id, reference: opts.reference, by: opts.by });
        out.result({ ...result.recovery, changed: result.changed, drained: result.drained }, () => `${result.changed ? 'Settled' : 'Already settled:'} ${line(result.recovery)}`);
      });
    });

  recover.command('cancel <recovery_id>')
    .description('drop a DUE claim')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--by <name>', 'who cancels it')
    .action(async (id: string, opts: { reason: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await cancelRecovery(await depsOf(runtime), { recovery_id: id, reason: opts.reason, by: opts.by });
        out.result({ ...result.recovery, changed: result.changed }, () => `${result.changed ? 'Cancelled' : 'Already cancelled:'} ${line(result.recovery)}`);
      });
    });

  recover.command('list')
    .description('recoveries, optionally of one status')
    .addOption(new Option('--status <status>', 'DUE, SETTLED or CANCELLED').choices([...RECOVERY_STATUSES]))
    .option('--award <award_id>', 'only this award')
    .action(async (opts: { status?: RecoveryStatus; award?: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const recoveries = await (await depsOf(runtime)).recoveries.list({ ...(opts.status ? { status: opts.status } : {}), ...(opts.award ? { award_id: opts.award } : {}) });
        out.result({ recoveries }, () => recoveries.length === 0 ? 'No recoveries.'
          : table(['recovery', 'status', 'award', 'amount', 'to'], recoveries.map((r) => [r.recovery_id, r.status, r.award_id, formatYuanGrouped(r.amount_fen), r.settled_to ?? ''])));
      });
    });
}
