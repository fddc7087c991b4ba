import type { Command } from 'commander';
import { alertView, type Alert } from '../../shared/domain/alert.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { resolveUnit, UNITS, type UnitCode } from '../../shared/domain/units.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';

export function alertsText(alerts: Alert[]): string {
  if (alerts.length === 0) return 'No alerts.';
  return table(['created', 'kind', 'FY', 'measure', 'threshold', 'units'],
    alerts.map((a) => [a.created_at, a.kind, a.fiscal_year ?? '', a.measure ?? '', a.threshold === null ? '' : `${a.threshold}%`, a.units.join(' ')]))
    + '\n\n' + alerts.map((a) => `${a.alert_id}\n${a.message}`).join('\n\n');
}

/**
 * --since is a Shanghai calendar date: alerts created from its midnight in Shanghai on. (The date
 * module builds its time-zone formatter on load, ~70 ms: loaded when the option is used.)
 */
async function sinceInstant(date: string): Promise<string> {
  return (await import('../../shared/domain/dates.ts')).sinceShanghaiDay(date, '--since');
}

function unitOption(value: string): UnitCode {
  const unit = resolveUnit(value);
  if (!unit) throw new ValidationError('BAD_OPTION', `--unit must be a unit code (${UNITS.map((u) => u.code).join(', ')}) or its Chinese name`, { field: '--unit' });
  return unit;
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('budget, waitlist and reconciliation alerts to the bureaus');
  alerts
    .command('list')
    .description('alerts in the outbox, oldest first')
    .option('--unit <code>', 'only alerts to this unit (code, or Chinese name as in the document)', unitOption)
    .option('--since <date>', 'only alerts created on or after this date (YYYY-MM-DD, Asia/Shanghai)')
    .action(async (opts: { unit?: UnitCode; since?: string }, command: Command) => {
      const since = opts.since === undefined ? undefined : await sinceInstant(opts.since);
      await withRuntime(command, async (runtime, out) => {
        const { alertOutboxOf } = await import('../alert-events.ts');
        const found: Alert[] = [];
        for await (const a of alertOutboxOf(runtime).listAlerts({ ...(opts.unit ? { unit: opts.unit } : {}), ...(since ? { since } : {}) })) found.push(a);
        out.result({ alerts: found.map(alertView) }, () => alertsText(found));
      });
    });
}
