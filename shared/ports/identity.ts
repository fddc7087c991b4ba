import type { UnitCode } from '../domain/units.ts';

/** The five roles of the front door (issue 11, section 2). A person may hold several. */
export const ROLES = ['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A local user as stored; `password_hash` never leaves the store and the password service. */
export interface StoredUser {
  username: string;
  roles: Role[];
  unit: UnitCode | null;
  disabled: boolean;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

/** Who is signed in, however they signed in. `id` is the person for four eyes and the actor recorded. */
export interface Principal {
  /** Locally the username; in AWS the Cognito `sub`. */
  id: string;
  username: string;
  roles: Role[];
  unit: UnitCode | null;
}

/** One entry of the audit log (GET /api/v1/audit). */
export interface AuditEntry {
  at: string;
  actor: string;
  kind: AuditKind;
  subject: string;
  detail: Record<string, unknown>;
}

export const AUDIT_KINDS = [
  'sign-in', 'sign-out', 'lock-out',
  'user-add', 'user-disable', 'user-enable', 'user-passwd',
  'budget-set', 'award-cancel', 'submission', 'budget-transfer',
  'run-prepare', 'run-approve', 'run-export', 'file-download', 'run-settle', 'run-reissue', 'run-release-failed',
  'hold-release', 'hold-reject',
  'year-close', 'year-approve',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditQuery {
  /** ISO instant: entries at or after it. */
  since?: string;
  kind?: AuditKind;
  limit: number;
}

/** Append-only audit log, newest first when listed. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}

/** Failed sign-ins of one username within the lock-out window. */
export interface LoginState {
  failures: string[];
  locked_until: string | null;
  version: number;
}

export interface UserStore {
  get(username: string): Promise<StoredUser | undefined>;
  list(): Promise<StoredUser[]>;
  /** 'exists' when the username is taken. The audit entry is written in the same transaction. */
  create(user: StoredUser, audit: AuditEntry): Promise<'created' | 'exists'>;
  /** Replace fields of an existing user (with its audit entry, atomically); false if there is no such user. */
  update(username: string, change: Partial<Pick<StoredUser, 'disabled' | 'password_hash'>>, at: string, audit: AuditEntry): Promise<boolean>;
  getLoginState(username: string): Promise<LoginState>;
  /** Write the state only if its version is still `expectedVersion`; false when it moved (re-read and retry). */
  putLoginState(username: string, expectedVersion: number, state: Omit<LoginState, 'version'>, audit?: AuditEntry): Promise<boolean>;
}

export interface StoredSession {
  /** SHA-256 of the session id: the id itself is only ever in the cookie. */
  id_hash: string;
  username: string;
  csrf: string;
  created_at: string;
  last_seen_at: string;
}

export interface SessionStore {
  create(session: StoredSession, audit: AuditEntry): Promise<void>;
  get(idHash: string): Promise<StoredSession | undefined>;
  /** The session and the user it claims, in one strongly consistent round trip. */
  getWithUser(idHash: string, username: string): Promise<{ session?: StoredSession; user?: StoredUser }>;
  touch(idHash: string, at: string): Promise<void>;
  delete(idHash: string, audit?: AuditEntry): Promise<void>;
  /** End every session of a user (disabled, password changed). */
  deleteAllOf(username: string): Promise<number>;
}
