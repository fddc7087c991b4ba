import type { Command } from 'commander';
import { CREDIT_COLUMNS } from '../../shared/domain/credit-columns.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';

/** `bursar credit`: credit restrictions (失信联合惩戒), issue 14. */
export function registerCredit(program: Command): void {
  const credit = program.command('credit').description('credit restrictions: load, list, lift');

  credit
    .command('load <file>')
    .description(`load restrictions from CSV: ${CREDIT_COLUMNS.join(',')} (restricted_to may be empty)`)
    .requiredOption('--by <name>', 'who loads the list (recorded)')
    .action(async (file: string, opts: { by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        // The reader and the service (zod, the store) load with the command, not at start.
        const [{ readCsvFile }, { loadCredit }] = await Promise.all([import('../../shared/csv/read-csv-records.ts'), import('../../shared/services/credit.ts')]);
        const report = await loadCredit(runtime.ledger, runtime.clock, readCsvFile(file, { columns: CREDIT_COLUMNS }), opts.by);
        out.result(report, () => [
          `${report.loaded.length} restriction(s) loaded (${report.loaded.filter((l) => l.change !== 'unchanged').length} new or changed).`,
          ...report.errors.map((e) => `line ${e.line}, ${e.field}: ${e.message}`),
        ].join('\n'));
        if (report.errors.length > 0 && report.loaded.length === 0) return 1;
      });
    });

  credit
    .command('list')
    .description('restrictions (all, or active on a day)')
    .option('--active-on <date>', 'only those active on YYYY-MM-DD')
    .action(async (opts: { activeOn?: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { listCredit } = await import('../../shared/services/credit.ts');
        const found = await listCredit(runtime.ledger, opts.activeOn);
        out.result({ restrictions: found }, () => found.length === 0 ? 'No restrictions.'
          : table(['credit code', 'list', 'from', 'to', 'reference', 'lifted'],
            found.map((r) => [r.recipient_uscc, r.list_name, r.restricted_from, r.restricted_to ?? '(open)', r.reference, r.lifted ? `${r.lifted.at} by ${r.lifted.by}` : ''])));
      });
    });

  credit
    .command('lift <uscc>')
    .description('lift an enterprise\'s restrictions (held awards stay held until released)')
    .requiredOption('--reference <text>', 'the lifting decision\'s reference')
    .requiredOption('--by <name>', 'who lifts (recorded)')
    .action(async (uscc: string, opts: { reference: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { liftCredit } = await import('../../shared/services/credit.ts');
        const lifted = await liftCredit(runtime.ledger, runtime.clock, { uscc, reference: opts.reference, by: opts.by });
        out.result({ lifted }, () => lifted.length === 0 ? `${uscc} had no restriction to lift.` : `Lifted ${lifted.length} restriction(s) of ${uscc}.`);
      });
    });
}
