import { PassThrough, Readable } from 'node:stream';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { isResponsibleUnit } from '../../domain/catalog.ts';
import type { FiscalSummary } from '../../domain/fiscal-summary.ts';
import { alertView, type Alert } from '../../domain/alert.ts';
import { sinceShanghaiDay } from '../../domain/dates.ts';
import { summaryCsv, writeSummaryWorkbook } from '../../files/summary-files.ts';
import type { AuditKind } from '../../ports/identity.ts';
import { checkFiscalYear, fiscalSummary } from '../../services/fiscal-summary.ts';
import { allow, principalOf, scopedUnit } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { alertsQuery, auditQuery, summaryQuery } from '../schemas.ts';
import { READERS } from './budget-routes.ts';
import { errors } from './common.ts';

const base = { 400: errors[400], 401: errors[401], 403: errors[403] };
const MAX_ALERTS = 1000;

const summaryRoute = createRoute({
  method: 'get', path: '/summary', tags: ['reports'], middleware: [allow(...READERS)] as const,
  summary: "Budget execution (as `summary`), json, csv or xlsx; a bureau user sees their unit's measures only",
  request: { query: summaryQuery },
  responses: { 200: { description: 'the summary' }, ...base },
});
const alertsRoute = createRoute({
  method: 'get', path: '/alerts', tags: ['reports'], middleware: [allow(...READERS)] as const,
  summary: "Alerts, oldest first (a bureau user: their unit's), at most 1000",
  request: { query: alertsQuery },
  responses: { 200: { description: '{"alerts": [...]}' }, ...base },
});
const reconciliationsRoute = createRoute({
  method: 'get', path: '/reconciliations', tags: ['reports'], middleware: [allow('clerk', 'reviewer', 'auditor')] as const,
  summary: 'Reconciliation reports, newest first (the last 100)',
  responses: { 200: { description: '{"reports": [...]}' }, ...base },
});
const auditRoute = createRoute({
  method: 'get', path: '/audit', tags: ['reports'], middleware: [allow('reviewer', 'auditor')] as const,
  summary: 'The audit log, newest first (limit default 200, at most 1000)',
  request: { query: auditQuery },
  responses: { 200: { description: '{"entries": [{"at", "actor", "kind", "subject", "detail"}]}' }, ...base },
});

export function registerReportRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(summaryRoute, async (c) => {
    const q = c.req.valid('query');
    const fy = checkFiscalYear(Number(q.fiscal_year));
    const unit = scopedUnit(principalOf(c));
    const mine = (measure: number) => unit === undefined || isResponsibleUnit(measure, unit);
    // Built from the measures the user may see; a bureau user's units table holds their own unit only.
    const built = await fiscalSummary({ ledger: deps.ledger, runs: deps.runs, clock: deps.clock }, fy, mine);
    const summary: FiscalSummary = unit === undefined ? built
      : { ...built, measures: built.measures.filter((m) => mine(m.measure)), units: built.units.filter((u) => u.unit === unit) };
    const name = `summary-${fy}`;
    if (q.format === 'csv') {
      return c.body(summaryCsv(summary), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.csv"` });
    }
    if (q.format === 'xlsx') {
      const out = new PassThrough();
      writeSummaryWorkbook(summary, out).then(() => out.end(), (error: unknown) => out.destroy(error as Error));
      return c.body(Readable.toWeb(out) as ReadableStream, 200, {
        'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Content-Disposition': `attachment; filename="${name}.xlsx"`,
      });
    }
    return c.json(summary, 200);
  });

  api.openapi(alertsRoute, async (c) => {
    const q = c.req.valid('query');
    const unit = scopedUnit(principalOf(c));
    const found: Alert[] = [];
    for await (const a of deps.alerts.listAlerts({ ...(unit ? { unit } : {}), ...(q.since ? { since: sinceShanghaiDay(q.since, 'since') } : {}) })) {
      found.push(a);
      if (found.length >= MAX_ALERTS) break;
    }
    return c.json({ alerts: found.map(alertView) }, 200);
  });

  api.openapi(reconciliationsRoute, async (c) => c.json({ reports: await deps.reconciliations.listReports(100) }, 200));

  api.openapi(auditRoute, async (c) => {
    const q = c.req.valid('query');
    const entries = await deps.audit.list({
      ...(q.since ? { since: sinceShanghaiDay(q.since, 'since') } : {}),
      ...(q.kind ? { kind: q.kind as AuditKind } : {}),
      limit: q.limit ? Number(q.limit) : 200,
    });
    return c.json({ entries }, 200);
  });
}
