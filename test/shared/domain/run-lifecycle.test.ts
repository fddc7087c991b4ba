import { describe, expect, test } from '@jest/globals';
import type { RunStatus } from '../../../shared/domain/run.ts';
import { checkActor, checkApproval, checkExportable, checkSettleable, samePerson } from '../../../shared/domain/run-lifecycle.ts';

const run = (status: RunStatus) => ({ run_id: 'RUN-2025-04', status, prepared_by: 'Wang Fang' });

describe('run lifecycle and four eyes', () => {
  test('one person, however written', () => {
    expect(samePerson('Wang Fang', '  wang   FANG ')).toBe(true);
    expect(samePerson('王芳', '王芳 ')).toBe(true);
    expect(samePerson('ＷＡＮＧ', 'wang')).toBe(true);
    expect(samePerson('arn:aws:iam::1:user/a', 'arn:aws:iam::1:user/b')).toBe(false);
  });

  test('approval: not by the preparer, not while preparing, idempotent once approved', () => {
    expect(() => checkApproval(run('PREPARED'), 'wang fang')).toThrow(expect.objectContaining({ code: 'SAME_PERSON' }));
    expect(() => checkApproval(run('APPROVED'), 'Wang Fang')).toThrow(expect.objectContaining({ code: 'SAME_PERSON' }));
    expect(() => checkApproval(run('PREPARING'), 'Zhao')).toThrow(expect.objectContaining({ code: 'RUN_INCOMPLETE' }));
    expect(checkApproval(run('PREPARED'), 'Zhao')).toBe(true);
    expect(checkApproval(run('APPROVED'), 'Zhao')).toBe(false);
  });

  test('export needs approval; settlement needs export', () => {
    for (const s of ['PREPARING', 'PREPARED'] as const) expect(() => checkExportable(run(s))).toThrow(expect.objectContaining({ code: 'NOT_APPROVED' }));
    expect(checkExportable(run('APPROVED'))).toEqual({ kind: 'first' });
    // Exported once: any second export is refused (issue 13, finding 1).
    for (const s of ['EXPORTED', 'SETTLED'] as const) expect(() => checkExportable(run(s))).toThrow(expect.objectContaining({ code: 'ALREADY_EXPORTED' }));
    for (const s of ['PREPARED', 'APPROVED'] as const) expect(() => checkSettleable(run(s))).toThrow(expect.objectContaining({ code: 'NOT_EXPORTED' }));
    expect(() => checkSettleable(run('EXPORTED'))).not.toThrow();
  });

  test('an actor is required', () => {
    expect(() => checkActor('  ')).toThrow(expect.objectContaining({ code: 'MISSING_ACTOR' }));
    expect(() => checkActor('a\nb')).toThrow(expect.objectContaining({ code: 'BAD_ACTOR' }));
    expect(checkActor(' Zhao Lei ')).toBe('Zhao Lei');
  });
});
