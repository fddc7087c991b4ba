/** Issue 14: held awards over HTTP. Clerks decide; bureau users (and other readers) list, a bureau its own unit's. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { HOLD_REASONS, type HoldReason } from '../../domain/award.ts';
import { UNITS, type UnitCode } from '../../domain/units.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { listHolds, rejectHold, releaseHold } from '../../services/holds.ts';
import { awardView } from '../../../cli/commands/views.ts';
import { allow, principalOf, scopedUnit } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { awardIdParams } from '../schemas.ts';
import { READERS } from './budget-routes.ts';
import { errors, jsonContent } from './common.ts';

const holdsQuery = z.object({
  reason: z.enum(HOLD_REASONS as [HoldReason, ...HoldReason[]]).optional(),
  unit: z.enum(UNITS.map((u) => u.code) as [UnitCode, ...UnitCode[]]).optional(),
  fiscal_year: z.string().regex(/^(20\d\d|2100)$/, 'a fiscal year such as 2025').optional(),
}).strict();
const releaseBody = z.object({ note: z.string().trim().min(1, 'a note is required').max(500) }).strict().openapi('ReleaseHold');
const rejectBody = z.object({ reason: z.string().trim().min(1, 'a reason is required').max(500) }).strict().openapi('RejectHold');

const listRoute = createRoute({
  method: 'get', path: '/holds', tags: ['holds'], middleware: [allow(...READERS)] as const,
  summary: 'Held awards (as `holds list`); a bureau user sees only its unit\'s',
  request: { query: holdsQuery },
  responses: { 200: { description: '{"holds": [...]}' }, 400: errors[400], 401: errors[401], 403: errors[403] },
});
const releaseRoute = createRoute({
  method: 'post', path: '/holds/{id}/release', tags: ['holds'], middleware: [allow('clerk')] as const,
  summary: 'Release a held award (as `holds release`)',
  request: { params: awardIdParams, body: { ...jsonContent(releaseBody), required: true } },
  responses: { 200: { description: '{"award", "changed", "drained"}' }, 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
});
const rejectRoute = createRoute({
  method: 'post', path: '/holds/{id}/reject', tags: ['holds'], middleware: [allow('clerk')] as const,
  summary: 'Reject a held award (as `holds reject`)',
  request: { params: awardIdParams, body: { ...jsonContent(rejectBody), required: true } },
  responses: { 200: { description: '{"award", "changed", "drained"}' }, 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
});

export function registerHoldRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const own = scopedUnit(principalOf(c));
    if (own !== undefined && q.unit !== undefined && q.unit !== own) return c.json({ holds: [] }, 200);
    const unit = own ?? q.unit;
    const found = await listHolds(deps.ledger, {
      ...(q.reason ? { reason: q.reason } : {}), ...(unit ? { unit } : {}), ...(q.fiscal_year ? { fiscal_year: Number(q.fiscal_year) } : {}),
    });
    return c.json({ holds: found.map((a) => awardView(a)) }, 200);
  });

  api.openapi(releaseRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { note } = c.req.valid('json');
    const principal = principalOf(c);
    const r = await releaseHold({ ledger: deps.ledger, clock: deps.clock, events: deps.events }, { award_id: id, note, by: principal.id });
    if (r.changed) await recordAudit(deps.audit, deps.clock, principal, 'hold-release', id, { note, status: r.award.status });
    return c.json({ award: awardView(r.award), changed: r.changed, drained: r.drained }, 200);
  });

  api.openapi(rejectRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const principal = principalOf(c);
    const r = await rejectHold({ ledger: deps.ledger, clock: deps.clock, events: deps.events }, { award_id: id, reason, by: principal.id });
    if (r.changed) await recordAudit(deps.audit, deps.clock, principal, 'hold-reject', id, { reason });
    return c.json({ award: awardView(r.award), changed: r.changed, drained: r.drained }, 200);
  });
}
