/** Alerts built from an envelope's figures (read consistently by the caller) or a reconciliation report. */
import type { WaitReason } from './award.ts';
import { alertUnits, forecastAlertId, reconciliationAlertId, thresholdAlertId, waitlistAlertId, type Alert } from './alert.ts';
import { reconciliationAlertText, thresholdAlertText, waitlistAlertText, type ReconciliationAlertFacts } from './alert-message.ts';
import { shanghaiDate } from './dates.ts';
import type { Envelope } from './envelope.ts';
import type { Forecast } from './forecast.ts';
import { formatYuanGrouped } from './money.ts';
import { FINANCE_UNIT } from './units.ts';

export function thresholdAlert(envelope: Envelope, threshold: number, createdAt: string): Alert {
  return {
    alert_id: thresholdAlertId(envelope, threshold, envelope.version),
    kind: 'THRESHOLD',
    measure: envelope.measure,
    fiscal_year: envelope.fiscal_year,
    threshold,
    units: alertUnits(envelope.measure),
    created_at: createdAt,
    ...thresholdAlertText(envelope, threshold),
  };
}

/** Keyed by the Shanghai calendar day of `createdAt`: at most one per envelope per day. */
export function waitlistAlert(envelope: Envelope, reason: WaitReason, createdAt: string): Alert {
  return {
    alert_id: waitlistAlertId(envelope, shanghaiDate(new Date(createdAt))),
    kind: 'WAITLIST',
    measure: envelope.measure,
    fiscal_year: envelope.fiscal_year,
    threshold: null,
    wait_reason: reason,
    units: alertUnits(envelope.measure),
    created_at: createdAt,
    ...waitlistAlertText(envelope, reason),
  };
}

/** To the finance bureau only: reconciliation is about the whole store, not one measure. */
export function reconciliationAlert(facts: ReconciliationAlertFacts, createdAt: string): Alert {
  return {
    alert_id: reconciliationAlertId(facts.report_id),
    kind: 'RECONCILIATION',
    measure: null,
    fiscal_year: null,
    threshold: null,
    units: [FINANCE_UNIT],
    created_at: createdAt,
    ...reconciliationAlertText(facts),
  };
}

/** The early warning (预测预警, issue 15): the envelope runs out within the warning window, before its year ends. */
export function forecastAlert(envelope: Envelope, forecast: Forecast, shanghaiDay: string, createdAt: string): Alert {
  const label = `措施${envelope.measure} ${envelope.fiscal_year}年度`;
  const rate = formatYuanGrouped(forecast.burn_rate_fen_per_day);
  const left = formatYuanGrouped(envelope.available_fen);
  return {
    alert_id: forecastAlertId(envelope, shanghaiDay),
    kind: 'FORECAST',
    measure: envelope.measure,
    fiscal_year: envelope.fiscal_year,
    threshold: null,
    forecast_exhaustion_date: forecast.forecast_exhaustion_date,
    units: alertUnits(envelope.measure),
    created_at: createdAt,
    subject: `Bursar FORECAST measure ${envelope.measure} FY${envelope.fiscal_year} runs out ${forecast.forecast_exhaustion_date}`.slice(0, 100),
    message: `${label}预算按近30日日均${rate}元的使用速度，预计于${forecast.forecast_exhaustion_date}用尽（可用余额${left}元）。\n`
      + `Measure ${envelope.measure} FY${envelope.fiscal_year}: at ${rate} yuan a day (last 30 days), the ${left} yuan available runs out on ${forecast.forecast_exhaustion_date}.`,
  };
}
