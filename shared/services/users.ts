import { ValidationError, BursarError, NotFoundError } from '../domain/errors.ts';
import { UNITS, type UnitCode } from '../domain/units.ts';
import { ROLES, type AuditEntry, type Role, type StoredUser, type SessionStore, type UserStore } from '../ports/identity.ts';
import type { Clock } from './clock.ts';
import { hashPassword } from './passwords.ts';

/** A user as the CLI and the API show it: never the hash. */
export interface UserView {
  username: string;
  roles: Role[];
  unit: UnitCode | null;
  disabled: boolean;
}

export const userView = (u: StoredUser): UserView => ({ username: u.username, roles: u.roles, unit: u.unit, disabled: u.disabled });

export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{1,31}$/;
export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

export function checkUsername(username: string): string {
  if (!USERNAME_PATTERN.test(username)) {
    throw new ValidationError('BAD_USERNAME', 'a username is 2-32 characters: a lower-case letter, then lower-case letters, digits, . _ -', { field: 'username' });
  }
  return username;
}

export function parseRoles(values: readonly string[]): Role[] {
  const roles = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  if (roles.length === 0) throw new ValidationError('UNKNOWN_ROLE', `at least one role is needed: ${ROLES.join(', ')}`, { field: 'roles' });
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ValidationError('UNKNOWN_ROLE', `unknown role ${JSON.stringify(role.slice(0, 20))}; roles are ${ROLES.join(', ')}`, { field: 'roles' });
    }
  }
  return roles as Role[];
}

/** `bureau` needs the unit it works for; no other role carries one. */
export function checkUnit(roles: readonly Role[], unit: string | null | undefined): UnitCode | null {
  const given = unit?.trim() || null;
  if (roles.includes('bureau')) {
    if (!given) throw new ValidationError('UNKNOWN_UNIT', 'a bureau user needs --unit with their unit code', { field: 'unit' });
    const known = UNITS.find((u) => u.code === given);
    if (!known) throw new ValidationError('UNKNOWN_UNIT', `unknown unit ${JSON.stringify(given.slice(0, 20))}; units are ${UNITS.map((u) => u.code).join(', ')}`, { field: 'unit' });
    return known.code;
  }
  if (given) throw new ValidationError('UNKNOWN_UNIT', 'only bureau users carry a unit', { field: 'unit' });
  return null;
}

export function checkPassword(password: string, username: string): string {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError('WEAK_PASSWORD', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw new ValidationError('WEAK_PASSWORD', `a password may have at most ${MAX_PASSWORD_LENGTH} characters`, { field: 'password' });
  if (password.normalize('NFKC').trim().toLowerCase() === username.toLowerCase()) {
    throw new ValidationError('WEAK_PASSWORD', 'the password may not be the username', { field: 'password' });
  }
  return password;
}

export interface UserDeps {
  users: UserStore;
  sessions: SessionStore;
  clock: Clock;
}

/** Who manages users: the signed-in admin's id, or the operating-system user at the CLI. */
export type Actor = string;

export async function addUser(deps: UserDeps, actor: Actor, cmd: { username: string; roles: readonly string[]; unit?: string | null; password: string }): Promise<UserView> {
  const username = checkUsername(cmd.username);
  const roles = parseRoles(cmd.roles);
  const unit = checkUnit(roles, cmd.unit);
  checkPassword(cmd.password, username);
  const now = deps.clock.now();
  const user: StoredUser = { username, roles, unit, disabled: false, password_hash: await hashPassword(cmd.password), created_at: now, updated_at: now };
  const audit: AuditEntry = { at: now, actor, kind: 'user-add', subject: username, detail: { roles, unit } };
  if ((await deps.users.create(user, audit)) === 'exists') throw new BursarError('USER_EXISTS', `user ${username} exists already`, { username });
  return userView(user);
}

export async function listUsers(deps: Pick<UserDeps, 'users'>): Promise<UserView[]> {
  return (await deps.users.list()).map(userView).sort((a, b) => (a.username < b.username ? -1 : 1));
}

export async function setDisabled(deps: UserDeps, actor: Actor, username: string, disabled: boolean): Promise<UserView> {
  const now = deps.clock.now();
  const audit: AuditEntry = { at: now, actor, kind: disabled ? 'user-disable' : 'user-enable', subject: username, detail: {} };
  if (!USERNAME_PATTERN.test(username) || !(await deps.users.update(username, { disabled }, now, audit))) throw new NotFoundError('user', username);
  // A disabled user's sessions end now (requests also re-check the user, so none outlives this).
  if (disabled) await deps.sessions.deleteAllOf(username);
  const user = await deps.users.get(username);
  if (!user) throw new NotFoundError('user', username);
  return userView(user);
}

export async function changePassword(deps: UserDeps, actor: Actor, username: string, password: string): Promise<UserView> {
  if (!USERNAME_PATTERN.test(username)) throw new NotFoundError('user', username);
  checkPassword(password, username);
  const now = deps.clock.now();
  const audit: AuditEntry = { at: now, actor, kind: 'user-passwd', subject: username, detail: {} };
  if (!(await deps.users.update(username, { password_hash: await hashPassword(password) }, now, audit))) throw new NotFoundError('user', username);
  await deps.sessions.deleteAllOf(username);
  const user = await deps.users.get(username);
  if (!user) throw new NotFoundError('user', username);
  return userView(user);
}
