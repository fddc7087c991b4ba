import { envelopeId } from '../domain/envelope.ts';
import { reconciliationAlert } from '../domain/build-alert.ts';
import { ValidationError } from '../domain/errors.ts';
import { mismatchedEnvelopes, planRepair, type EnvelopeTally, type ReconciliationReport, type RepairOutcome } from '../domain/reconciliation.ts';
import type { AlertOutbox } from '../ports/alert-outbox.ts';
import type { AlertSender } from '../ports/alert-sender.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import type { Ledger } from '../ports/ledger.ts';
import { raiseForecastAlerts } from './forecast-alerts.ts';
import { checkLedger, type LedgerCheck, type ReconcileDeps, type ReconcileOptions } from './reconcile.ts';

export interface RunReconciliationDeps extends ReconcileDeps {
  /** Where the RECONCILIATION alert to FIN is stored; absent: no alert. */
  outbox?: AlertOutbox;
  /** In AWS, the alert queue. */
  sender?: AlertSender;
  /**
   * Budget alerts: every envelope whose figures check out is re-evaluated after the check (a
   * catch-up for any envelope change whose alert evaluation was lost, e.g. a process that died
   * after its write).
   */
  events?: EnvelopeEvents;
  /** With an outbox: raise FORECAST early warnings (forecast-alerts.ts) from these award records. */
  forecast?: { ledger: Pick<Ledger, 'listEnvelopes' | 'listAwardAmounts'>; days?: number };
}

export interface ReconcileCommand extends ReconcileOptions {
  /** Repair stored envelope figures that differ, recording this name in the audit. */
  repairBy?: string;
}

export interface ReconcileOutcome {
  report: ReconciliationReport;
  /** With a repair: the check made after it (also stored). */
  after_repair?: ReconciliationReport;
  /** The RECONCILIATION alert raised, if the report was not clean. */
  alert_id?: string;
  /** FORECAST early warnings raised by this run (issue 15). */
  forecast_alert_ids?: string[];
}

/**
 * One reconciliation, as `bursar reconcile` and the nightly function run it: check, optionally
 * repair, store the report with its date, alert FIN when not clean, and re-check after a repair.
 */
export async function runReconciliation(deps: RunReconciliationDeps, command: ReconcileCommand = {}): Promise<ReconcileOutcome> {
  const by = command.repairBy?.trim();
  if (command.repairBy !== undefined && !by) {
    throw new ValidationError('MISSING_ACTOR', 'a repair needs who makes it (--by NAME)', { field: 'by' });
  }
  const check = await checkLedger(deps, command);
  const { report } = check;
  if (by && report.mismatches.length > 0) {
    // A repair writes only what a second, independent pass saw too (issue 13, finding 8).
    const confirm = await checkLedger(deps, command);
    report.repairs = await repairEnvelopes(deps, check, by, confirm);
  }
  await deps.store.saveReport(report, report.repairs?.length ? by : undefined);

  const outcome: ReconcileOutcome = { report };
  if (!report.clean && deps.outbox) {
    const alert = reconciliationAlert({
      report_id: report.report_id, date: report.date, mismatches: report.mismatches.length,
      run_mismatches: report.run_mismatches.length, stuck: report.stuck.length, envelopes: mismatchedEnvelopes(report.mismatches),
    }, report.created_at);
    await deps.outbox.putAlert(alert);
    outcome.alert_id = alert.alert_id;
    // A failed send is not fatal: the alert is in the outbox, and unsent alerts are re-sent.
    await deps.sender?.send([alert.alert_id]).catch(() => undefined);
  }

  let final = check;
  if (report.repairs?.some((r) => r.outcome === 'REPAIRED')) {
    final = await checkLedger(deps, command);
    await deps.store.saveReport(final.report);
    outcome.after_repair = final.report;
  }

  if (deps.events) {
    // Only envelopes whose figures agree with their awards: alerts computed from figures known to
    // be wrong would re-arm (or fire) thresholds that a repair then puts back, firing them twice.
    const wrong = new Set(final.report.mismatches.map((m) => envelopeId(m)));
    for (const [k, { envelope }] of final.envelopes) if (envelope && !wrong.has(k)) await deps.events.envelopeChanged(envelope, {});
  }
  if (deps.outbox && deps.forecast) {
    outcome.forecast_alert_ids = await raiseForecastAlerts({
      ledger: deps.forecast.ledger, outbox: deps.outbox, clock: deps.clock, ...(deps.sender ? { sender: deps.sender } : {}),
      ...(deps.forecast.days !== undefined ? { days: deps.forecast.days } : {}),
    });
  }
  return outcome;
}

const FIELDS = ['reserved_fen', 'batched_fen', 'paid_fen', 'returned_fen', 'available_fen', 'waitlisted_fen', 'waitlisted_count'] as const;

/**
 * Set each differing envelope's stored figures to the recomputed ones, conditional on the version
 * the check read, with an audit entry. Award statuses are never touched: the awards are the record,
 * the envelope figures a summary of them. The budget is never changed either.
 */
async function repairEnvelopes(deps: ReconcileDeps, check: LedgerCheck, by: string, confirm: LedgerCheck): Promise<RepairOutcome[]> {
  const outcomes: RepairOutcome[] = [];
  const at = new Date(deps.clock.now()).toISOString();
  for (const { measure, fiscal_year } of mismatchedEnvelopes(check.report.mismatches)) {
    const base = { measure, fiscal_year };
    const checked = check.envelopes.get(envelopeId({ fiscal_year, measure }));
    const envelope = checked?.envelope;
    if (!checked || !envelope) {
      outcomes.push({ ...base, outcome: 'REFUSED', detail: 'awards name this envelope but it has no stored item; set its budget first' });
      continue;
    }
    if (!checked.stable) {
      outcomes.push({ ...base, outcome: 'CHANGED', detail: 'the envelope changed while it was being checked; run reconcile again' });
      continue;
    }
    // Two passes (each a consistent scan inside a quiet bracket) must agree: the same envelope
    // version and the same tally of the award records. A write in flight during one pass, or an
    // award a pass missed, shows as a difference, and nothing is written.
    const again = confirm.envelopes.get(envelopeId({ fiscal_year, measure }));
    if (!again?.stable || again.envelope?.version !== envelope.version || !sameTally(again.tally, checked.tally)) {
      outcomes.push({ ...base, outcome: 'CHANGED', detail: 'a second pass did not see the same figures; nothing written, run reconcile again' });
      continue;
    }
    const plan = planRepair(envelope, checked.tally);
    if (!plan.ok) {
      outcomes.push({ ...base, outcome: 'REFUSED', detail: plan.reason });
      continue;
    }
    const before = Object.fromEntries(FIELDS.map((f) => [f, envelope[f]]));
    const after = Object.fromEntries(FIELDS.map((f) => [f, plan.figures[f]]));
    const written = await deps.store.repairEnvelope(base, envelope.version, plan.figures, { at, by, report_id: check.report.report_id, before, after });
    outcomes.push(written === 'written'
      ? { ...base, outcome: 'REPAIRED', detail: `figures set to the recomputed ones by ${by}`, before, after }
      : { ...base, outcome: 'CHANGED', detail: 'the envelope changed since it was checked; nothing written, run reconcile again' });
  }
  return outcomes;
}

function sameTally(a: EnvelopeTally, b: EnvelopeTally): boolean {
  return a.reserved_fen === b.reserved_fen && a.batched_fen === b.batched_fen && a.paid_fen === b.paid_fen && a.returned_fen === b.returned_fen
    && a.waitlisted_fen === b.waitlisted_fen && a.waitlisted_count === b.waitlisted_count;
}
