import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { BursarError } from '../../domain/errors.ts';
import { addUser, listUsers, setDisabled, type UserDeps } from '../../services/users.ts';
import { allow, principalOf } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { addUserBody, emptyBody, usernameParams } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';

const base = { 400: errors[400], 401: errors[401], 403: errors[403] };

const listRoute = createRoute({
  method: 'get', path: '/users', tags: ['users'], middleware: [allow('admin')] as const, summary: 'Local users',
  responses: { 200: { description: '{"users": [{"username", "roles", "unit", "disabled"}]}' }, ...base },
});
const addRoute = createRoute({
  method: 'post', path: '/users', tags: ['users'], middleware: [allow('admin')] as const, summary: 'Add a user (as `users add`)',
  request: { body: { ...jsonContent(addUserBody), required: true } },
  responses: { 200: { description: '{"user": {...}}' }, ...base, 409: errors[400] },
});
const disableRoute = createRoute({
  method: 'post', path: '/users/{username}/disable', tags: ['users'], middleware: [allow('admin')] as const, summary: 'Disable a user: their sessions end',
  request: { params: usernameParams, body: jsonContent(emptyBody) },
  responses: { 200: { description: '{"user": {...}}' }, ...base, 404: errors[404] },
});
const enableRoute = createRoute({
  method: 'post', path: '/users/{username}/enable', tags: ['users'], middleware: [allow('admin')] as const, summary: 'Enable a user',
  request: { params: usernameParams, body: jsonContent(emptyBody) },
  responses: { 200: { description: '{"user": {...}}' }, ...base, 404: errors[404] },
});

export function registerUserRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  const userDeps = (): UserDeps => {
    if (deps.identity.kind !== 'session') {
      throw new BursarError('NOT_IMPLEMENTED', 'in AWS people are managed in the Cognito user pool (groups are the roles)');
    }
    return { users: deps.identity.users, sessions: deps.identity.sessions, clock: deps.clock };
  };

  api.openapi(listRoute, async (c) => c.json({ users: await listUsers(userDeps()) }, 200));

  api.openapi(addRoute, async (c) => {
    const body = c.req.valid('json');
    const user = await addUser(userDeps(), principalOf(c).id, body);
    return c.json({ user }, 200);
  });

  api.openapi(disableRoute, async (c) => c.json({ user: await setDisabled(userDeps(), principalOf(c).id, c.req.valid('param').username, true) }, 200));
  api.openapi(enableRoute, async (c) => c.json({ user: await setDisabled(userDeps(), principalOf(c).id, c.req.valid('param').username, false) }, 200));
}
