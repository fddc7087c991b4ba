/** How a hold is shown wherever it appears (holds page, award drawer). */
import type { Award, HoldReason } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { Tag } from './Tag.tsx';

const REASON_COLORS: Record<HoldReason, string> = { CREDIT_RESTRICTED: 'red', DUPLICATE_PROJECT: 'orange', POSSIBLE_DUPLICATE: 'gold' };

/** The failed rule that held the award: its detail names the restriction or the other award(s). */
export function holdDetail(a: Pick<Award, 'hold' | 'trace'>): string {
  const reason = a.hold?.reason;
  const steps = a.trace ?? [];
  return (steps.find((s) => s.rule === reason && !s.ok) ?? steps.find((s) => !s.ok))?.detail ?? '';
}

export function HoldReasonTag({ reason }: { reason: HoldReason }) {
  const { t } = useI18n();
  return <Tag color={REASON_COLORS[reason]}>{t(`holdReason_${reason}`)}</Tag>;
}

