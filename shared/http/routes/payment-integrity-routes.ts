import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { BursarError } from '../../domain/errors.ts';
import { ID_PATTERN } from '../../domain/award-record.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { reissueRun } from '../../services/reissue-run.ts';
import { releaseFailed } from '../../services/release-failed.ts';
import { verifyExport } from '../../services/verify-export.ts';
import { runView } from '../../../cli/commands/run-views.ts';
import { allow, principalOf } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { runIdParams } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';

/** Issue 13: re-issue, release of failed payments and verification of exported files. */
const reissueBody = z.object({ reason: z.string().min(1).max(500) }).strict().openapi('ReissueRun');
const releaseBody = z.object({ award_id: z.string().regex(ID_PATTERN, 'an award id').optional() }).strict().openapi('ReleaseFailed');
const base = { 401: errors[401], 403: errors[403], 404: errors[404] };

const reissueRoute = createRoute({
  method: 'post', path: '/runs/{id}/reissue', tags: ['runs'], middleware: [allow('clerk')] as const,
  summary: "Ask for a new payment file of an exported run (unsettled payments only); a second person approves it. 409 NOTHING_TO_REISSUE",
  request: { params: runIdParams, body: { ...jsonContent(reissueBody), required: true } },
  responses: { 200: { description: 'the run, with its `reissue`' }, 400: errors[400], ...base },
});
const releaseRoute = createRoute({
  method: 'post', path: '/runs/{id}/release-failed', tags: ['runs'], middleware: [allow('reviewer')] as const,
  summary: 'Release RETURNED awards (failed payments) to RESERVED for the next run; 403 SAME_PERSON for whoever imported the failure',
  request: { params: runIdParams, body: jsonContent(releaseBody) },
  responses: { 200: { description: '{"run_id", "released", "released_fen", "award_ids"}' }, 400: errors[400], ...base },
});
const verifyRoute = createRoute({
  method: 'get', path: '/runs/{id}/verify', tags: ['runs'], middleware: [allow('clerk', 'reviewer', 'auditor')] as const,
  summary: "Check a run's exported files against the signed manifest and the approved digest: {\"ok\", \"checked\", \"differences\"}",
  request: { params: runIdParams },
  responses: { 200: { description: '{"run_id", "ok", "checked", "differences"}' }, ...base },
});

export function registerPaymentIntegrityRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(reissueRoute, async (c) => {
    const principal = principalOf(c);
    const run = await reissueRun(deps, { run_id: c.req.valid('param').id, reason: c.req.valid('json').reason, by: principal.id });
    await recordAudit(deps.audit, deps.clock, principal, 'run-reissue', run.run_id, { reissue: run.reissue?.number, award_count: run.reissue?.award_count, total_fen: run.reissue?.total_fen });
    return c.json(runView(run), 200);
  });

  api.openapi(releaseRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid('json');
    const result = await releaseFailed(deps, { run_id: c.req.valid('param').id, by: principal.id, ...(body.award_id ? { award_id: body.award_id } : {}) });
    await recordAudit(deps.audit, deps.clock, principal, 'run-release-failed', result.run_id, { released: result.released, released_fen: result.released_fen });
    return c.json(result, 200);
  });

  api.openapi(verifyRoute, async (c) => {
    const { id } = c.req.valid('param');
    const integrity = deps.integrity;
    if (!integrity) throw new BursarError('NOT_IMPLEMENTED', 'verifying exports needs the manifest signing key, which this deployment does not have');
    const result = await verifyExport({ runs: deps.runs, signer: integrity.signer }, { run_id: id, read: (name) => integrity.readExport(id, name) });
    return c.json(result, 200);
  });
}
