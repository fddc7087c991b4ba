import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { signIn, signOut, SESSION_POLICY } from '../../services/sessions.ts';
import { BursarError } from '../../domain/errors.ts';
import { CSRF_COOKIE, principalOf, SESSION_COOKIE } from '../auth.ts';
import type { ApiDeps, AppEnv } from '../deps.ts';
import { signInBody } from '../schemas.ts';
import { errors, jsonContent } from './common.ts';

const signInRoute = createRoute({
  method: 'post', path: '/session', tags: ['session'],
  summary: 'Sign in (local host): sets the session cookie (HttpOnly) and bursar_csrf',
  request: { body: { ...jsonContent(signInBody), required: true } },
  responses: { 200: { description: '{"user": {"username", "roles", "unit", "disabled"}}' }, 400: errors[400], 401: errors[401] },
});
const signOutRoute = createRoute({
  method: 'delete', path: '/session', tags: ['session'], summary: 'Sign out',
  responses: { 200: { description: '{"signed_out": true}' }, 401: errors[401], 403: errors[403] },
});
const meRoute = createRoute({
  method: 'get', path: '/me', tags: ['session'], summary: 'Who is signed in',
  responses: { 200: { description: '{"username", "roles", "unit"}' }, 401: errors[401] },
});

export function registerSessionRoutes(api: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  api.openapi(signInRoute, async (c) => {
    const identity = deps.identity;
    if (identity.kind !== 'session') throw new BursarError('NOT_IMPLEMENTED', 'sign in through Cognito (the hosted UI); this API takes its JWT');
    const body = c.req.valid('json');
    const session = await signIn({ users: identity.users, sessions: identity.sessions, clock: deps.clock }, body);
    const common = { path: '/', sameSite: 'Strict' as const, secure: identity.secureCookies, maxAge: SESSION_POLICY.absoluteMs / 1000 };
    setCookie(c, SESSION_COOKIE, session.session_id, { ...common, httpOnly: true });
    setCookie(c, CSRF_COOKIE, session.csrf, { ...common, httpOnly: false });
    return c.json({ user: session.user }, 200);
  });

  api.openapi(signOutRoute, async (c) => {
    const session = c.get('session');
    const identity = deps.identity;
    if (session && identity.kind === 'session') await signOut({ users: identity.users, sessions: identity.sessions, clock: deps.clock }, session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    deleteCookie(c, CSRF_COOKIE, { path: '/' });
    return c.json({ signed_out: true }, 200);
  });

  api.openapi(meRoute, (c) => {
    const p = principalOf(c);
    return c.json({ username: p.username, roles: p.roles, unit: p.unit }, 200);
  });
}
