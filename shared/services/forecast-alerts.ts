import { envelopeId } from '../domain/envelope.ts';
import { forecastAlert } from '../domain/build-alert.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { forecastWarns } from '../domain/forecast.ts';
import type { AlertOutbox } from '../ports/alert-outbox.ts';
import type { AlertSender } from '../ports/alert-sender.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { Clock } from './clock.ts';
import { forecastEnvelopes } from './forecast-envelopes.ts';

/** The warning window (issue 15: "within 30 days (a setting)"); BURSAR_FORECAST_ALERT_DAYS overrides it. */
export const DEFAULT_FORECAST_ALERT_DAYS = 30;
/** At most one FORECAST alert per envelope per this many days. */
export const FORECAST_ALERT_QUIET_DAYS = 7;

export interface ForecastAlertDeps {
  ledger: Pick<Ledger, 'listEnvelopes' | 'listAwardAmounts'>;
  outbox: AlertOutbox;
  clock: Clock;
  sender?: AlertSender;
  /** The warning window in days. */
  days?: number;
}

/** The window from the environment, refusing nonsense rather than guessing. */
export function forecastAlertDaysFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_FORECAST_ALERT_DAYS;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error(`BURSAR_FORECAST_ALERT_DAYS must be a whole number of days from 1 to 366, got ${JSON.stringify(value)}`);
  return days;
}

const minusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/**
 * Early warnings (预测预警): every open envelope with a budget whose forecast runs out within the
 * window and before its year ends raises a FORECAST alert to its units and FIN, at most once per
 * envelope per 7 days (the envelope records the day; the write is conditional, so repeated and
 * racing runs raise it once). Run by the nightly reconciliation. Returns the alerts stored.
 */
export async function raiseForecastAlerts(deps: ForecastAlertDeps): Promise<string[]> {
  const today = shanghaiDate(new Date(deps.clock.now()));
  const days = deps.days ?? DEFAULT_FORECAST_ALERT_DAYS;
  // Open envelopes with a budget and money left: an exhausted one has had its 100% threshold alert.
  const envelopes = (await deps.ledger.listEnvelopes()).filter((e) => e.status !== 'CLOSED' && e.budget_set && e.available_fen > 0);
  const forecasts = await forecastEnvelopes(deps.ledger, deps.clock, envelopes);
  const stored: string[] = [];
  for (const e of envelopes) {
    const forecast = forecasts.get(envelopeId(e));
    if (!forecast || !forecastWarns(forecast, today, days)) continue;
    const alert = forecastAlert(e, forecast, today, new Date(deps.clock.now()).toISOString());
    if ((await deps.outbox.fireForecast(e, today, minusDays(today, FORECAST_ALERT_QUIET_DAYS), alert)) === 'written') stored.push(alert.alert_id);
  }
  // A failed send is not fatal: the alerts are in the outbox, and unsent alerts are re-sent.
  if (stored.length > 0) await deps.sender?.send(stored).catch(() => undefined);
  return stored;
}
