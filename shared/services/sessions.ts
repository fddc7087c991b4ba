import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BursarError } from '../domain/errors.ts';
import type { Principal, SessionStore, StoredUser, UserStore } from '../ports/identity.ts';
import type { Clock } from './clock.ts';
import { USERNAME_PATTERN, userView, type UserView } from './users.ts';
import { dummyHash, verifyPassword } from './passwords.ts';

/** Section 3 of the front-door issue: lock-out and session lifetimes. */
export const SESSION_POLICY = {
  maxFailures: 5,
  failureWindowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3600_000,
  /** last_seen_at is written at most this often (a write per request would double the cost of a read). */
  touchEveryMs: 60_000,
} as const;

export interface SessionDeps {
  users: UserStore;
  sessions: SessionStore;
  clock: Clock;
}

export interface NewSession {
  user: UserView;
  /** Goes only into the HttpOnly cookie; the store keeps its SHA-256. */
  session_id: string;
  csrf: string;
}

const MAX_ATTEMPTS = 10;

export const badCredentials = () => new BursarError('BAD_CREDENTIALS', 'unknown user or wrong password');
export const unauthenticated = (why = 'sign in first') => new BursarError('UNAUTHENTICATED', why);

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

const ms = (iso: string) => Date.parse(iso);

/**
 * POST /api/v1/session. Unknown user, wrong password and disabled user all answer BAD_CREDENTIALS
 * after the same scrypt work. Failures count per username (known or not): the fifth within 15
 * minutes still answers BAD_CREDENTIALS and locks the name for 15 minutes (audited); while locked
 * every attempt answers LOCKED_OUT, right password or not. The login state is versioned, so
 * concurrent guesses cannot slip past the count.
 */
export async function signIn(deps: SessionDeps, cmd: { username: string; password: string }): Promise<NewSession> {
  const username = cmd.username.normalize('NFKC').trim().toLowerCase().slice(0, 64);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const state = await deps.users.getLoginState(username);
    if (state.locked_until && ms(state.locked_until) > ms(now)) {
      throw new BursarError('LOCKED_OUT', `too many failed sign-ins for this user; try again after ${state.locked_until}`, { locked_until: state.locked_until });
    }
    const user = await deps.users.get(username);
    const ok = await verifyPassword(cmd.password, user?.password_hash ?? (await dummyHash()));
    if (ok && user && !user.disabled) {
      if (state.failures.length > 0 || state.locked_until) {
        if (!(await deps.users.putLoginState(username, state.version, { failures: [], locked_until: null }))) continue;
      }
      return await startSession(deps, user, now);
    }
    const recent = state.failures.filter((at) => ms(now) - ms(at) < SESSION_POLICY.failureWindowMs);
    recent.push(now);
    const lock = recent.length >= SESSION_POLICY.maxFailures;
    const lockedUntil = lock ? new Date(ms(now) + SESSION_POLICY.lockMs).toISOString() : null;
    const written = await deps.users.putLoginState(
      username, state.version, { failures: lock ? [] : recent, locked_until: lockedUntil },
      lock ? { at: now, actor: username, kind: 'lock-out', subject: username, detail: { failures: recent.length, locked_until: lockedUntil, known_user: user !== undefined } } : undefined,
    );
    if (!written) continue; // another attempt counted meanwhile: count this one on top of it
    throw badCredentials();
  }
  throw new BursarError('TRANSIENT', 'too many simultaneous sign-ins for this user; try again');
}

async function startSession(deps: SessionDeps, user: StoredUser, now: string): Promise<NewSession> {
  // The cookie names the user too, so one round trip reads the session and the user together.
  const sessionId = `${user.username}:${randomBytes(32).toString('base64url')}`;
  const csrf = randomBytes(32).toString('base64url');
  await deps.sessions.create(
    { id_hash: hashSessionId(sessionId), username: user.username, csrf, created_at: now, last_seen_at: now },
    { at: now, actor: user.username, kind: 'sign-in', subject: user.username, detail: {} },
  );
  return { user: userView(user), session_id: sessionId, csrf };
}

export interface Authenticated {
  principal: Principal;
  id_hash: string;
  csrf: string;
}

/**
 * The user behind a session cookie, or UNAUTHENTICATED: no such session, idle for 30 minutes,
 * older than 12 hours, or the user is disabled or gone (then the session is deleted).
 */
export async function authenticateSession(deps: SessionDeps, sessionId: string | undefined): Promise<Authenticated> {
  if (!sessionId || sessionId.length > 120) throw unauthenticated();
  const username = sessionId.slice(0, Math.max(0, sessionId.indexOf(':')));
  if (!USERNAME_PATTERN.test(username)) throw unauthenticated();
  const idHash = hashSessionId(sessionId);
  const { session, user } = await deps.sessions.getWithUser(idHash, username);
  if (!session || session.username !== username) throw unauthenticated();
  const now = ms(deps.clock.now());
  if (now - ms(session.last_seen_at) >= SESSION_POLICY.idleMs || now - ms(session.created_at) >= SESSION_POLICY.absoluteMs) {
    await deps.sessions.delete(idHash);
    throw unauthenticated('the session has expired; sign in again');
  }
  if (!user || user.disabled) {
    await deps.sessions.delete(idHash);
    throw unauthenticated();
  }
  if (now - ms(session.last_seen_at) >= SESSION_POLICY.touchEveryMs) await deps.sessions.touch(idHash, deps.clock.now());
  return { principal: { id: user.username, username: user.username, roles: user.roles, unit: user.unit }, id_hash: idHash, csrf: session.csrf };
}

export async function signOut(deps: SessionDeps, auth: Authenticated): Promise<void> {
  await deps.sessions.delete(auth.id_hash, { at: deps.clock.now(), actor: auth.principal.id, kind: 'sign-out', subject: auth.principal.username, detail: {} });
}

/** Double-submit: the header must equal the cookie, and both the token of this session. */
export function csrfMatches(header: string | undefined, cookie: string | undefined, expected: string): boolean {
  if (!header || !cookie) return false;
  const a = Buffer.from(header);
  const b = Buffer.from(cookie);
  const c = Buffer.from(expected);
  return a.length === c.length && b.length === c.length && timingSafeEqual(a, c) && timingSafeEqual(b, c);
}
