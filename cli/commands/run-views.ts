import type { FiscalSummary, SummaryFigures } from '../../shared/domain/fiscal-summary.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { formatRate } from '../../shared/domain/summary-report.ts';
import type { Run } from '../../shared/domain/run.ts';
import { table } from '../output.ts';

/** A run as the CLI reports it (amounts in integer fen). Never holds payee data. */
export function runView(run: Run) {
  return {
    run_id: run.run_id,
    period: run.period,
    status: run.status,
    prepared_by: run.prepared_by,
    award_count: run.award_count,
    total_fen: run.total_fen,
    batches: run.batches.map((b) => ({ batch_id: b.batch_id, measure: b.measure, unit: b.unit, count: b.count, total_fen: b.total_fen })),
    prepared_at: run.prepared_at,
    ...(run.sealed_by ? { sealed_by: run.sealed_by } : {}),
    ...(run.digest ? { digest: run.digest } : {}),
    ...(run.approved_digest ? { approved_digest: run.approved_digest } : {}),
    ...(run.through_date ? { through_date: run.through_date } : {}),
    ...(run.batch_size ? { batch_size: run.batch_size } : {}),
    ...(run.approved_by ? { approved_by: run.approved_by, approved_at: run.approved_at } : {}),
    ...(run.exported_at ? { exported_at: run.exported_at } : {}),
    ...(run.paid_count !== undefined ? { paid_count: run.paid_count, paid_fen: run.paid_fen, failed_count: run.failed_count, failed_fen: run.failed_fen } : {}),
    ...(run.settled_at ? { settled_at: run.settled_at } : {}),
    ...(run.reissue ? { reissue: run.reissue } : {}),
  };
}

export function runText(run: Run): string {
  const y = formatYuanGrouped;
  const lines = [
    `${run.run_id}  ${run.status}  period ${run.period}${run.through_date ? ` (approved on or before ${run.through_date})` : ''}`,
    `prepared by ${run.prepared_by}${run.approved_by ? `, approved by ${run.approved_by}` : ''}`,
    `${run.award_count} payment(s), ${y(run.total_fen)} yuan, ${run.batches.length} batch(es)`,
    ...(run.digest ? [`digest ${run.digest}${run.approved_digest ? ' (approved)' : ''}`] : []),
  ];
  if (run.reissue) {
    const r = run.reissue;
    lines.push(`re-issue ${r.number}: ${r.award_count} unsettled payment(s), ${y(r.total_fen)} yuan, asked by ${r.requested_by} (${r.reason}); ` +
      `digest ${r.digest}; ${r.exported_at ? 'exported' : r.approved_by ? `approved by ${r.approved_by}, not exported yet` : 'waiting for approval'}`);
  }
  if (run.paid_count !== undefined) {
    lines.push(`settled: ${run.paid_count} paid (${y(run.paid_fen ?? 0)} yuan), ${run.failed_count ?? 0} failed (${y(run.failed_fen ?? 0)} yuan)`);
  }
  if (run.batches.length > 0) {
    lines.push('', table(['batch', 'measure', 'unit', 'count', 'total (yuan)'], run.batches.map((b) => [b.batch_id, b.measure, b.unit, b.count, y(b.total_fen)])));
  }
  return lines.join('\n');
}

export function runsTable(runs: Run[]): string {
  if (runs.length === 0) return 'No runs.';
  return table(['run', 'period', 'status', 'payments', 'total (yuan)', 'prepared by', 'approved by'],
    runs.map((r) => [r.run_id, r.period, r.status, r.award_count, formatYuanGrouped(r.total_fen), r.prepared_by, r.approved_by ?? '']));
}

const figures = (f: SummaryFigures) => [
  formatYuanGrouped(f.budget_fen), formatYuanGrouped(f.reserved_fen), formatYuanGrouped(f.batched_fen), formatYuanGrouped(f.paid_fen),
  formatYuanGrouped(f.available_fen), formatYuanGrouped(f.waitlisted_fen), formatRate(f.execution_rate) || '-',
];
const FIGURE_HEADERS = ['budget', 'reserved', 'batched', 'paid', 'available', 'waitlisted', 'rate'];

/** The summary for people: measures, sections, units, total and months, amounts in yuan. */
export function summaryText(s: FiscalSummary): string {
  return [
    `预算执行情况 Budget execution — ${s.policy}, FY${s.fiscal_year} (yuan)`,
    '',
    table(['#', 'section', 'measure', ...FIGURE_HEADERS], s.measures.map((m) => [m.measure, m.section, m.title_zh, ...figures(m)])),
    '',
    table(['section', 'title', ...FIGURE_HEADERS], s.sections.map((x) => [x.section, x.title_zh, ...figures(x)])),
    '',
    table(['unit', 'name', 'measures', ...FIGURE_HEADERS], s.units.map((u) => [u.unit, u.name_zh, u.measures.join(','), ...figures(u)])),
    '(a measure with several responsible units counts under each of them)',
    '',
    table(['', ...FIGURE_HEADERS], [['total', ...figures(s.total)]]),
    '',
    table(['month', 'paid'], s.monthly_paid.map((m) => [m.month, formatYuanGrouped(m.paid_fen)])),
  ].join('\n');
}
