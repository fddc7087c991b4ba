import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Context as HonoContext } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/http/app.ts';
import type { ApiDeps } from '../../shared/http/deps.ts';

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
