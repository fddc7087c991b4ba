/**
 * 候补: for one envelope, the waiting awards in queue order with the running total, and for each
 * how much more budget would serve the queue down to it (the queue is served strictly in order).
 */
import { useMemo } from 'react';
import { Alert, Select, Space, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { get, query } from '../api/client.ts';
import type { Award, AwardPage, Envelope } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { navigate, useRoute } from '../app/router.ts';
import { MEASURES, measureTitle } from '../app/catalog.ts';
import { ErrorBox, Money, PageTitle } from '../components/common.tsx';
import { FiscalYearSelect } from '../components/FiscalYearSelect.tsx';
import { currentShanghaiYear, formatInstant } from '../format/dates.ts';
import { formatFen } from '../format/money.ts';
import { queueRows, type QueueRow } from './waitlist/queue.ts';

async function waiting(fy: number, measure: number): Promise<Award[]> {
  const out: Award[] = [];
  let cursor: string | null = null;
  do {
    const page: AwardPage = await get<AwardPage>(`/awards${query({ status: 'WAITLISTED', measure, fiscal_year: fy, limit: 200, cursor })}`);
    out.push(...page.awards);
    cursor = page.next_cursor;
  } while (cursor && out.length < 20_000);
  return out;
}

export default function Waitlist() {
  const { t, lang } = useI18n();
  const route = useRoute();
  const fy = Number(route.params.get('fy')) || currentShanghaiYear();
  const envelopes = useQuery({ queryKey: ['envelopes', fy], queryFn: () => get<{ envelopes: Envelope[] }>(`/envelopes?fiscal_year=${fy}`) });
  const withQueue = (envelopes.data?.envelopes ?? []).filter((e) => e.fiscal_year === fy && e.waitlisted_count > 0).sort((a, b) => a.measure - b.measure);
  const measure = Number(route.params.get('measure')) || withQueue[0]?.measure;
  const envelope = withQueue.find((e) => e.measure === measure);
  const queue = useQuery({ queryKey: ['waitlist', fy, measure], queryFn: () => waiting(fy, measure!), enabled: envelope !== undefined });
  const rows = useMemo(() => queueRows(queue.data ?? [], envelope?.available_fen ?? 0), [queue.data, envelope]);
  const last = rows[rows.length - 1];

  return (
    <>
      <PageTitle extra={<FiscalYearSelect value={fy} onChange={(y) => navigate('/waitlist', { fy: y })} />}>{t('waitlistTitle')}</PageTitle>
      <ErrorBox error={envelopes.error ?? queue.error} />
      {envelopes.isSuccess && withQueue.length === 0 && <Alert type="success" title={t('noWaitlist')} showIcon />}
      {withQueue.length > 0 && (
        <Space style={{ marginBottom: 12 }} wrap>
          <label htmlFor="w-envelope">{t('chooseEnvelope')}</label>
          <Select id="w-envelope" style={{ width: 420 }} value={measure} onChange={(m) => navigate('/waitlist', { fy, measure: m })}
            options={withQueue.map((e) => ({ value: e.measure, label: `${e.measure}. ${measureTitle(MEASURES.find((m) => m.number === e.measure)!, lang)} (${e.waitlisted_count})` }))} />
        </Space>
      )}
      {envelope && last && (
        <Typography.Paragraph data-testid="waitlist-summary">
          {t('waitlistSummary', { available: formatFen(envelope.available_fen), extra: formatFen(last.extra), count: rows.length })}
        </Typography.Paragraph>
      )}
      {envelope && (
        <Table<QueueRow>
          data-testid="waitlist-table"
          size="small"
          loading={queue.isFetching}
          rowKey={(r) => r.award.award_id}
          dataSource={rows}
          pagination={{ pageSize: 100, showSizeChanger: false, hideOnSinglePage: true }}
          columns={[
            { title: t('queuePosition'), dataIndex: 'position', width: 70 },
            { title: t('awardId'), key: 'id', render: (_: unknown, r) => r.award.award_id },
            { title: t('recipient'), key: 'name', render: (_: unknown, r) => r.award.recipient_name },
            { title: t('amount'), key: 'amount', align: 'right', render: (_: unknown, r) => <Money fen={r.award.amount_fen} /> },
            { title: t('runningTotal'), key: 'running', align: 'right', render: (_: unknown, r) => <Money fen={r.running} /> },
            { title: t('extraNeeded'), key: 'extra', align: 'right', render: (_: unknown, r) => <Money fen={r.extra} /> },
            { title: t('createdAt'), key: 'at', render: (_: unknown, r) => <span className="num">{formatInstant(r.award.created_at)}</span> },
          ]}
        />
      )}
    </>
  );
}
