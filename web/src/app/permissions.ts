/**
 * What the signed-in user's roles let them see and do, exactly as issue 11's role table says. The
 * API enforces all of it; the console only hides what would be refused, so nobody is shown a button
 * that can only fail.
 */
import type { Me, Role } from '../api/types.ts';

export interface Abilities {
  readAll: boolean;
  bureau: boolean;
  readAwards: boolean;
  submit: boolean;
  cancel: boolean;
  setBudget: boolean;
  runs: boolean;
  prepare: boolean;
  approve: boolean;
  exportRun: boolean;
  files: boolean;
  settle: boolean;
  summary: boolean;
  alerts: boolean;
  reconciliations: boolean;
  audit: boolean;
  users: boolean;
  /** Issue 14: held awards (read: as the API's READERS; decide: clerk). */
  holds: boolean;
  decideHolds: boolean;
  /** Issue 13: re-issue a run's file (clerk), release failed payments (reviewer), verify exports. */
  reissue: boolean;
  releaseFailed: boolean;
  verify: boolean;
  /** Issue 15 §3: the years' close status (GET /years; every reader, not the administrator), propose (clerk), approve (reviewer). */
  years: boolean;
  proposeClose: boolean;
  approveClose: boolean;
}

export function abilities(me: Pick<Me, 'roles'>): Abilities {
  const has = (...roles: Role[]) => roles.some((r) => me.roles.includes(r));
  const readAll = has('clerk', 'reviewer', 'auditor');
  const bureau = has('bureau');
  return {
    readAll,
    bureau,
    readAwards: readAll || bureau,
    submit: has('bureau', 'clerk'),
    cancel: has('bureau', 'clerk'),
    setBudget: has('clerk'),
    runs: readAll,
    prepare: has('clerk'),
    approve: has('reviewer'),
    exportRun: has('clerk'),
    files: has('clerk', 'reviewer'),
    settle: has('clerk'),
    summary: readAll || bureau,
    alerts: readAll || bureau,
    reconciliations: readAll,
    audit: has('reviewer', 'auditor'),
    users: has('admin'),
    holds: readAll || bureau,
    decideHolds: has('clerk'),
    reissue: has('clerk'),
    releaseFailed: has('reviewer'),
    verify: has('clerk', 'reviewer', 'auditor'),
    years: readAll || bureau,
    proposeClose: has('clerk'),
    approveClose: has('reviewer'),
  };
}

export type PageId = 'overview' | 'awards' | 'submit' | 'waitlist' | 'holds' | 'runs' | 'execution' | 'alerts' | 'reconciliation' | 'audit' | 'users' | 'yearEnd';

export const PAGE_PATHS: Record<PageId, string> = {
  overview: '/', awards: '/awards', submit: '/submit', waitlist: '/waitlist', holds: '/holds', runs: '/runs', execution: '/execution',
  alerts: '/alerts', reconciliation: '/reconciliation', audit: '/audit', users: '/users', yearEnd: '/year-end',
};

export function allowedPages(a: Abilities): PageId[] {
  const pages: [PageId, boolean][] = [
    ['overview', a.readAwards], ['awards', a.readAwards], ['submit', a.submit], ['waitlist', a.readAwards], ['holds', a.holds], ['runs', a.runs],
    ['execution', a.summary], ['yearEnd', a.years], ['alerts', a.alerts], ['reconciliation', a.reconciliations], ['audit', a.audit], ['users', a.users],
  ];
  return pages.filter(([, ok]) => ok).map(([id]) => id);
}
