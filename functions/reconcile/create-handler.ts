import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import type { AlertOutbox } from '../../shared/ports/alert-outbox.ts';
import type { AlertSender } from '../../shared/ports/alert-sender.ts';
import { resendUnsentAlerts } from '../../shared/services/resend-alerts.ts';
import { runReconciliation, type RunReconciliationDeps } from '../../shared/services/run-reconciliation.ts';

export interface ReconcileHandlerDeps extends RunReconciliationDeps {
  logger: Logger;
  metrics: Metrics;
  segments: number;
  /** In AWS: re-send stored alerts whose delivery never happened (see budget-alerts.ts). */
  redrive?: { outbox: AlertOutbox; sender: AlertSender };
}

/** The schedule's input: nothing (all fiscal years), or one fiscal year. */
const inputSchema = z.object({ fiscal_year: z.number().int().min(2000).max(2100).optional() }).loose();

/**
 * The nightly reconciliation (EventBridge Scheduler, 02:00 Asia/Shanghai): the same run as
 * `bursar reconcile`, which stores the report and raises a RECONCILIATION alert to FIN when it is
 * not clean; then publishes `ReconciliationClean` (1 or 0, namespace Bursar) for the alarm, and
 * re-sends unsent alerts. A failure throws, so the schedule retries and then dead-letters it.
 */
export function createReconcileHandler(deps: ReconcileHandlerDeps) {
  const { logger, metrics } = deps;
  const handle = async (event: unknown) => {
    const input = inputSchema.parse(event ?? {});
    const outcome = await runReconciliation(deps, { segments: deps.segments, ...(input.fiscal_year ? { fiscalYear: input.fiscal_year } : {}) });
    const { report } = outcome;
    metrics.addMetric('ReconciliationClean', MetricUnit.Count, report.clean ? 1 : 0);
    const summary = {
      report_id: report.report_id, date: report.date, clean: report.clean, checked_envelopes: report.checked_envelopes,
      checked_awards: report.checked_awards, checked_runs: report.checked_runs, mismatches: report.mismatches.length,
      run_mismatches: report.run_mismatches.length, stuck: report.stuck.length, passes: report.passes, duration_ms: report.duration_ms,
      ...(outcome.alert_id ? { alert_id: outcome.alert_id } : {}),
      ...(outcome.forecast_alert_ids?.length ? { forecast_alert_ids: outcome.forecast_alert_ids } : {}),
    };
    if (report.clean) logger.info('reconciliation clean', summary);
    else logger.warn('reconciliation found differences', { ...summary, envelopes: report.mismatches.slice(0, 20) });
    const resent = deps.redrive ? await resendUnsentAlerts({ ...deps.redrive, clock: deps.clock }) : [];
    if (resent.length > 0) logger.warn('re-sent alerts that were never delivered', { alert_ids: resent });
    return { ...summary, resent_alerts: resent.length };
  };
  return middy(handle).use(injectLambdaContext(logger, { logEvent: false })).use(logMetrics(metrics));
}
