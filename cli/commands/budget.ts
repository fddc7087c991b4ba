import { envelopeId } from '../../shared/domain/envelope.ts';
import type { Command } from 'commander';
import type { FieldError } from '../../shared/domain/award.ts';
import { BursarError } from '../../shared/domain/errors.ts';
import { formatYuanGrouped, parseYuanAllowZero } from '../../shared/domain/money.ts';
import { setBudget, type SetBudgetResult } from '../../shared/services/budget.ts';
import type { EnvelopeEvents } from '../../shared/ports/envelope-events.ts';
import { withRuntime } from '../context.ts';
import { intOption, listOfInts, yuanOption } from '../parse-options.ts';
import { envelopesTable, envelopeView } from './views.ts';
import type { Runtime } from '../runtime.ts';
import { registerBudgetTransfer } from './budget-transfer.ts';
import { forecastEnvelopes } from '../../shared/services/forecast-envelopes.ts';

export const BUDGET_COLUMNS = ['measure', 'fiscal_year', 'amount_yuan'] as const;

/** Where budget alerts go; the alerts issue plugs its implementation in here. */
export type EventsFactory = (runtime: Runtime) => EnvelopeEvents | undefined | Promise<EnvelopeEvents | undefined>;

export function registerBudget(program: Command, events: EventsFactory = () => undefined): void {
  const budget = program.command('budget').description('budget envelopes per measure and fiscal year');
  registerBudgetTransfer(budget, events);

  budget
    .command('set')
    .description("create an envelope or change its total (audited; never below what is committed)")
    .requiredOption('--measure <n>', 'measure number 1-27', intOption('--measure', 1, 999))
    .requiredOption('--fiscal-year <year>', 'fiscal year, e.g. 2025', intOption('--fiscal-year', 2000, 2100))
    .requiredOption('--amount-yuan <amount>', 'the envelope total in yuan, e.g. 1500000.00', yuanOption('--amount-yuan', { allowZero: true }))
    .requiredOption('--by <name>', 'who makes the change (audited)')
    .option('--alert-at <list>', 'alert thresholds in percent of the budget, e.g. 50,80,100', listOfInts('--alert-at'))
    .option('--enterprise-cap-yuan <amount>', 'most one enterprise may be awarded under this measure and fiscal year', yuanOption('--enterprise-cap-yuan'))
    .action(async (opts: { measure: number; fiscalYear: number; amountYuan: number; by: string; alertAt?: number[]; enterpriseCapYuan?: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await setBudget(runtime.ledger, runtime.clock, {
          measure: opts.measure, fiscal_year: opts.fiscalYear, amount_fen: opts.amountYuan, by: opts.by,
          ...(opts.alertAt ? { alert_at: opts.alertAt } : {}),
          ...(opts.enterpriseCapYuan !== undefined ? { enterprise_cap_fen: opts.enterpriseCapYuan } : {}),
        }, await events(runtime));
        out.result(budgetResultView(result), () => describeChange(result));
      });
    });

  budget
    .command('load <file>')
    .description('set many envelopes from CSV: measure,fiscal_year,amount_yuan')
    .requiredOption('--by <name>', 'who makes the changes (audited)')
    .action(async (file: string, opts: { by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const results: ({ line: number } & ReturnType<typeof budgetResultView>)[] = [];
        const errors: ({ line: number } & FieldError)[] = [];
        const seen = new Map<string, number>();
        const { readCsvFile } = await import('../../shared/csv/read-csv-records.ts');
        for await (const row of readCsvFile(file, { columns: BUDGET_COLUMNS })) {
          if (row.kind === 'error') { errors.push({ line: row.line, field: row.field ?? 'record', message: row.message }); continue; }
          const parsed = parseBudgetRow(row.fields);
          if (!parsed.ok) { errors.push(...parsed.errors.map((e) => ({ line: row.line, ...e }))); continue; }
          const key = envelopeId(parsed);
          const earlier = seen.get(key);
          if (earlier !== undefined) {
            errors.push({ line: row.line, field: 'measure', message: `measure ${parsed.measure} FY${parsed.fiscal_year} already set on line ${earlier}; line ${earlier} counts` });
            continue;
          }
          seen.set(key, row.line);
          try {
            const result = await setBudget(runtime.ledger, runtime.clock, { ...parsed, by: opts.by }, await events(runtime));
            results.push({ line: row.line, ...budgetResultView(result) });
          } catch (error) {
            if (!(error instanceof BursarError)) throw error;
            const field = typeof error.context['field'] === 'string' ? error.context['field'] : 'amount_yuan';
            errors.push({ line: row.line, field, message: error.message });
          }
        }
        out.result({ results, errors }, () => [
          `${results.length} envelope(s) set.`,
          ...results.filter((r) => r.drained.length > 0).map((r) => `line ${r.line}: reserved ${r.drained.length} waiting award(s) for measure ${r.envelope.measure}`),
          ...errors.map((e) => `line ${e.line}, ${e.field}: ${e.message}`),
        ].join('\n'));
      });
    });

  budget
    .command('show')
    .description('envelope figures')
    .option('--fiscal-year <year>', 'only this fiscal year', intOption('--fiscal-year', 2000, 2100))
    .action(async (opts: { fiscalYear?: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const envelopes = await runtime.ledger.listEnvelopes(opts.fiscalYear);
        const forecasts = await forecastEnvelopes(runtime.ledger, runtime.clock, envelopes); // issue 15 §4
        out.result({ envelopes: envelopes.map((e) => ({ ...envelopeView(e), ...forecasts.get(envelopeId(e)) })) }, () => envelopesTable(envelopes));
      });
    });

  budget
    .command('history')
    .description("an envelope's audited budget changes")
    .requiredOption('--measure <n>', 'measure number', intOption('--measure', 1, 999))
    .requiredOption('--fiscal-year <year>', 'fiscal year', intOption('--fiscal-year', 2000, 2100))
    .action(async (opts: { measure: number; fiscalYear: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const audit = await runtime.ledger.listBudgetAudit({ measure: opts.measure, fiscal_year: opts.fiscalYear });
        out.result({ audit }, () => audit.length === 0 ? 'No budget changes.'
          : audit.map((a) => `${a.at}  ${a.by}: ${a.old_budget_fen === null ? '(none)' : formatYuanGrouped(a.old_budget_fen)} -> ${formatYuanGrouped(a.new_budget_fen)}`).join('\n'));
      });
    });
}

function budgetResultView(result: SetBudgetResult) {
  return { envelope: envelopeView(result.envelope), changed: result.changed, drained: result.drained };
}

function describeChange(result: SetBudgetResult): string {
  const e = result.envelope;
  const lines = [
    `${result.changed ? 'Set' : 'Unchanged:'} measure ${e.measure} FY${e.fiscal_year} budget ${formatYuanGrouped(e.budget_fen)} yuan; available ${formatYuanGrouped(e.available_fen)}.`,
  ];
  if (result.drained.length > 0) lines.push(`Reserved ${result.drained.length} waiting award(s): ${result.drained.join(', ')}`);
  if (e.waitlisted_count > 0) lines.push(`${e.waitlisted_count} award(s) still waiting (${formatYuanGrouped(e.waitlisted_fen)} yuan).`);
  return lines.join('\n');
}

function parseBudgetRow(fields: Record<string, string>):
  | { ok: true; measure: number; fiscal_year: number; amount_fen: number }
  | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const measure = fields['measure']?.trim() ?? '';
  const year = fields['fiscal_year']?.trim() ?? '';
  const amount = parseYuanAllowZero(fields['amount_yuan']?.trim() ?? '');
  if (!/^[1-9]\d{0,2}$/.test(measure)) errors.push({ field: 'measure', message: `measure must be a measure number 1-27, got "${measure.slice(0, 20)}"` });
  if (!/^20\d\d$/.test(year)) errors.push({ field: 'fiscal_year', message: `fiscal_year must be a year such as 2025, got "${year.slice(0, 20)}"` });
  if (!amount.ok) errors.push({ field: 'amount_yuan', message: `amount_yuan: ${amount.message}` });
  if (errors.length > 0 || !amount.ok) return { ok: false, errors };
  return { ok: true, measure: Number(measure), fiscal_year: Number(year), amount_fen: amount.fen };
}

