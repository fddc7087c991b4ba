import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { isResponsibleUnit } from '../../domain/catalog.ts';
import { parseYuanAllowZero } from '../../domain/money.ts';
import { ValidationError } from '../../domain/errors.ts';
import { setBudget } from '../../services/budget.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { envelopeView } from '../../../cli/commands/views.ts';
import { allow, principalOf, scopedUnit } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { envelopeParams, fiscalYearQuery, setBudgetBody } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';

export const READERS = ['bureau', 'clerk', 'reviewer', 'auditor'] as const;

const listRoute = createRoute({
  method: 'get', path: '/envelopes', tags: ['budget'], middleware: [allow(...READERS)] as const,
  summary: 'Envelopes (as `budget show`); a bureau user sees the measures their unit is responsible for',
  request: { query: fiscalYearQuery },
  responses: { 200: { description: '{"envelopes": [...]}' }, 400: errors[400], 401: errors[401], 403: errors[403] },
});
const setRoute = createRoute({
  method: 'put', path: '/envelopes/{fiscal_year}/{measure}', tags: ['budget'], middleware: [allow('clerk')] as const,
  summary: 'Set an envelope (as `budget set`); the signed-in user is recorded',
  request: { params: envelopeParams, body: { ...jsonContent(setBudgetBody), required: true } },
  responses: { 200: { description: '{"envelope", "changed", "drained"}' }, 400: errors[400], 401: errors[401], 403: errors[403] },
});

export function registerBudgetRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(listRoute, async (c) => {
    const { fiscal_year } = c.req.valid('query');
    const unit = scopedUnit(principalOf(c));
    const envelopes = (await deps.ledger.listEnvelopes(fiscal_year ? Number(fiscal_year) : undefined))
      .filter((e) => unit === undefined || isResponsibleUnit(e.measure, unit));
    return c.json({ envelopes: envelopes.map(envelopeView) }, 200);
  });

  api.openapi(setRoute, async (c) => {
    const { fiscal_year, measure } = c.req.valid('param');
    const body = c.req.valid('json');
    const amount = parseYuanAllowZero(body.amount_yuan, { label: 'amount_yuan' });
    if (!amount.ok) throw new ValidationError('BAD_AMOUNT', amount.message, { field: 'amount_yuan' });
    const principal = principalOf(c);
    const result = await setBudget(deps.ledger, deps.clock, {
      measure: Number(measure), fiscal_year: Number(fiscal_year), amount_fen: amount.fen, by: principal.id,
      ...(body.alert_at ? { alert_at: body.alert_at } : {}),
    }, deps.events);
    if (result.changed) {
      await recordAudit(deps.audit, deps.clock, principal, 'budget-set', `${fiscal_year}/${measure}`, { budget_fen: result.envelope.budget_fen, alert_at: result.envelope.alert_at });
    }
    return c.json({ envelope: envelopeView(result.envelope), changed: result.changed, drained: result.drained }, 200);
  });
}
