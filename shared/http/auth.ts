import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { BursarError } from '../domain/errors.ts';
import { UNITS, type UnitCode } from '../domain/units.ts';
import { ROLES, type Principal, type Role } from '../ports/identity.ts';
import { authenticateSession, csrfMatches, unauthenticated } from '../services/sessions.ts';
import type { ApiDeps, AppEnv } from './deps.ts';
import { forbidden } from './errors.ts';

export const SESSION_COOKIE = 'bursar_session';
export const CSRF_COOKIE = 'bursar_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Who is calling, for every /api/v1 route but sign-in and the OpenAPI document. Locally a session
 * cookie, and on every unsafe method the CSRF header equal to the bursar_csrf cookie and to the
 * session's token. In AWS the verified JWT claims (API Gateway refused anything unsigned already).
 */
export function authenticate(deps: ApiDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const identity = deps.identity;
    if (identity.kind === 'jwt') {
      c.set('principal', principalFromClaims(identity.claims(c)));
      return next();
    }
    const session = await authenticateSession({ users: identity.users, sessions: identity.sessions, clock: deps.clock }, getCookie(c, SESSION_COOKIE));
    if (!SAFE_METHODS.has(c.req.method) && !csrfMatches(c.req.header(CSRF_HEADER), getCookie(c, CSRF_COOKIE), session.csrf)) {
      throw new BursarError('CSRF', `this request needs the ${CSRF_HEADER} header equal to the ${CSRF_COOKIE} cookie`);
    }
    c.set('principal', session.principal);
    c.set('session', session);
    return next();
  };
}

/** A route for these roles only: anyone else gets 403 FORBIDDEN naming the roles that may. */
export function allow(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!principal) throw unauthenticated();
    if (!principal.roles.some((r) => roles.includes(r))) {
      throw forbidden(`this needs the role ${roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`}`);
    }
    return next();
  };
}

/** True when the principal sees only their own unit's data (a bureau user without a finance role). */
export function scopedUnit(principal: Principal): UnitCode | undefined {
  const finance = principal.roles.some((r) => r === 'clerk' || r === 'reviewer' || r === 'auditor');
  return !finance && principal.roles.includes('bureau') ? principal.unit ?? undefined : undefined;
}

export const principalOf = (c: Context<AppEnv>): Principal => c.get('principal');

/**
 * Cognito claims → the principal: `sub` is the person (four eyes, actor), `cognito:groups` the
 * roles (API Gateway passes the list as "[clerk reviewer]"), `custom:unit` a bureau user's unit.
 * Groups that are not roles are ignored; a bureau group without a known unit is not honoured.
 */
export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal {
  const sub = typeof claims?.['sub'] === 'string' ? claims['sub'] : '';
  if (!claims || !/^[0-9a-zA-Z-]{1,64}$/.test(sub)) throw unauthenticated();
  const rawGroups = claims['cognito:groups'];
  const groups = Array.isArray(rawGroups) ? rawGroups.map(String)
    : typeof rawGroups === 'string' ? rawGroups.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean) : [];
  const unitClaim = typeof claims['custom:unit'] === 'string' ? claims['custom:unit'] : '';
  const unit = UNITS.find((u) => u.code === unitClaim)?.code ?? null;
  const roles = groups.filter((g): g is Role => (ROLES as readonly string[]).includes(g)).filter((r) => r !== 'bureau' || unit !== null);
  const username = String(claims['cognito:username'] ?? claims['username'] ?? sub).slice(0, 128);
  return { id: sub, username, roles: [...new Set(roles)], unit: roles.includes('bureau') ? unit : null };
}
