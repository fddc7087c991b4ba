import type { Command } from 'commander';
import { ValidationError } from '../../shared/domain/errors.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import type { ReconciliationReport } from '../../shared/domain/reconciliation.ts';
import { runReconciliation, type ReconcileOutcome } from '../../shared/services/run-reconciliation.ts';
import type { RunReaderFactory } from '../reconcile-wiring.ts';
import { withRuntime } from '../context.ts';
import { table, type Output } from '../output.ts';
import { intOption } from '../parse-options.ts';

/** Exit code of a reconciliation that found differences (after a repair: that still has them). */
export const NOT_CLEAN_EXIT_CODE = 2;

/** The JSON `bursar reconcile` prints: the report, plus the repair and its re-check when asked. */
export function reconcileView(outcome: ReconcileOutcome) {
  const { report, after_repair, alert_id, forecast_alert_ids } = outcome;
  return {
    ...report,
    ...(alert_id ? { alert_id } : {}),
    ...(forecast_alert_ids?.length ? { forecast_alert_ids } : {}),
    ...(after_repair ? { after_repair } : {}),
  };
}

export function reconcileText(outcome: ReconcileOutcome): string {
  const lines = [reportText(outcome.report)];
  for (const r of outcome.report.repairs ?? []) lines.push(`repair measure ${r.measure} FY${r.fiscal_year}: ${r.outcome} - ${r.detail}`);
  if (outcome.after_repair) lines.push('', 'After the repair:', reportText(outcome.after_repair));
  if (outcome.alert_id) lines.push('', `Alert ${outcome.alert_id} raised to FIN.`);
  if (outcome.forecast_alert_ids?.length) lines.push('', `Forecast early warning(s) raised: ${outcome.forecast_alert_ids.join(', ')}.`);
  return lines.join('\n');
}

function reportText(r: ReconciliationReport): string {
  const head = `Reconciliation ${r.date} (report ${r.report_id}${r.fiscal_year ? `, FY${r.fiscal_year}` : ''}): ${r.clean ? 'CLEAN' : 'NOT CLEAN'} - ` +
    `${r.checked_envelopes} envelope(s), ${r.checked_awards} award(s), ${r.checked_runs} run(s) checked in ${(r.duration_ms / 1000).toFixed(1)} s.`;
  const parts = [head];
  if (r.mismatches.length > 0) {
    parts.push('', table(['FY', 'measure', 'field', 'stored', 'recomputed'], r.mismatches.map((m) => [
      m.fiscal_year, m.measure, m.field,
      m.field === 'waitlisted_count' ? m.stored_fen : formatYuanGrouped(m.stored_fen),
      m.field === 'waitlisted_count' ? m.recomputed_fen : formatYuanGrouped(m.recomputed_fen),
    ])));
  }
  if (r.run_mismatches.length > 0) {
    parts.push('', table(['run', 'batch', 'field', 'stored', 'recomputed'], r.run_mismatches.map((m) => [m.run_id, m.batch_id ?? '', m.field, m.stored, m.recomputed])));
  }
  if (r.stuck.length > 0) {
    parts.push('', table(['kind', 'FY', 'measure', 'award', 'run', 'detail'], r.stuck.slice(0, 50).map((s) => [s.kind, s.fiscal_year, s.measure, s.award_id ?? '', s.run_id ?? '', s.detail])));
    if (r.stuck.length > 50) parts.push(`... and ${r.stuck.length - 50} more (use --json for all)`);
  }
  return parts.join('\n');
}

/** `runs`: the runs to check (default: those on the CLI's store). */
export function registerReconcile(program: Command, runs?: RunReaderFactory): void {
  const reconcile = program
    .command('reconcile')
    .description('recompute envelopes from the awards, check runs, list stuck items (exit 2 when not clean)')
    .option('--fiscal-year <year>', 'only this fiscal year', intOption('--fiscal-year', 2000, 2100))
    .option('--repair', 'set differing envelope figures to the recomputed ones (audited; needs --by)')
    .option('--by <name>', 'who repairs (recorded in the audit)')
    .option('--segments <n>', 'parallel scan segments', intOption('--segments', 1, 64), 8)
    .action(async (opts: { fiscalYear?: number; repair?: boolean; by?: string; segments: number }, command: Command) => {
      if (opts.repair && !opts.by?.trim()) throw new ValidationError('MISSING_ACTOR', '--repair needs --by NAME (who repairs is audited)', { field: '--by' });
      if (!opts.repair && opts.by !== undefined) throw new ValidationError('BAD_OPTION', '--by is only for --repair', { field: '--by' });
      await withRuntime(command, async (runtime, out) => {
        const { reconcileDeps } = await import('../reconcile-wiring.ts');
        const outcome = await runReconciliation(reconcileDeps(runtime, runs), {
          segments: opts.segments,
          ...(opts.fiscalYear ? { fiscalYear: opts.fiscalYear } : {}),
          ...(opts.repair ? { repairBy: opts.by! } : {}),
        });
        return printOutcome(out, outcome);
      });
    });

  reconcile
    .command('history')
    .description('stored reconciliation reports, newest first')
    .option('--limit <n>', 'at most this many', intOption('--limit', 1, 1000), 30)
    .action(async (opts: { limit: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { reconciliationStoreOf } = await import('../reconcile-wiring.ts');
        const reports = await reconciliationStoreOf(runtime).listReports(opts.limit);
        out.result({ reports }, () => reports.length === 0 ? 'No reconciliations yet.'
          : table(['created', 'date', 'report', 'clean', 'envelopes', 'awards', 'mismatches', 'run mism.', 'stuck', 'repaired by'],
            reports.map((r) => [r.created_at, r.date, r.report_id, r.clean ? 'yes' : 'NO', r.checked_envelopes, r.checked_awards, r.mismatches, r.run_mismatches, r.stuck, r.repaired_by ?? ''])));
      });
    });

  reconcile
    .command('repairs')
    .description('the audit of repaired envelope figures, newest first')
    .option('--limit <n>', 'at most this many', intOption('--limit', 1, 1000), 30)
    .action(async (opts: { limit: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { reconciliationStoreOf } = await import('../reconcile-wiring.ts');
        const repairs = await reconciliationStoreOf(runtime).listRepairs(opts.limit);
        out.result({ repairs }, () => repairs.length === 0 ? 'No repairs.'
          : repairs.map((r) => `${r.at}  ${r.by} repaired measure ${r.measure} FY${r.fiscal_year} (report ${r.report_id}): ` +
            Object.keys(r.after).filter((f) => r.before[f] !== r.after[f]).map((f) => `${f} ${r.before[f]} -> ${r.after[f]}`).join(', ')).join('\n'));
      });
    });
}

function printOutcome(out: Output, outcome: ReconcileOutcome): number {
  out.result(reconcileView(outcome), () => reconcileText(outcome));
  const final = outcome.after_repair ?? outcome.report;
  return final.clean ? 0 : NOT_CLEAN_EXIT_CODE;
}
