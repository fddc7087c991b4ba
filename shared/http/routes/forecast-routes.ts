import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { isResponsibleUnit } from '../../domain/catalog.ts';
import { shanghaiDate } from '../../domain/dates.ts';
import { envelopeId, type Envelope } from '../../domain/envelope.ts';
import type { Forecast } from '../../domain/forecast.ts';
import { checkFiscalYear } from '../../services/fiscal-summary.ts';
import { forecastEnvelopes } from '../../services/forecast-envelopes.ts';
import { allow, principalOf, scopedUnit } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { forecastsQuery } from '../schemas.ts';
import { READERS } from './budget-routes.ts';
import { errors } from './common.ts';

const forecastsRoute = createRoute({
  method: 'get', path: '/forecasts', tags: ['budget'], middleware: [allow(...READERS)] as const,
  summary: "Exhaustion forecast of each open envelope with a budget (as `budget show`); a bureau user sees their unit's measures",
  request: { query: forecastsQuery },
  responses: {
    200: { description: '{"fiscal_year", "as_of", "forecasts": [{"measure", "fiscal_year", "burn_rate_fen_per_day", "burn_rate_year_fen_per_day", "forecast_exhaustion_date"}]}' },
    400: errors[400], 401: errors[401], 403: errors[403],
  },
});

type Computed = { as_of: string; envelopes: Envelope[]; forecasts: Map<string, Forecast> };

/**
 * `GET /forecasts?fiscal_year=Y`: the forecast `budget show` and the summary carry, on its own so the
 * overview's figures never wait for it: it reads the time and amount of every committed award of
 * each envelope (through the status index), where the figures read 27 items. The same envelopes as
 * the summary's forecasts: open, with a budget.
 * Two things keep a console reloaded again and again from recomputing it: requests for the same
 * year and day while one is computed share it, and each envelope's forecast is remembered for its
 * version and the day. Every change to an envelope's awards or money is written in one transaction
 * with the envelope's version (+1), so a remembered forecast is one for exactly these awards and
 * this balance; a new day or a new version computes it afresh.
 */
export function registerForecastRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  const inFlight = new Map<string, Promise<Computed>>();
  const remembered = new Map<string, { version: number; day: string; forecast: Forecast }>();

  const compute = (fy: number): Promise<Computed> => {
    const now = deps.clock.now();
    const asOf = shanghaiDate(new Date(now));
    const flight = `${fy}#${asOf}`;
    let running = inFlight.get(flight);
    if (!running) {
      running = (async () => {
        const envelopes = (await deps.ledger.listEnvelopes(fy)).filter((e) => e.status !== 'CLOSED' && e.budget_set);
        const stale = envelopes.filter((e) => {
          const r = remembered.get(envelopeId(e));
          return !r || r.version !== e.version || r.day !== asOf;
        });
        const computed = await forecastEnvelopes(deps.ledger, { now: () => now }, stale);
        for (const e of stale) remembered.set(envelopeId(e), { version: e.version, day: asOf, forecast: computed.get(envelopeId(e))! });
        return { as_of: asOf, envelopes, forecasts: new Map(envelopes.map((e) => [envelopeId(e), remembered.get(envelopeId(e))!.forecast])) };
      })().finally(() => inFlight.delete(flight));
      inFlight.set(flight, running);
    }
    return running;
  };

  api.openapi(forecastsRoute, async (c) => {
    const fy = checkFiscalYear(Number(c.req.valid('query').fiscal_year));
    const unit = scopedUnit(principalOf(c));
    const { as_of, envelopes, forecasts } = await compute(fy);
    const rows = envelopes
      .filter((e) => unit === undefined || isResponsibleUnit(e.measure, unit))
      .flatMap((e) => {
        const f = forecasts.get(envelopeId(e));
        return f ? [{ measure: e.measure, fiscal_year: e.fiscal_year, ...f }] : [];
      })
      .sort((a, b) => a.measure - b.measure);
    return c.json({ fiscal_year: fy, as_of, forecasts: rows }, 200);
  });
}
