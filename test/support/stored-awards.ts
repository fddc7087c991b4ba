import type { Award, AwardStatus } from '../../shared/domain/award.ts';
import { usccFor } from './records.ts';

/** An award as the store holds it (measure 7, FY2025, EITB unless overridden), for adapter tests. */
export function storedAward(n: number, fen: number, status: AwardStatus, overrides: Partial<Award> = {}): Award {
  const at = '2025-05-01T00:00:00.000Z';
  return {
    award_id: `A-${String(n).padStart(5, '0')}`, measure: 7, fiscal_year: 2025,
    recipient_name: `宁波测试制造有限公司${n}`, recipient_uscc: usccFor(n), amount_fen: fen,
    qualifying_date: '2025-03-01', approved_date: '2025-04-01', approving_unit: 'EITB',
    payee_bank: '中国银行宁波奉化支行', payee_account: `62170000${String(n).padStart(8, '0')}`,
    status, trace: [], content_hash: `hash-${n}`, submission_id: 'sub-1', line: n + 1,
    intake_outcome: status === 'WAITLISTED' ? 'WAITLISTED' : status === 'REJECTED' ? 'REJECTED' : 'RESERVED',
    created_at: at, updated_at: at, history: [{ at, status }],
    ...overrides,
  };
}
