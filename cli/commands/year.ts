import type { Command } from 'commander';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import type { MeasureClosePlan } from '../../shared/domain/year-close.ts';
import { approveYearClose, proposeYearClose, yearStatus, type YearCloseDeps } from '../../shared/services/year-close.ts';
import { withRuntime } from '../context.ts';
import { intOption } from '../parse-options.ts';
import { table } from '../output.ts';
import type { Runtime } from '../runtime.ts';

/** The stores and alert events, loaded when a year command runs (they bring the AWS SDK). */
async function depsOf(runtime: Runtime): Promise<YearCloseDeps> {
  const [{ DynamoYearClose }, { alertEvents }, { runStoreOf }] = await Promise.all([
    import('../../shared/adapters/dynamo/dynamo-year-close.ts'), import('../alert-events.ts'), import('../run-requests.ts'),
  ]);
  const events = alertEvents(runtime);
  return {
    ledger: runtime.ledger, clock: runtime.clock, runs: runStoreOf(runtime),
    closes: new DynamoYearClose(runtime.doc, runtime.tableName, runtime.ledger.maxTransactionItems),
    ...(events ? { events } : {}),
  };
}

/** `bursar year close|approve|status`: closing a fiscal year (年终结转), four eyes. */
export function registerYear(program: Command): void {
  const year = program.command('year').description('fiscal years: propose, approve and inspect the year-end close');

  year
    .command('close')
    .description('propose closing a fiscal year and print its plan (carried reservations and queue, lapsed balance)')
    .requiredOption('--fiscal-year <year>', 'the year to close', intOption('--fiscal-year', 2000, 2100))
    .requiredOption('--by <name>', 'who proposes (a different person approves)')
    .action(async (opts: { fiscalYear: number; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await proposeYearClose(await depsOf(runtime), { fiscal_year: opts.fiscalYear, by: opts.by });
        out.result(result, () => `FY${result.fiscal_year} close PROPOSED by ${result.proposed_by}.\n${planTable(result.plan)}`);
      });
    });

  year
    .command('approve')
    .description('approve and execute the proposed close (a second person; safe to run again)')
    .requiredOption('--fiscal-year <year>', 'the year to close', intOption('--fiscal-year', 2000, 2100))
    .requiredOption('--by <name>', 'who approves (not the proposer)')
    .action(async (opts: { fiscalYear: number; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await approveYearClose(await depsOf(runtime), { fiscal_year: opts.fiscalYear, by: opts.by });
        out.result(result, () => `${result.changed ? 'Closed' : 'Already closed:'} FY${result.fiscal_year} into FY${result.fiscal_year + 1}.\n${planTable(result.closed)}${
          result.drained.length > 0 ? `\nReserved ${result.drained.length} waiting award(s) in FY${result.fiscal_year + 1}.` : ''}`);
      });
    });

  year
    .command('status')
    .description('each fiscal year OPEN, PROPOSED or CLOSED, and the days left in the policy (Asia/Shanghai)')
    .action(async (_opts: unknown, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await yearStatus(await depsOf(runtime));
        out.result(result, () => `${result.years.map((y) => `FY${y.fiscal_year}  ${y.status}${y.executing ? ' (executing)' : ''}`).join('\n') || 'No fiscal years.'}\nPolicy ends ${result.policy_ends}: ${result.policy_days_left} day(s) left.`);
      });
    });
}

function planTable(plan: readonly MeasureClosePlan[]): string {
  if (plan.length === 0) return 'No envelopes.';
  return table(['measure', 'carried', 'carried #', 'queued #', 'lapsed'],
    plan.map((p) => [p.measure, formatYuanGrouped(p.carried_fen), p.carried_awards.length, p.queued_awards.length, formatYuanGrouped(p.lapsed_fen)]));
}
