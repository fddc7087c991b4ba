import type { Alert } from '../../shared/domain/alert.ts';
import { UNITS } from '../../shared/domain/units.ts';
import { runReconciliation } from '../../shared/services/run-reconciliation.ts';
import { alertOutboxOf } from '../alert-events.ts';
import { alertView } from '../../shared/domain/alert.ts';
import { reconcileText, reconcileView } from '../commands/reconcile.ts';
import { reconcileDeps } from '../reconcile-wiring.ts';
import { table, type Output } from '../output.ts';
import type { Runtime } from '../runtime.ts';

/**
 * The demo's last part: the alerts that fired while the sample data went in (thresholds crossed,
 * awards waiting, awards held), who received them, one message of each kind in full, and a reconciliation of
 * the whole store, which should be clean.
 */
export async function demoAlerts(runtime: Runtime, out: Output): Promise<void> {
  const alerts: Alert[] = [];
  for await (const a of alertOutboxOf(runtime).listAlerts({})) alerts.push(a);
  const outcome = await runReconciliation(reconcileDeps(runtime));

  out.result({ alerts: alerts.map(alertView), reconciliation: reconcileView(outcome) }, () => {
    const perUnit = UNITS.map((u) => [u.code, u.nameZh, alerts.filter((a) => a.units.includes(u.code)).length] as const).filter(([, , n]) => n > 0);
    const sample = (['THRESHOLD', 'WAITLIST', 'HOLD'] as const).map((kind) => alerts.find((a) => a.kind === kind)).filter((a): a is Alert => a !== undefined);
    return [
      `Alerts fired: ${alerts.length} (${(['THRESHOLD', 'WAITLIST', 'HOLD', 'RECONCILIATION'] as const).map((k) => `${alerts.filter((a) => a.kind === k).length} ${k}`).join(', ')}).`,
      '',
      alerts.length === 0 ? '(none)' : table(['kind', 'FY', 'measure', 'threshold', 'to'],
        alerts.map((a) => [a.kind, a.fiscal_year ?? '', a.measure ?? '', a.threshold === null ? '' : `${a.threshold}%`, a.units.join(' ')])),
      '',
      'Alerts per unit (each bureau subscribes to its own; FIN receives all):',
      table(['unit', 'name', 'alerts'], perUnit.map(([code, name, n]) => [code, name, n])),
      ...sample.flatMap((a) => ['', `${a.alert_id}:`, a.message]),
      '',
      reconcileText(outcome),
    ].join('\n');
  });
}
