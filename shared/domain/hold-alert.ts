/** HOLD alerts (issue 14): one per held award, to its approving unit and FIN. The award id is the alert id. */
import type { Alert } from './alert.ts';
import type { Award } from './award.ts';
import { formatYuanGrouped } from './money.ts';
import { FINANCE_UNIT, type UnitCode } from './units.ts';

const REASON_TEXT: Record<string, string> = {
  CREDIT_RESTRICTED: '收款主体处于失信限制期',
  DUPLICATE_PROJECT: '同一主体同一项目已有奖补（就高不重复）',
  POSSIBLE_DUPLICATE: '疑似重复申报（同一主体、措施、年度、金额）',
};

export const holdAlertId = (awardId: string) => `H-${awardId}`;

export function holdAlert(award: Award, createdAt: string): Alert {
  const reason = award.hold?.reason ?? String(award.reason);
  const units: UnitCode[] = award.approving_unit === FINANCE_UNIT ? [FINANCE_UNIT] : [award.approving_unit, FINANCE_UNIT];
  return {
    alert_id: holdAlertId(award.award_id),
    kind: 'HOLD',
    measure: award.measure,
    fiscal_year: award.fiscal_year,
    threshold: null,
    award_id: award.award_id,
    units,
    created_at: createdAt,
    subject: `Bursar HOLD ${reason} ${award.award_id}`.slice(0, 100),
    message: `奖补 ${award.award_id}（措施${award.measure}，${formatYuanGrouped(award.amount_fen)}元）已暂停待人工处理：${REASON_TEXT[reason] ?? reason}。\n`
      + `Award ${award.award_id} (measure ${award.measure}, ${formatYuanGrouped(award.amount_fen)} yuan) is HELD (${reason}); release or reject it with bursar holds.`,
  };
}
