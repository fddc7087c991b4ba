/** 对账: the reconciliation reports, newest first: clean or not, and each difference. */
import { Alert, Card, Collapse, Empty, Table, Typography } from 'antd';
import { Tag } from '../components/Tag.tsx';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api/client.ts';
import type { ReconciliationReport } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { ErrorBox, Money, PageTitle } from '../components/common.tsx';
import { formatInstant } from '../format/dates.ts';

export default function Reconciliation() {
  const { t } = useI18n();
  const reports = useQuery({ queryKey: ['reconciliations'], queryFn: () => get<{ reports: ReconciliationReport[] }>('/reconciliations') });
  const list = reports.data?.reports ?? [];
  return (
    <>
      <PageTitle>{t('reconciliationTitle')}</PageTitle>
      <ErrorBox error={reports.error} />
      {reports.isSuccess && list.length === 0 && <Empty description={t('noReports')} />}
      {list.length > 0 && (
        <Collapse data-testid="reconciliation-list" defaultActiveKey={[list[0]!.report_id]} items={list.map((r) => ({
          key: r.report_id,
          label: <span><span className="num">{r.date}</span> · {r.clean ? <Tag color="green">{t('clean')}</Tag> : <Tag color="red">{t('notClean')}</Tag>}
            <Typography.Text type="secondary">{t('checked', { envelopes: r.checked_envelopes, awards: r.checked_awards, runs: r.checked_runs })}</Typography.Text></span>,
          children: <Report report={r} />,
        }))} />
      )}
    </>
  );
}

function Report({ report: r }: { report: ReconciliationReport }) {
  const { t } = useI18n();
  return (
    <>
      <Typography.Paragraph type="secondary">{formatInstant(r.created_at)}{r.fiscal_year ? ` · ${t('fyLabel', { year: r.fiscal_year })}` : ''}</Typography.Paragraph>
      {r.clean && <Alert type="success" showIcon title={t('clean')} />}
      {r.mismatches.length > 0 && (
        <Card size="small" title={t('budget')} style={{ marginBottom: 12 }}>
          <Table size="small" pagination={false} rowKey={(m) => `${m.fiscal_year}-${m.measure}-${m.field}`} dataSource={r.mismatches} columns={[
            { title: t('fiscalYear'), dataIndex: 'fiscal_year' }, { title: t('measure'), dataIndex: 'measure' }, { title: t('field'), dataIndex: 'field' },
            { title: t('stored'), dataIndex: 'stored_fen', align: 'right', render: (v: number, m) => (m.field === 'waitlisted_count' ? v : <Money fen={v} />) },
            { title: t('recomputed'), dataIndex: 'recomputed_fen', align: 'right', render: (v: number, m) => (m.field === 'waitlisted_count' ? v : <Money fen={v} />) },
          ]} />
        </Card>
      )}
      {r.run_mismatches.length > 0 && (
        <Card size="small" title={t('nav_runs')} style={{ marginBottom: 12 }}>
          <Table size="small" pagination={false} rowKey={(m) => `${m.run_id}-${m.batch_id}-${m.field}`} dataSource={r.run_mismatches} columns={[
            { title: t('runId'), dataIndex: 'run_id' }, { title: t('batchId'), dataIndex: 'batch_id' }, { title: t('field'), dataIndex: 'field' },
            { title: t('stored'), dataIndex: 'stored', align: 'right' }, { title: t('recomputed'), dataIndex: 'recomputed', align: 'right' },
          ]} />
        </Card>
      )}
      {r.stuck.length > 0 && (
        <Card size="small" title={t('stuck')}>
          <Table size="small" pagination={false} rowKey={(s) => `${s.kind}-${s.award_id}-${s.run_id}-${s.measure}`} dataSource={r.stuck} columns={[
            { title: t('kind'), dataIndex: 'kind' }, { title: t('measure'), dataIndex: 'measure' }, { title: t('awardId'), dataIndex: 'award_id' },
            { title: t('runId'), dataIndex: 'run_id' }, { title: t('detail'), dataIndex: 'detail' },
          ]} />
        </Card>
      )}
    </>
  );
}
