import { abilities, allowedPages } from '../../../../web/src/app/permissions.ts';
import type { Role } from '../../../../web/src/api/types.ts';

const can = (...roles: Role[]) => abilities({ roles });

describe('holds and payment integrity in the console follow the API’s authorization', () => {
  it('lists holds for every role that may read them (GET /holds: bureau, clerk, reviewer, auditor), not for an administrator', () => {
    for (const role of ['bureau', 'clerk', 'reviewer', 'auditor'] as const) expect(allowedPages(can(role))).toContain('holds');
    expect(allowedPages(can('admin'))).not.toContain('holds');
  });

  it('lets only a clerk release or reject holds and ask for a re-issue, only a reviewer release failed payments', () => {
    expect((['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const).filter((r) => can(r).decideHolds)).toEqual(['clerk']);
    expect((['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const).filter((r) => can(r).reissue)).toEqual(['clerk']);
    expect((['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const).filter((r) => can(r).releaseFailed)).toEqual(['reviewer']);
    expect((['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const).filter((r) => can(r).verify)).toEqual(['clerk', 'reviewer', 'auditor']);
  });

  it('puts the holds page after the waitlist in the navigation', () => {
    const pages = allowedPages(can('clerk'));
    expect(pages.indexOf('holds')).toBe(pages.indexOf('waitlist') + 1);
  });
});

describe('the year-end page follows the API’s authorization (GET /years: every reader; close: clerk; approve: reviewer)', () => {
  it('is listed for bureau, clerk, reviewer and auditor (not the administrator, whose console is users only), after budget execution', () => {
    for (const role of ['bureau', 'clerk', 'reviewer', 'auditor'] as const) expect(allowedPages(can(role))).toContain('yearEnd');
    expect(allowedPages(can('admin'))).not.toContain('yearEnd');
    const pages = allowedPages(can('reviewer'));
    expect(pages.indexOf('yearEnd')).toBe(pages.indexOf('execution') + 1);
  });

  it('lets only a clerk propose a close and only a reviewer approve one', () => {
    expect((['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const).filter((r) => can(r).proposeClose)).toEqual(['clerk']);
    expect((['bureau', 'clerk', 'reviewer', 'auditor', 'admin'] as const).filter((r) => can(r).approveClose)).toEqual(['reviewer']);
  });
});
