import type { Command } from 'commander';
import { AWARD_STATUSES, type Award, type AwardStatus } from '../../shared/domain/award.ts';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { cancelAward } from '../../shared/services/awards.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';
import { intOption } from '../parse-options.ts';
import { DEFAULT_INTAKE_BATCH_SIZE, DEFAULT_INTAKE_CONCURRENCY } from '../intake-defaults.ts';
import type { EventsFactory } from './budget.ts';
import { awardView } from './views.ts';

const STATUSES: readonly AwardStatus[] = AWARD_STATUSES;

export function registerAwards(program: Command, events: EventsFactory = () => undefined): void {
  const awards = program.command('awards').description('approved awards: submit, look up, cancel');

  awards
    .command('submit <file>')
    .description('submit an approved-award CSV file through the intake handler')
    .option('--concurrency <n>', 'handler invocations at once (Lambda concurrency)', intOption('--concurrency', 1, 64), DEFAULT_INTAKE_CONCURRENCY)
    .option('--batch-size <n>', 'records per handler invocation (the SQS batch size)', intOption('--batch-size', 1, 10_000), DEFAULT_INTAKE_BATCH_SIZE)
    .action(async (file: string, opts: { concurrency: number; batchSize: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { SingleBar, Presets } = await import('cli-progress');
        const bar = !out.json && process.stderr.isTTY ? new SingleBar({ format: 'intake [{bar}] {value} records', stream: process.stderr }, Presets.shades_classic) : undefined;
        bar?.start(0, 0);
        let done = 0;
        const envelopeEvents = await events(runtime);
        const { submitAwardFile } = await import('../submit-awards.ts');
        const report = await submitAwardFile(runtime, file, {
          concurrency: opts.concurrency,
          batchSize: opts.batchSize,
          ...(envelopeEvents ? { events: envelopeEvents } : {}),
          onProgress: (n) => { done += n; bar?.setTotal(done); bar?.update(done); },
        });
        bar?.stop();
        out.result(report, () => {
          const problems = report.results.filter((r) => r.outcome !== 'RESERVED' && r.outcome !== 'WAITLISTED');
          return [
            `${report.submitted} record(s): ${report.reserved} reserved, ${report.waitlisted} waitlisted, ${report.rejected} rejected, ` +
              `${report.held} held, ${report.duplicates} duplicate, ${report.conflicts} conflict, ${report.invalid} invalid${report.dead_lettered ? `, ${report.dead_lettered} dead-lettered` : ''}.`,
            ...problems.slice(0, 50).map((r) => `line ${r.line}${r.award_id ? ` (${r.award_id})` : ''}: ${r.outcome} ${r.reason ?? ''}${r.errors ? ` - ${r.errors.map(fieldMessage).join('; ')}` : ''}`),
            ...(problems.length > 50 ? [`... and ${problems.length - 50} more (use --json for all)`] : []),
          ].join('\n');
        });
      });
    });

  awards
    .command('show <id>')
    .description('one award with its status, reason, rule trace and history')
    .option('--show-account', 'show the payee account in full (it is masked otherwise)')
    .action(async (id: string, opts: { showAccount?: boolean }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const award = await runtime.ledger.getAward(id);
        if (!award) throw new NotFoundError('award', id);
        // Its recoveries (issue 15): only a paid award can have any.
        const { DynamoRecoveries } = await import('../../shared/adapters/dynamo/dynamo-recoveries.ts');
        // By id after a consistent read of the award (not the list index, which can lag a claim just opened).
        const { recoveries } = await new DynamoRecoveries(runtime.doc, runtime.tableName).ofAward(award);
        const view = { ...awardView(award, { showAccount: opts.showAccount === true }), recoveries };
        out.result(view, () => [
          `${award.award_id}  ${award.status}${award.reason ? ` (${award.reason})` : ''}`,
          `measure ${award.measure}, FY${award.fiscal_year}, ${formatYuanGrouped(award.amount_fen)} yuan, approved ${award.approved_date} by ${award.approving_unit}`,
          `recipient ${award.recipient_name} (${award.recipient_uscc}); payee ${award.payee_bank} ${view.payee_account}`,
          'rules:', ...award.trace.map((t) => `  ${t.ok ? 'ok  ' : 'FAIL'} ${t.rule}: ${t.detail}`),
          'history:', ...award.history.map((h) => `  ${h.at} ${h.status}${h.by ? ` by ${h.by}` : ''}${h.note ? `: ${h.note}` : ''}`),
          ...(recoveries.length > 0 ? ['recoveries:', ...recoveries.map((r) => `  ${r.recovery_id} ${r.status} ${formatYuanGrouped(r.amount_fen)} yuan: ${r.reason}`)] : []),
        ].join('\n'));
      });
    });

  awards
    .command('list')
    .description('list awards')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, (v: string) => {
      if (!STATUSES.includes(v as AwardStatus)) throw new ValidationError('BAD_OPTION', `--status must be one of ${STATUSES.join(', ')}`, { field: '--status' });
      return v as AwardStatus;
    })
    .option('--measure <n>', 'measure number', intOption('--measure', 1, 999))
    .option('--fiscal-year <year>', 'fiscal year', intOption('--fiscal-year', 2000, 2100))
    .action(async (opts: { status?: AwardStatus; measure?: number; fiscalYear?: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const found: Award[] = [];
        for await (const award of runtime.ledger.listAwards({
          ...(opts.status ? { status: opts.status } : {}),
          ...(opts.measure ? { measure: opts.measure } : {}),
          ...(opts.fiscalYear ? { fiscal_year: opts.fiscalYear } : {}),
        })) found.push(award);
        found.sort((a, b) => (a.award_id < b.award_id ? -1 : 1));
        out.result({ awards: found.map((a) => awardView(a)) }, () => found.length === 0 ? 'No awards.'
          : table(['award', 'status', 'reason', 'measure', 'FY', 'amount', 'approved'],
            found.map((a) => [a.award_id, a.status, a.reason ?? '', a.measure, a.fiscal_year, formatYuanGrouped(a.amount_fen), a.approved_date])));
      });
    });

  awards
    .command('cancel <id>')
    .description('cancel a RESERVED award (money returns), a WAITLISTED one (it leaves the queue) or a RETURNED one (a failed payment; not by whoever imported the failure)')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--by <name>', 'who cancels (recorded)')
    .action(async (id: string, opts: { reason: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await cancelAward(runtime.ledger, runtime.clock, { award_id: id, reason: opts.reason, by: opts.by }, await events(runtime));
        out.result({ award: awardView(result.award), changed: result.changed, drained: result.drained }, () => [
          result.changed ? `Cancelled ${id}.` : `${id} was already cancelled; nothing changed.`,
          ...(result.drained.length > 0 ? [`Reserved from the waitlist: ${result.drained.join(', ')}`] : []),
        ].join('\n'));
      });
    });
}

/** Field errors name their field already in most messages; say it once. */
function fieldMessage(e: { field: string; message: string }): string {
  return e.message.startsWith(e.field) ? e.message : `${e.field}: ${e.message}`;
}
