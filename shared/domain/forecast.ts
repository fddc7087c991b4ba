/**
 * Exhaustion forecast (预测) of one envelope, from the money its awards committed: the rate over the
 * last 30 Asia/Shanghai days and since the year began (integer fen per day, rounded down), and the
 * day the available money runs out at the 30-day rate, or "not this year" when that is after the
 * fiscal year's end (or nothing is being committed). Pure: the same store and clock give the same answer.
 */
export const FORECAST_WINDOW_DAYS = 30;
export const NOT_THIS_YEAR = 'not this year';

export interface Commitment {
  /** The Asia/Shanghai day the money was committed (YYYY-MM-DD). */
  date: string;
  amount_fen: number;
}

export interface Forecast {
  burn_rate_fen_per_day: number;
  burn_rate_year_fen_per_day: number;
  forecast_exhaustion_date: string;
}

const DAY = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;
const dateOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

export function forecastEnvelope(
  envelope: { fiscal_year: number; available_fen: number },
  commitments: readonly Commitment[],
  today: string,
): Forecast {
  const t = dayNumber(today);
  const yearStart = dayNumber(`${envelope.fiscal_year}-01-01`);
  const yearEnd = `${envelope.fiscal_year}-12-31`;
  const windowStart = t - (FORECAST_WINDOW_DAYS - 1);
  let recent = 0;
  let sinceStart = 0;
  for (const c of commitments) {
    const d = dayNumber(c.date);
    if (d > t) continue;
    if (d >= windowStart) recent += c.amount_fen;
    if (d >= yearStart) sinceStart += c.amount_fen;
  }
  const rate = Math.floor(recent / FORECAST_WINDOW_DAYS);
  const daysElapsed = Math.max(1, Math.min(t, dayNumber(yearEnd)) - yearStart + 1);
  const yearRate = Math.floor(sinceStart / daysElapsed);
  let exhaustion = NOT_THIS_YEAR;
  if (envelope.available_fen <= 0) exhaustion = today;
  else if (rate > 0) {
    // Compared as day numbers first: a large balance at a tiny rate is millions of years away,
    // past the last day a JavaScript Date can hold.
    const day = t + Math.ceil(envelope.available_fen / rate);
    if (day <= dayNumber(yearEnd)) exhaustion = dateOf(day);
  }
  return { burn_rate_fen_per_day: rate, burn_rate_year_fen_per_day: yearRate, forecast_exhaustion_date: exhaustion };
}

/** Within `days` days (a setting, 30 by default) and before the year ends: worth an early warning. */
export function forecastWarns(f: Forecast, today: string, days = 30): boolean {
  if (f.forecast_exhaustion_date === NOT_THIS_YEAR) return false;
  return dayNumber(f.forecast_exhaustion_date) - dayNumber(today) <= days;
}
