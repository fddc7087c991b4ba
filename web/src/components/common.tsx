import { Alert, Typography } from 'antd';
import { Tag } from './Tag.tsx';
import { useQuery } from '@tanstack/react-query';
import { allEnvelopesQuery } from '../api/queries.ts';
import type { AwardStatus, RunStatus } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import type { Messages } from '../app/messages-zh.ts';

type MessageKey = keyof Messages;
import { formatFen } from '../format/money.ts';
import { currentShanghaiYear } from '../format/dates.ts';

/** An amount in integer fen, shown in yuan. */
export function Money({ fen, testId }: { fen: number | bigint | string; testId?: string }) {
  return <span className="num" data-testid={testId}>{formatFen(fen)}</span>;
}

export function PageTitle({ children, extra }: { children: React.ReactNode; extra?: React.ReactNode }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap', marginBottom: 12 }}>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{children}</Typography.Title>
      <span style={{ flex: 1 }} />
      {extra}
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const e = error as { code?: string; message?: string };
  // A plain-language line for the codes a person can act on; the API's own code and message follow.
  const hintKey = `err_${e.code ?? ''}` as MessageKey;
  const hint = e.code && t(hintKey) !== hintKey ? t(hintKey) : null;
  return <Alert type="error" showIcon role="alert" title={hint ?? t('error')} data-code={e.code}
    description={`${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`} style={{ marginBottom: 12 }} />;
}

const STATUS_COLORS: Record<AwardStatus, string> = {
  RESERVED: 'blue', WAITLISTED: 'gold', REJECTED: 'red', CANCELLED: 'default', BATCHED: 'cyan', PAID: 'green',
  RETURNED: 'volcano', HELD: 'purple',
};
export function StatusTag({ status }: { status: AwardStatus }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLORS[status]}>{t(`status_${status}`)}</Tag>;
}

const RUN_COLORS: Record<RunStatus, string> = { PREPARING: 'processing', PREPARED: 'gold', APPROVED: 'blue', EXPORTED: 'cyan', SETTLED: 'green' };
export function RunStatusTag({ status }: { status: RunStatus }) {
  const { t } = useI18n();
  return <Tag color={RUN_COLORS[status]}>{t(`runStatus_${status}`)}</Tag>;
}

/** Years that have an envelope, plus the current Shanghai year (the default). */
export function useFiscalYears(): number[] {
  const all = useQuery(allEnvelopesQuery);
  const years = new Set<number>([currentShanghaiYear()]);
  for (const e of all.data?.envelopes ?? []) years.add(e.fiscal_year);
  return [...years].sort((a, b) => b - a);
}
