import { Readable } from 'node:stream';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { readCsvRecords } from '../../csv/read-csv-records.ts';
import type { AwardStatus } from '../../domain/award.ts';
import { BursarError, NotFoundError } from '../../domain/errors.ts';
import { resolveUnit, type UnitCode } from '../../domain/units.ts';
import { cancelAward } from '../../services/awards.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { awardView } from '../../../cli/commands/views.ts';
import { AWARD_FILE_SPEC } from '../../../cli/submit-awards.ts';
import { allow, principalOf, scopedUnit } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { awardIdParams, awardsQuery, cancelBody } from '../schemas.ts';
import { READERS } from './budget-routes.ts';
import { errors, jsonContent } from './common.ts';
import { csvBody } from './csv-body.ts';

const listRoute = createRoute({
  method: 'get', path: '/awards', tags: ['awards'], middleware: [allow(...READERS)] as const,
  summary: 'Awards, a page at a time; a bureau user sees only awards approved by their unit',
  request: { query: awardsQuery },
  responses: { 200: { description: '{"awards": [...], "next_cursor": string|null}' }, 400: errors[400], 401: errors[401], 403: errors[403] },
});
const showRoute = createRoute({
  method: 'get', path: '/awards/{id}', tags: ['awards'], middleware: [allow(...READERS)] as const,
  summary: 'One award (as `awards show`, account masked)',
  request: { params: awardIdParams },
  responses: { 200: { description: 'the award' }, 401: errors[401], 403: errors[403], 404: errors[404] },
});
const cancelRoute = createRoute({
  method: 'post', path: '/awards/{id}/cancel', tags: ['awards'], middleware: [allow('bureau', 'clerk', 'reviewer')] as const,
  summary: 'Cancel a RESERVED or WAITLISTED award (bureau: own unit; clerk: any) or a RETURNED one (reviewer; 403 SAME_PERSON for whoever imported the failure)',
  request: { params: awardIdParams, body: { ...jsonContent(cancelBody), required: true } },
  responses: { 200: { description: '{"award", "changed", "drained"}' }, 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
});
const submitRoute = createRoute({
  method: 'post', path: '/submissions', tags: ['awards'], middleware: [allow('bureau', 'clerk')] as const,
  summary: 'Submit an awards CSV (text/csv, at most 5 MB): the report of `awards submit`',
  request: { body: { content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } }, required: true } },
  responses: { 200: { description: 'the submission report' }, 400: errors[400], 401: errors[401], 403: errors[403] },
});

export function registerAwardRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const own = scopedUnit(principalOf(c));
    // A bureau user asking for another unit gets an empty list, as if that unit had no awards.
    if (own !== undefined && q.unit !== undefined && q.unit !== own) return c.json({ awards: [], next_cursor: null }, 200);
    const unit = own ?? (q.unit as UnitCode | undefined);
    const page = await deps.awardSearch.search({
      ...(q.status ? { status: q.status as AwardStatus } : {}),
      ...(q.measure ? { measure: Number(q.measure) } : {}),
      ...(q.fiscal_year ? { fiscal_year: Number(q.fiscal_year) } : {}),
      ...(unit ? { unit } : {}),
      ...(q.q ? { q: q.q } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: q.limit ? Number(q.limit) : 50,
    });
    return c.json({ awards: page.awards.map((a) => awardView(a)), next_cursor: page.next_cursor }, 200);
  });

  const visibleAward = async (id: string, unit: UnitCode | undefined) => {
    const award = await deps.ledger.getAward(id);
    if (!award || (unit !== undefined && award.approving_unit !== unit)) throw new NotFoundError('award', id);
    return award;
  };

  api.openapi(showRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(awardView(await visibleAward(id, scopedUnit(principalOf(c)))), 200);
  });

  api.openapi(cancelRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const principal = principalOf(c);
    // Bureau and clerk cancel RESERVED or WAITLISTED awards, a bureau user (without the clerk role)
    // only those their unit approved; a RETURNED award (a failed payment) is a reviewer's decision.
    const award = await visibleAward(id, scopedUnit(principal));
    const ownUnit = principal.roles.includes('bureau') && principal.unit === award.approving_unit;
    const mayCancel: AwardStatus[] = [
      ...(principal.roles.includes('clerk') || ownUnit ? ['RESERVED', 'WAITLISTED'] as const : []),
      ...(principal.roles.includes('reviewer') ? ['RETURNED'] as const : []),
    ];
    const result = await cancelAward(deps.ledger, deps.clock, { award_id: id, reason, by: principal.id, may_cancel: mayCancel }, deps.events);
    if (result.changed) await recordAudit(deps.audit, deps.clock, principal, 'award-cancel', id, { reason });
    return c.json({ award: awardView(result.award), changed: result.changed, drained: result.drained }, 200);
  });

  api.openapi(submitRoute, async (c) => {
    const principal = principalOf(c);
    const body = await csvBody(c);
    const unit = principal.roles.includes('clerk') ? undefined : principal.unit;
    if (!principal.roles.includes('clerk') && !unit) throw new BursarError('FORBIDDEN', 'a bureau user needs a unit to submit awards');
    const report = await deps.submit(readCsvRecords(Readable.from([body]), AWARD_FILE_SPEC), unit ? (row) => {
      const given = row.fields['approving_unit'] ?? '';
      if (resolveUnit(given) === unit) return undefined;
      const awardId = row.fields['award_id']?.trim();
      return {
        ...(awardId && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(awardId) ? { award_id: awardId } : {}),
        line: row.line, outcome: 'INVALID', reason: 'INVALID_RECORD',
        errors: [{ field: 'approving_unit', message: `approving_unit must be your unit ${unit}; ${JSON.stringify(given.trim().slice(0, 24))} is another unit's` }],
      };
    } : undefined);
    await recordAudit(deps.audit, deps.clock, principal, 'submission', report.submission_id, {
      submitted: report.submitted, reserved: report.reserved, waitlisted: report.waitlisted, rejected: report.rejected, invalid: report.invalid,
    });
    return c.json(report, 200);
  });
}
