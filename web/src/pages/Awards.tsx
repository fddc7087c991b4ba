/**
 * 奖补: awards with filters and search, paged on the server by cursor (the API has no total count,
 * so pages are "previous / next"); a drawer with the rule trace, history and masked account; cancel
 * with a reason where the role allows.
 */
import { useState } from 'react';
import { Button, Descriptions, Drawer, Form, Input, Modal, Select, Space, Table, Timeline, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, query } from '../api/client.ts';
import { AWARD_STATUSES, type Award, type AwardPage } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { useSession } from '../app/session.ts';
import { navigate, useRoute } from '../app/router.ts';
import { UNITS, unitLabel, visibleMeasures, measureTitle } from '../app/catalog.ts';
import { ErrorBox, Money, PageTitle, StatusTag, useFiscalYears } from '../components/common.tsx';
import { formatInstant } from '../format/dates.ts';
import { HoldReasonTag, holdDetail } from '../components/holds.tsx';

const PAGE_SIZE = 50;
const FILTERS = ['status', 'measure', 'unit', 'fiscal_year', 'q'] as const;

export default function Awards() {
  const { t, lang } = useI18n();
  const { me, bureauOnly } = useSession();
  const route = useRoute();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, route.params.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  // Cursors of the pages seen so far: [null (first page), cursor of page 2, ...]
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [searchText, setSearchText] = useState(filters.q);
  const [open, setOpen] = useState<string | null>(route.params.get('id'));
  const page = cursors.length - 1;
  const years = useFiscalYears();

  const list = useQuery({
    queryKey: ['awards', filters, cursors[page]],
    queryFn: () => get<AwardPage>(`/awards${query({ ...filters, limit: PAGE_SIZE, cursor: cursors[page] })}`),
    placeholderData: (prev) => prev,
  });

  function setFilter(name: (typeof FILTERS)[number], value: string | number | undefined) {
    setCursors([null]);
    const next: Record<string, string> = { ...filters, [name]: value === undefined ? '' : String(value) };
    navigate('/awards', next);
  }

  const columns: ColumnsType<Award> = [
    { title: t('awardId'), dataIndex: 'award_id', render: (id: string) => <Button type="link" size="small" onClick={() => setOpen(id)} style={{ paddingInline: 0 }}>{id}</Button> },
    { title: t('recipient'), dataIndex: 'recipient_name', ellipsis: true, render: (name: string) => <span data-testid="recipient-name">{name}</span> },
    { title: t('measure'), dataIndex: 'measure', width: 70 },
    { title: t('fiscalYear'), dataIndex: 'fiscal_year', width: 80 },
    { title: t('approvingUnit'), dataIndex: 'approving_unit', width: 90 },
    { title: t('amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('approvedDate'), dataIndex: 'approved_date', width: 110 },
    { title: t('status'), dataIndex: 'status', render: (s: Award['status']) => <StatusTag status={s} /> },
    { title: t('reason'), dataIndex: 'reason', ellipsis: true },
  ];

  const measures = visibleMeasures(me.unit, bureauOnly);
  return (
    <>
      <PageTitle>{t('nav_awards')}</PageTitle>
      <Space wrap style={{ marginBottom: 12 }} role="search" aria-label={t('filters')}>
        <label htmlFor="f-status">{t('status')}</label>
        <Select id="f-status" allowClear placeholder={t('all')} style={{ width: 120 }} value={filters.status || undefined} onChange={(v) => setFilter('status', v)}
          options={AWARD_STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) }))} />
        <label htmlFor="f-measure">{t('measure')}</label>
        <Select id="f-measure" allowClear placeholder={t('all')} style={{ width: 200 }} value={filters.measure ? Number(filters.measure) : undefined} onChange={(v) => setFilter('measure', v)}
          options={measures.map((m) => ({ value: m.number, label: `${m.number}. ${measureTitle(m, lang)}` }))} popupMatchSelectWidth={360} />
        {!bureauOnly && <>
          <label htmlFor="f-unit">{t('unit')}</label>
          <Select id="f-unit" allowClear placeholder={t('allUnits')} style={{ width: 170 }} value={filters.unit || undefined} onChange={(v) => setFilter('unit', v)}
            options={UNITS.map((u) => ({ value: u.code, label: unitLabel(u.code, lang) }))} popupMatchSelectWidth={320} />
        </>}
        <label htmlFor="f-fy">{t('fiscalYear')}</label>
        <Select id="f-fy" allowClear placeholder={t('all')} style={{ width: 110 }} value={filters.fiscal_year ? Number(filters.fiscal_year) : undefined} onChange={(v) => setFilter('fiscal_year', v)}
          options={years.map((y) => ({ value: y, label: String(y) }))} />
        <Input.Search id="f-q" aria-label={t('search')} placeholder={t('searchPlaceholder')} style={{ width: 320 }} allowClear enterButton={t('search')}
          value={searchText} onChange={(e) => setSearchText(e.target.value)} onSearch={(v) => setFilter('q', v.trim())} maxLength={200} />
      </Space>
      <ErrorBox error={list.error} />
      <Table<Award>
        data-testid="awards-table"
        size="small"
        rowKey="award_id"
        loading={list.isFetching}
        columns={columns}
        dataSource={list.data?.awards ?? []}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={(a) => ({ onDoubleClick: () => setOpen(a.award_id) })}
      />
      <Space style={{ marginTop: 12 }}>
        <Button onClick={() => setCursors((c) => c.slice(0, -1))} disabled={page === 0}>{t('prevPage')}</Button>
        <span data-testid="awards-page" className="num">{t('pageN', { n: page + 1 })}</span>
        <Button onClick={() => list.data?.next_cursor && setCursors((c) => [...c, list.data!.next_cursor])} disabled={!list.data?.next_cursor || list.isFetching}>{t('nextPage')}</Button>
      </Space>
      {open && <AwardDrawer id={open} onClose={() => setOpen(null)} />}
    </>
  );
}

function AwardDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [cancelling, setCancelling] = useState(false);
  const award = useQuery({ queryKey: ['award', id], queryFn: () => get<Award>(`/awards/${encodeURIComponent(id)}`) });
  const a = award.data;
  const cancellable = can.cancel && a && (a.status === 'RESERVED' || a.status === 'WAITLISTED');
  return (
    <Drawer open onClose={onClose} title={`${t('awardDetail')} ${id}`} size="large" closable={{ 'aria-label': t('close') }}
      extra={cancellable && <Button danger onClick={() => setCancelling(true)}>{t('cancelAward')}</Button>}>
      <ErrorBox error={award.error} />
      {a && <>
        <Descriptions column={1} size="small" bordered data-testid="award-detail">
          <Descriptions.Item label={t('status')}><StatusTag status={a.status} /> {a.reason}</Descriptions.Item>
          <Descriptions.Item label={t('recipient')}>{a.recipient_name}</Descriptions.Item>
          <Descriptions.Item label={t('uscc')}>{a.recipient_uscc}</Descriptions.Item>
          <Descriptions.Item label={t('measure')}>{a.measure}</Descriptions.Item>
          <Descriptions.Item label={t('fiscalYear')}>{a.fiscal_year}</Descriptions.Item>
          <Descriptions.Item label={t('amount')}><Money fen={a.amount_fen} /></Descriptions.Item>
          <Descriptions.Item label={t('qualifyingDate')}>{a.qualifying_date}</Descriptions.Item>
          <Descriptions.Item label={t('approvedDate')}>{a.approved_date}</Descriptions.Item>
          <Descriptions.Item label={t('approvingUnit')}>{unitLabel(a.approving_unit, lang)}</Descriptions.Item>
          {a.scheme_id && <Descriptions.Item label={t('scheme')}>{a.scheme_id}</Descriptions.Item>}
          <Descriptions.Item label={t('payeeBank')}>{a.payee_bank}</Descriptions.Item>
          <Descriptions.Item label={t('payeeAccount')}><span className="num" data-testid="payee-account">{a.payee_account}</span></Descriptions.Item>
          {a.run_id && <Descriptions.Item label={t('runId')}>{a.run_id}</Descriptions.Item>}
          {a.hold && <>
            <Descriptions.Item label={t('holdReason')}><span data-testid="award-hold"><HoldReasonTag reason={a.hold.reason} /> {holdDetail(a)}</span></Descriptions.Item>
            <Descriptions.Item label={t('heldSince')}><span className="num">{formatInstant(a.hold.at)}</span></Descriptions.Item>
            <Descriptions.Item label={t('keepsReservation')}>{t(a.hold.keeps_reservation ? 'keepsReservationYes' : 'keepsReservationNo')}</Descriptions.Item>
          </>}
          {a.status === 'RETURNED' && <Descriptions.Item label={t('returned')}>{t('returnedHint')}</Descriptions.Item>}
        </Descriptions>
        <Typography.Title level={2} style={{ fontSize: 16, marginTop: 20 }}>{t('ruleTrace')}</Typography.Title>
        <Timeline items={(a.trace ?? []).map((s) => ({ color: s.ok ? 'green' : 'red', content: <><strong>{s.ok ? '✓' : '✗'} {s.rule}</strong><br />{s.detail}</> }))} />
        <Typography.Title level={2} style={{ fontSize: 16 }}>{t('history')}</Typography.Title>
        <Timeline items={(a.history ?? []).map((h) => ({
          content: <><span className="num">{formatInstant(h.at)}</span> <StatusTag status={h.status} />{h.by && <> {t('by')}: {h.by}</>}{h.note && <><br />{h.note}</>}</>,
        }))} />
      </>}
      {cancelling && a && <CancelModal award={a} onClose={() => setCancelling(false)} />}
    </Drawer>
  );
}

function CancelModal({ award, onClose }: { award: Award; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const cancel = useMutation({
    mutationFn: (reason: string) => post(`/awards/${encodeURIComponent(award.award_id)}/cancel`, { reason }),
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      onClose();
    },
  });
  return (
    <Modal open title={`${t('cancelAward')} ${award.award_id}`} onCancel={onClose} onOk={() => form.submit()} okText={t('confirmCancel')} okButtonProps={{ danger: true }} cancelText={t('cancel')} confirmLoading={cancel.isPending}>
      <ErrorBox error={cancel.error} />
      <Form form={form} layout="vertical" name="cancel" onFinish={(v) => cancel.mutate(v.reason.trim())}>
        <Form.Item label={t('cancelReason')} name="reason" rules={[{ required: true, whitespace: true, message: t('cancelReasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
