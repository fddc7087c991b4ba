/**
 * 挂起审核 (issue 14): awards HELD for a person's decision (credit restriction, duplicate project,
 * possible duplicate), filtered by reason, unit and fiscal year, each with the rule trace that names
 * the other award(s). A clerk releases (with a note) or rejects (with a reason) after a
 * confirmation; everyone else who may read holds sees them read-only (a bureau user: its unit's).
 */
import { useState } from 'react';
import { Button, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, query } from '../api/client.ts';
import { HOLD_REASONS, type Award, type HoldDecision } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { useSession } from '../app/session.ts';
import { href, navigate, useRoute } from '../app/router.ts';
import { UNITS, unitLabel } from '../app/catalog.ts';
import { HoldReasonTag, holdDetail } from '../components/holds.tsx';
import { ConfirmAction } from '../components/ConfirmAction.tsx';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, Money, PageTitle, useFiscalYears } from '../components/common.tsx';
import { formatInstant } from '../format/dates.ts';

const FILTERS = ['reason', 'unit', 'fiscal_year'] as const;
type Deciding = { kind: 'release' | 'reject'; award: Award };

export default function Holds() {
  const { t, lang } = useI18n();
  const { can, bureauOnly } = useSession();
  const route = useRoute();
  const queryClient = useQueryClient();
  const { toast, holder } = useToast();
  const years = useFiscalYears();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, route.params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const [deciding, setDeciding] = useState<Deciding | null>(null);
  const holds = useQuery({ queryKey: ['holds', filters], queryFn: () => get<{ holds: Award[] }>(`/holds${query(filters)}`) });
  const setFilter = (name: (typeof FILTERS)[number], value: string | number | undefined) =>
    navigate('/holds', { ...filters, [name]: value === undefined ? '' : String(value) });

  const columns: ColumnsType<Award> = [
    { title: t('awardId'), dataIndex: 'award_id', render: (id: string) => <a className="num" href={href('/awards', { id, q: id })}>{id}</a> },
    { title: t('recipient'), dataIndex: 'recipient_name', render: (name: string, a) => <><span data-testid="recipient-name">{name}</span><br /><Typography.Text type="secondary" className="num">{a.recipient_uscc}</Typography.Text></> },
    { title: t('measure'), dataIndex: 'measure', width: 70 },
    { title: t('fiscalYear'), dataIndex: 'fiscal_year', width: 80 },
    { title: t('approvingUnit'), dataIndex: 'approving_unit', width: 90, render: (u: string) => <span title={unitLabel(u, lang)}>{u}</span> },
    { title: t('amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('holdReason'), key: 'reason', render: (_: unknown, a) => a.hold && <span data-testid="hold-reason" data-reason={a.hold.reason}><HoldReasonTag reason={a.hold.reason} /></span> },
    { title: t('heldSince'), key: 'since', width: 170, render: (_: unknown, a) => <span className="num">{formatInstant(a.hold?.at)}</span> },
    ...(can.decideHolds ? [{
      title: t('actions'), key: 'actions', fixed: 'right' as const, width: 150, render: (_: unknown, a: Award) => (
        <Space>
          <Button size="small" type="primary" onClick={() => setDeciding({ kind: 'release', award: a })} aria-label={`${t('releaseHold')} ${a.award_id}`}>{t('releaseHold')}</Button>
          <Button size="small" danger onClick={() => setDeciding({ kind: 'reject', award: a })} aria-label={`${t('rejectHold')} ${a.award_id}`}>{t('rejectHold')}</Button>
        </Space>
      ),
    }] : []),
  ];

  const refresh = () => Promise.all(['holds', 'envelopes', 'forecasts', 'awards', 'award'].map((k) => queryClient.invalidateQueries({ queryKey: [k] })));

  return (
    <>
      <PageTitle>{t('holdsTitle')}</PageTitle>
      {holder}
      {!can.decideHolds && <Typography.Paragraph type="secondary" data-testid="holds-read-only">{t('holdsReadOnly')}</Typography.Paragraph>}
      {bureauOnly && <Typography.Paragraph type="secondary">{t('bureauHoldsScope')}</Typography.Paragraph>}
      <Space wrap style={{ marginBottom: 12 }} role="search" aria-label={t('filters')}>
        <label htmlFor="h-reason">{t('holdReason')}</label>
        <Select id="h-reason" allowClear placeholder={t('all')} style={{ width: 140 }} value={filters.reason || undefined} onChange={(v) => setFilter('reason', v)}
          options={HOLD_REASONS.map((r) => ({ value: r, label: t(`holdReason_${r}`) }))} />
        {!bureauOnly && <>
          <label htmlFor="h-unit">{t('unit')}</label>
          <Select id="h-unit" allowClear placeholder={t('allUnits')} style={{ width: 170 }} value={filters.unit || undefined} onChange={(v) => setFilter('unit', v)}
            options={UNITS.map((u) => ({ value: u.code, label: unitLabel(u.code, lang) }))} popupMatchSelectWidth={320} />
        </>}
        <label htmlFor="h-fy">{t('fiscalYear')}</label>
        <Select id="h-fy" allowClear placeholder={t('all')} style={{ width: 110 }} value={filters.fiscal_year ? Number(filters.fiscal_year) : undefined} onChange={(v) => setFilter('fiscal_year', v)}
          options={years.map((y) => ({ value: y, label: String(y) }))} />
      </Space>
      <ErrorBox error={holds.error} />
      <Table<Award>
        data-testid="holds-table"
        size="small"
        rowKey="award_id"
        loading={holds.isFetching}
        columns={columns}
        dataSource={holds.data?.holds ?? []}
        locale={{ emptyText: t('noHolds') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 1000 }}
        // The rule detail naming the other award(s) or the restriction, full width under each row.
        expandable={{
          expandedRowKeys: (holds.data?.holds ?? []).map((a) => a.award_id), showExpandColumn: false,
          expandedRowRender: (a) => (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <span data-testid="hold-keeps">{t('keepsReservation')}: {t(a.hold?.keeps_reservation ? 'keepsReservationYes' : 'keepsReservationNo')}</span>
              {' · '}<span data-testid="hold-detail">{t('holdDetail')}: {holdDetail(a)}</span>
            </Typography.Text>
          ),
        }}
      />
      {deciding && (
        <ConfirmAction<HoldDecision>
          key={`${deciding.kind}-${deciding.award.award_id}`}
          testId={`hold-${deciding.kind}-dialog`}
          title={t(deciding.kind === 'release' ? 'releaseHoldTitle' : 'rejectHoldTitle', { id: deciding.award.award_id })}
          okText={t(deciding.kind === 'release' ? 'confirmRelease' : 'confirmReject')}
          danger={deciding.kind === 'reject'}
          explain={<>
            <strong>{deciding.award.recipient_name}</strong> · <Money fen={deciding.award.amount_fen} /> {t('yuan')}
            {deciding.award.hold && <> · <HoldReasonTag reason={deciding.award.hold.reason} /></>}<br />
            {t(deciding.kind === 'release' ? 'releaseExplains' : 'rejectExplains')}
          </>}
          text={deciding.kind === 'release'
            ? { label: t('releaseNote'), required: t('releaseNoteRequired') }
            : { label: t('rejectReason'), required: t('rejectReasonRequired') }}
          run={(text) => post<HoldDecision>(`/holds/${encodeURIComponent(deciding.award.award_id)}/${deciding.kind}`, deciding.kind === 'release' ? { note: text } : { reason: text })
            .catch(async (e: unknown) => {
              // Decided by someone else meanwhile: show the list as it now is.
              if ((e as { code?: string }).code === 'NOT_HELD') await refresh();
              throw e;
            })}
          onDone={async (r) => {
            toast(deciding.kind === 'release' ? t('holdReleased', { id: r.award.award_id, status: t(`status_${r.award.status}`) }) : t('holdRejected', { id: r.award.award_id }));
            await refresh();
          }}
          onClose={() => setDeciding(null)}
        />
      )}
    </>
  );
}
