import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ValidationError } from '../../domain/errors.ts';
import { parseYuan } from '../../domain/money.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { transferBudget } from '../../services/transfer-budget.ts';
import { transferView } from '../../../cli/commands/budget-transfer.ts';
import { allow, principalOf } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { measureText, yearText, yuanText } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';

export const transferBody = z.object({
  fiscal_year: yearText,
  from_measure: measureText,
  to_measure: measureText,
  amount_yuan: yuanText,
  reason: z.string().min(1).max(500),
  transfer_id: z.string().max(64).optional(),
}).strict().openapi('BudgetTransfer');

const transferRoute = createRoute({
  method: 'post', path: '/transfers', tags: ['budget'], middleware: [allow('clerk')] as const,
  summary: 'Move budget between two envelopes of one year (as `budget transfer`); the signed-in user is recorded',
  request: { body: { ...jsonContent(transferBody), required: true } },
  responses: { 200: { description: '{"transfer_id", "from", "to", "drained", "changed"}' }, 400: errors[400], 401: errors[401], 403: errors[403] },
});

export function registerTransferRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(transferRoute, async (c) => {
    const body = c.req.valid('json');
    const amount = parseYuan(body.amount_yuan, { label: 'amount_yuan' });
    if (!amount.ok) throw new ValidationError('BAD_AMOUNT', amount.message, { field: 'amount_yuan' });
    const principal = principalOf(c);
    const result = await transferBudget(deps.ledger, deps.clock, {
      fiscal_year: Number(body.fiscal_year), from_measure: Number(body.from_measure), to_measure: Number(body.to_measure),
      amount_fen: amount.fen, reason: body.reason, by: principal.id, ...(body.transfer_id ? { transfer_id: body.transfer_id } : {}),
    }, deps.events);
    if (result.changed) {
      await recordAudit(deps.audit, deps.clock, principal, 'budget-transfer', result.transfer_id, {
        fiscal_year: result.from.fiscal_year, from_measure: result.from.measure, to_measure: result.to.measure, amount_fen: amount.fen,
      });
    }
    return c.json(transferView(result), 200);
  });
}
