import { Readable } from 'node:stream';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { readCsvRecords } from '../../csv/read-csv-records.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { checkPeriod, runIdFor } from '../../domain/run-batching.ts';
import { SETTLEMENT_AMOUNT_COLUMN, SETTLEMENT_COLUMNS } from '../../domain/settlement.ts';
import { approveRun } from '../../services/approve-run.ts';
import { recordAudit } from '../../services/audit-log.ts';
import { settleRun } from '../../services/settle-run.ts';
import { runView } from '../../../cli/commands/run-views.ts';
import { allow, principalOf } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { approveBody, emptyBody, prepareBody, runFileParams, runIdParams } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';
import { csvBody } from './csv-body.ts';

const FINANCE_READERS = ['clerk', 'reviewer', 'auditor'] as const;
const FILE_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', json: 'application/json; charset=utf-8',
};
const base = { 401: errors[401], 403: errors[403] };

const listRoute = createRoute({
  method: 'get', path: '/runs', tags: ['runs'], middleware: [allow(...FINANCE_READERS)] as const, summary: 'All runs',
  responses: { 200: { description: '{"runs": [...]}' }, ...base },
});
const showRoute = createRoute({
  method: 'get', path: '/runs/{id}', tags: ['runs'], middleware: [allow(...FINANCE_READERS)] as const, summary: 'A run with its batches',
  request: { params: runIdParams },
  responses: { 200: { description: 'the run (as `run show`)' }, ...base, 404: errors[404] },
});
const prepareRoute = createRoute({
  method: 'post', path: '/runs', tags: ['runs'], middleware: [allow('clerk')] as const,
  summary: 'Prepare the run of a period, in the background: 202 {"run_id", "status"}',
  request: { body: { ...jsonContent(prepareBody), required: true } },
  responses: { 202: { description: '{"run_id", "status"}' }, 400: errors[400], ...base },
});
const approveRoute = createRoute({
  method: 'post', path: '/runs/{id}/approve', tags: ['runs'], middleware: [allow('reviewer')] as const,
  summary: 'Approve the digest of a prepared run (or of its pending re-issue); 403 SAME_PERSON for whoever prepared, sealed or re-issued it; 409 DIGEST_MISMATCH for a stale digest',
  request: { params: runIdParams, body: jsonContent(approveBody) },
  responses: { 200: { description: 'the run' }, ...base, 404: errors[404] },
});
const exportRoute = createRoute({
  method: 'post', path: '/runs/{id}/export', tags: ['runs'], middleware: [allow('clerk')] as const,
  summary: 'Export an approved run: 200 {"run", "files"} (local), 202 {"run_id", "status"} when queued (AWS)',
  request: { params: runIdParams, body: jsonContent(emptyBody) },
  responses: { 200: { description: '{"run", "files": [{"name", "bytes", "sha256"}]}' }, 202: { description: 'queued' }, ...base, 404: errors[404] },
});
const filesRoute = createRoute({
  method: 'get', path: '/runs/{id}/files', tags: ['runs'], middleware: [allow('clerk', 'reviewer')] as const,
  summary: "A run's exported files",
  request: { params: runIdParams },
  responses: { 200: { description: '{"files": [{"name", "bytes", "sha256"}]}' }, ...base, 404: errors[404] },
});
const downloadRoute = createRoute({
  method: 'get', path: '/runs/{id}/files/{name}', tags: ['runs'], middleware: [allow('clerk', 'reviewer')] as const,
  summary: 'Download one exported file (audited)',
  request: { params: runFileParams },
  responses: { 200: { description: 'the file' }, ...base, 404: errors[404] },
});
const settleRoute = createRoute({
  method: 'post', path: '/runs/{id}/settlement', tags: ['runs'], middleware: [allow('clerk')] as const,
  summary: "Import the bank's results CSV (text/csv, as `run settle`)",
  request: { params: runIdParams, body: { content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } }, required: true } },
  responses: { 200: { description: 'the settlement result' }, 400: errors[400], ...base, 404: errors[404] },
});

export function registerRunRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  const getRun = async (id: string) => {
    const run = await deps.runs.getRun(id);
    if (!run) throw new NotFoundError('run', id);
    return run;
  };

  api.openapi(listRoute, async (c) => c.json({ runs: (await deps.runs.listRuns()).map(runView) }, 200));

  api.openapi(showRoute, async (c) => c.json(runView(await getRun(c.req.valid('param').id)), 200));

  api.openapi(prepareRoute, async (c) => {
    const period = checkPeriod(c.req.valid('json').period);
    const runId = runIdFor(period);
    const principal = principalOf(c);
    const existing = await deps.runs.getRun(runId);
    if (existing && existing.status !== 'PREPARING') return c.json({ run_id: runId, status: existing.status }, 202);
    await deps.runOps.prepare(period, principal.id);
    await recordAudit(deps.audit, deps.clock, principal, 'run-prepare', runId, { period });
    return c.json({ run_id: runId, status: 'PREPARING' }, 202);
  });

  api.openapi(approveRoute, async (c) => {
    const principal = principalOf(c);
    const { digest } = c.req.valid('json');
    const result = await approveRun(deps, { run_id: c.req.valid('param').id, by: principal.id, ...(digest !== undefined ? { digest } : {}) });
    if (result.changed) await recordAudit(deps.audit, deps.clock, principal, 'run-approve', result.run.run_id, { award_count: result.run.award_count, total_fen: result.run.total_fen });
    return c.json(runView(result.run), 200);
  });

  api.openapi(exportRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid('param');
    await getRun(id);
    const result = await deps.runOps.export(id, principal.id);
    await recordAudit(deps.audit, deps.clock, principal, 'run-export', id, result.queued ? { queued: true } : { files: result.files });
    if (result.queued) return c.json({ run_id: id, status: 'EXPORTING' }, 202);
    return c.json({ run: runView(result.run), files: result.files }, 200);
  });

  api.openapi(filesRoute, async (c) => {
    const { id } = c.req.valid('param');
    await getRun(id);
    return c.json({ files: await deps.exports.list(id) }, 200);
  });

  api.openapi(downloadRoute, async (c) => {
    const { id, name } = c.req.valid('param');
    await getRun(id);
    const file = await deps.exports.open(id, name);
    if (!file) throw new NotFoundError('file', name);
    const principal = principalOf(c);
    await recordAudit(deps.audit, deps.clock, principal, 'file-download', `${id}/${name}`, { bytes: file.bytes });
    const ext = name.split('.').at(-1) ?? '';
    return c.body(Readable.toWeb(file.stream) as ReadableStream, 200, {
      'Content-Type': FILE_TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': String(file.bytes),
      'Content-Disposition': `attachment; filename="${name}"`,
    });
  });

  api.openapi(settleRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid('param');
    const body = await csvBody(c);
    const [awardId, status, ...optional] = SETTLEMENT_COLUMNS;
    const result = await settleRun({ runs: deps.runs, clock: deps.clock }, {
      run_id: id, by: principal.id, rows: () => readCsvRecords(Readable.from([body]), { columns: [awardId, status], optional: [...optional, SETTLEMENT_AMOUNT_COLUMN] }),
    });
    await recordAudit(deps.audit, deps.clock, principal, 'run-settle', id, { paid: result.paid, failed: result.failed, unchanged: result.unchanged });
    return c.json(result, 200);
  });
}
