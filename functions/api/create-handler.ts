import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Context as HonoContext } from 'hono';
import { handle } from 'hono/aws-lambda';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../shared/http/app.ts';
import type { ApiDeps } from '../../shared/http/deps.ts';
import type { RunOperations } from '../../shared/ports/run-operations.ts';
import type { RunRequestQueue } from '../../shared/ports/run-requests.ts';

export type ApiLambdaDeps = Omit<ApiDeps, 'identity' | 'staticDir'>;

/**
 * The `api` function: the same Hono app `bursar serve` runs, behind API Gateway (HTTP API, payload
 * v2) with a Cognito JWT authorizer. API Gateway has verified the token before the function runs;
 * the app maps its claims (sub, cognito:groups, custom:unit) to the signed-in person.
 */
export function createApiHandler(deps: ApiLambdaDeps) {
  const app = createApp({ ...deps, identity: { kind: 'jwt', claims: jwtClaims } });
  return handle(app);
}

/** The verified claims hono/aws-lambda passes along with the event (undefined on an unauthorised route). */
export function jwtClaims(c: HonoContext): Record<string, unknown> | undefined {
  const event = (c.env as { event?: APIGatewayProxyEventV2WithJWTAuthorizer } | undefined)?.event;
  return event?.requestContext?.authorizer?.jwt?.claims as Record<string, unknown> | undefined;
}

/**
 * In AWS, prepare and export go to the run-request queue (one at a time, retried, idempotent per
 * request id) and the API answers 202; `GET /api/v1/runs/{id}` shows the run move on.
 */
export function queuedRunOperations(queue: RunRequestQueue): RunOperations {
  return {
    prepare: (period, by) => queue.send({ request_id: `api-${randomUUID()}`, action: 'prepare', period, by }),
    export: async (runId, by) => {
      await queue.send({ request_id: `api-${randomUUID()}`, action: 'export', run_id: runId, by });
      return { queued: true };
    },
    idle: async () => {},
  };
}
