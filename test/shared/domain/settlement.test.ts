import { describe, expect, test } from '@jest/globals';
import { classifyLine, parseSettlementLine } from '../../../shared/domain/settlement.ts';

describe('settlement lines', () => {
  test('PAID needs a reference, FAILED a reason; status is PAID or FAILED', () => {
    expect(parseSettlementLine({ award_id: 'A-1', status: 'PAID', reference: 'R1', reason: '' }))
      .toEqual({ ok: true, line: { award_id: 'A-1', outcome: 'PAID', reference: 'R1', reason: '' } });
    expect(parseSettlementLine({ award_id: 'A-1', status: ' failed ', reason: 'closed' }))
      .toEqual({ ok: true, line: { award_id: 'A-1', outcome: 'FAILED', reference: '', reason: 'closed' } });
    expect(parseSettlementLine({ award_id: 'A-1', status: 'PAID', reference: '' })).toMatchObject({ ok: false, field: 'reference' });
    expect(parseSettlementLine({ award_id: 'A-1', status: 'FAILED', reference: 'R' })).toMatchObject({ ok: false, field: 'reason' });
    expect(parseSettlementLine({ award_id: 'A-1', status: 'DONE', reference: 'R' })).toMatchObject({ ok: false, field: 'status' });
    expect(parseSettlementLine({ award_id: '', status: 'PAID', reference: 'R' })).toMatchObject({ ok: false, field: 'award_id' });
    expect(parseSettlementLine({ award_id: 'A-1', status: 'PAID', reference: 'R\u0000' })).toMatchObject({ ok: false, field: 'reference' });
  });

  test('the same status and reference repeat a settlement; anything else contradicts it', () => {
    const paid = { award_id: 'A-1', outcome: 'PAID' as const, reference: 'R1', reason: '' };
    expect(classifyLine(paid, {})).toBe('apply');
    expect(classifyLine(paid, { outcome: 'PAID', reference: 'R1' })).toBe('repeat');
    expect(classifyLine(paid, { outcome: 'PAID', reference: 'R2' })).toBe('contradiction');
    expect(classifyLine(paid, { outcome: 'FAILED', reason: 'x' })).toBe('contradiction');
    const failed = { award_id: 'A-1', outcome: 'FAILED' as const, reference: '', reason: 'closed' };
    expect(classifyLine(failed, { outcome: 'FAILED', reason: 'worded differently' })).toBe('repeat');
  });
});
