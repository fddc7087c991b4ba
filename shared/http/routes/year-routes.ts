/**
 * Issue 15 §3 over HTTP: the year-end close (年终结转) through the same service as `bursar year`.
 * Every signed-in role may read the years' status (it holds no unit data); a clerk proposes a close,
 * a reviewer who did not propose it approves and executes it (four eyes: SAME_PERSON).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ROLES } from '../../ports/identity.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { approveYearClose, proposeYearClose, yearStatus, type YearCloseDeps } from '../../services/year-close.ts';
import { allow, principalOf } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { emptyBody, yearText } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';

const yearParams = z.object({
  fiscal_year: yearText.openapi({ param: { name: 'fiscal_year', in: 'path' }, example: '2025' }),
}).strict();

const statusRoute = createRoute({
  method: 'get', path: '/years', tags: ['years'], middleware: [allow(...ROLES)] as const,
  summary: 'Each fiscal year OPEN, PROPOSED or CLOSED, and the days left in the policy (as `year status`)',
  responses: { 200: { description: '{"years": [{"fiscal_year", "status", "proposed_by"?, "approved_by"?}], "policy_ends", "policy_days_left"}; proposed_by/approved_by for clerk, reviewer, auditor' }, 401: errors[401], 403: errors[403] },
});
const closeRoute = createRoute({
  method: 'post', path: '/years/{fiscal_year}/close', tags: ['years'], middleware: [allow('clerk')] as const,
  summary: 'Propose closing a fiscal year and return its plan (as `year close`); the signed-in user is the proposer',
  request: { params: yearParams, body: jsonContent(emptyBody) },
  responses: {
    200: { description: '{"fiscal_year", "status": "PROPOSED", "proposed_by", "plan", "changed"}' },
    400: errors[400], 401: errors[401], 403: errors[403], 409: { ...errors[400], description: 'OPEN_RUNS, UNRESOLVED_AWARDS, FISCAL_YEAR_CLOSED' },
  },
});
const approveRoute = createRoute({
  method: 'post', path: '/years/{fiscal_year}/approve', tags: ['years'], middleware: [allow('reviewer')] as const,
  summary: 'Approve and execute the proposed close (as `year approve`); its proposer gets 403 SAME_PERSON; safe to repeat',
  request: { params: yearParams, body: jsonContent(emptyBody) },
  responses: {
    200: { description: '{"fiscal_year", "status": "CLOSED", "approved_by", "closed", "drained", "changed"}' },
    400: errors[400], 401: errors[401], 403: { ...errors[403], description: 'FORBIDDEN, CSRF or SAME_PERSON' },
    409: { ...errors[400], description: 'NOT_PROPOSED, OPEN_RUNS, UNRESOLVED_AWARDS, CLOSE_IN_PROGRESS' },
  },
});

export function registerYearRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  const years: YearCloseDeps = {
    ledger: deps.ledger, closes: deps.yearCloses, runs: deps.runs, clock: deps.clock, ...(deps.events ? { events: deps.events } : {}),
  };

  api.openapi(statusRoute, async (c) => {
    const report = await yearStatus(years);
    // Who proposed and approved a close is finance staff's business (and lets the console disable
    // approval for the proposer); a bureau user or an administrator is shown the status only.
    if (principalOf(c).roles.some((r) => r === 'clerk' || r === 'reviewer' || r === 'auditor')) return c.json(report, 200);
    return c.json({ ...report, years: report.years.map(({ fiscal_year, status, executing }) => ({ fiscal_year, status, ...(executing ? { executing } : {}) })) }, 200);
  });

  api.openapi(closeRoute, async (c) => {
    const fiscalYear = Number(c.req.valid('param').fiscal_year);
    const principal = principalOf(c);
    const result = await proposeYearClose(years, { fiscal_year: fiscalYear, by: principal.id });
    if (result.changed) await recordAudit(deps.audit, deps.clock, principal, 'year-close', `FY${fiscalYear}`, { plan_measures: result.plan.length });
    return c.json(result, 200);
  });

  api.openapi(approveRoute, async (c) => {
    const fiscalYear = Number(c.req.valid('param').fiscal_year);
    const principal = principalOf(c);
    const result = await approveYearClose(years, { fiscal_year: fiscalYear, by: principal.id });
    if (result.changed) await recordAudit(deps.audit, deps.clock, principal, 'year-approve', `FY${fiscalYear}`, { drained: result.drained.length });
    return c.json(result, 200);
  });
}
