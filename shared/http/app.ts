import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { BursarError } from '../domain/errors.ts';
import { authenticate } from './auth.ts';
import type { ApiDeps, AppEnv } from './deps.ts';
import { errorBody, respondToError, validationError } from './errors.ts';
import { registerAwardRoutes } from './routes/award-routes.ts';
import { registerBudgetRoutes } from './routes/budget-routes.ts';
import { registerReportRoutes } from './routes/report-routes.ts';
import { registerRunRoutes } from './routes/run-routes.ts';
import { registerPaymentIntegrityRoutes } from './routes/payment-integrity-routes.ts';
import { registerSessionRoutes } from './routes/session-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { registerTransferRoutes } from './routes/transfer-routes.ts';
import { registerHoldRoutes } from './routes/hold-routes.ts';
import { registerForecastRoutes } from './routes/forecast-routes.ts';
import { registerYearRoutes } from './routes/year-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { staticFiles } from './static-files.ts';

export const API_PREFIX = '/api/v1';
export const JSON_BODY_LIMIT = 64 * 1024;
/** API Gateway and Lambda cap request sizes; bigger files go through the CLI or the intake queue. */
export const CSV_BODY_LIMIT = 5 * 1024 * 1024;
const CSV_ROUTES = [/^\/api\/v1\/submissions$/, /^\/api\/v1\/runs\/[^/]+\/settlement$/];

export type ApiApp = OpenAPIHono<AppEnv>;

/**
 * The HTTP application: the JSON API under /api/v1 and, when built, the console at `/`. The same
 * app runs under @hono/node-server (bursar serve: session cookies) and on Lambda (hono/aws-lambda:
 * Cognito JWT claims); only `deps.identity` and the run operations differ.
 */
export function createApp(deps: ApiDeps): ApiApp {
  const app = new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target === 'json' ? 'body' : result.target);
    },
  });
  app.onError((error, c) => respondToError(error, c, deps.logError));
  app.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such route'), 404));
  app.use('*', securityHeaders());
  app.use(`${API_PREFIX}/*`, serverTiming());
  app.use(`${API_PREFIX}/*`, bodyLimits());

  const api = new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target === 'json' ? 'body' : result.target);
    },
  });
  const auth = authenticate(deps);
  api.use('*', async (c, next) => {
    const open = (c.req.method === 'POST' && c.req.path === `${API_PREFIX}/session`) || c.req.path === `${API_PREFIX}/openapi.json`;
    return open ? next() : auth(c, next);
  });
  registerSessionRoutes(api, deps);
  registerBudgetRoutes(api, deps);
  registerForecastRoutes(api, deps);
  registerAwardRoutes(api, deps);
  registerRunRoutes(api, deps);
  registerPaymentIntegrityRoutes(api, deps);
  registerReportRoutes(api, deps);
  registerUserRoutes(api, deps);
  registerTransferRoutes(api, deps);
  registerHoldRoutes(api, deps);
  registerYearRoutes(api, deps);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Bursar API', version: '1.0.0', description: 'Budget-and-award disbursement for 奉政办发〔2025〕2号. Errors are {"error": {"code", "message"}}.' },
  });
  api.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such route'), 404));
  app.route(API_PREFIX, api);
  if (deps.staticDir) app.use('*', staticFiles(deps.staticDir));
  return app;
}

/**
 * `Server-Timing: app;dur=<ms>` on every API response: the browser's resource timing (and the console
 * bench) then tells the server's share of a request from the network's and the browser's.
 */
function serverTiming(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    c.res.headers.set('Server-Timing', `app;dur=${(performance.now() - start).toFixed(1)}`);
  };
}

/**
 * Bodies are capped before anything reads them: CSV uploads at 5 MB, JSON at 64 KB. A declared
 * Content-Length over the cap is refused at once; a chunked body is counted as it streams.
 */
function bodyLimits(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const limit = CSV_ROUTES.some((r) => r.test(c.req.path)) ? CSV_BODY_LIMIT : JSON_BODY_LIMIT;
    const tooLarge = () => new BursarError('BODY_TOO_LARGE', `request body over ${limit} bytes; bigger files go through the CLI or the intake queue`);
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > limit) throw tooLarge();
    const raw = c.req.raw;
    if (raw.body && declared === undefined) {
      // Read it now with a running count, and hand the handlers a buffered request.
      const reader = raw.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) { await reader.cancel(); throw tooLarge(); }
        chunks.push(value);
      }
      c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: Buffer.concat(chunks) });
    }
    return next();
  };
}
