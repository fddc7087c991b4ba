/**
 * 拨付批次: the runs; a clerk prepares one for a period (202, prepared in the background: the page
 * polls until it leaves PREPARING); a run's page with batches and control totals, approval (reviewer;
 * never the preparer: the button is disabled and says why), export and downloads, bank results;
 * re-issue, verification and failed payments are in runs/PaymentIntegrity.tsx (issue 13).
 */
import { useState } from 'react';
import { Button, Card, Descriptions, Input, Space, Table, Tooltip, Typography, Upload, Statistic, Row, Col } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { API, get, post, postCsv } from '../api/client.ts';
import type { Run, RunBatch, RunFile, SettleResult } from '../api/types.ts';
import { samePerson } from '../../../shared/domain/run-lifecycle.ts';
import { PaymentIntegrity } from './runs/PaymentIntegrity.tsx';
import { useI18n } from '../app/i18n.tsx';
import { useSession } from '../app/session.ts';
import { href, navigate, useRoute } from '../app/router.ts';
import { unitLabel } from '../app/catalog.ts';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, Money, PageTitle, RunStatusTag } from '../components/common.tsx';
import { apiFileClick } from '../components/files.ts';
import { formatInstant, previousPeriod } from '../format/dates.ts';
import { MAX_UPLOAD_BYTES } from './Submit.tsx';
import { Tag } from '../components/Tag.tsx';

export default function Runs() {
  const route = useRoute();
  const id = route.path.startsWith('/runs/') ? decodeURIComponent(route.path.slice('/runs/'.length)) : null;
  return id ? <RunPage id={id} /> : <RunList />;
}

function RunList() {
  const { t } = useI18n();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [period, setPeriod] = useState(previousPeriod());
  const runs = useQuery({ queryKey: ['runs'], queryFn: () => get<{ runs: Run[] }>('/runs') });
  const prepare = useMutation({
    mutationFn: (p: string) => post<{ run_id: string; status: string }>('/runs', { period: p }),
    onSuccess: async (res) => {
      await queryClient.invalidateQueries({ queryKey: ['runs'] });
      navigate(`/runs/${encodeURIComponent(res.run_id)}`);
    },
  });
  return (
    <>
      <PageTitle extra={can.prepare && (
        <Space>
          <label htmlFor="prepare-period">{t('preparePeriod')}</label>
          <Input id="prepare-period" value={period} onChange={(e) => setPeriod(e.target.value)} style={{ width: 110 }} placeholder="YYYY-MM" maxLength={7} />
          <Button type="primary" onClick={() => prepare.mutate(period.trim())} loading={prepare.isPending}>{t('prepare')}</Button>
        </Space>
      )}>{t('runsTitle')}</PageTitle>
      <ErrorBox error={runs.error ?? prepare.error} />
      <Table<Run>
        data-testid="runs-table"
        size="small"
        rowKey="run_id"
        loading={runs.isPending}
        dataSource={runs.data?.runs ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('runId'), dataIndex: 'run_id', render: (id: string) => <a href={href(`/runs/${encodeURIComponent(id)}`)}>{id}</a> },
          { title: t('period'), dataIndex: 'period' },
          { title: t('status'), dataIndex: 'status', render: (s: Run['status'], run) => <>
            <RunStatusTag status={s} />
            {run.reissue && !run.reissue.exported_at && <Tag color="gold">{t('reissueN', { n: run.reissue.number })} · {t(run.reissue.approved_by ? 'reissueApproved' : 'reissueWaiting')}</Tag>}
            {(run.failed_count ?? 0) > 0 && <Tag color="volcano">{t('failedCount')} {run.failed_count}</Tag>}
          </> },
          { title: t('awardCount'), dataIndex: 'award_count', align: 'right' },
          { title: t('total'), dataIndex: 'total_fen', align: 'right', render: (v: number) => <Money fen={v} /> },
          { title: t('preparedBy'), dataIndex: 'prepared_by' },
          { title: t('approvedBy'), dataIndex: 'approved_by' },
        ]}
      />
    </>
  );
}

function RunPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { me, can } = useSession();
  const { toast, holder } = useToast();
  const queryClient = useQueryClient();
  const path = `/runs/${encodeURIComponent(id)}`;
  const run = useQuery({
    queryKey: ['run', id],
    queryFn: () => get<Run>(path),
    // Prepared in the background: look again until it is ready.
    refetchInterval: (q) => (q.state.data?.status === 'PREPARING' ? 1000 : false),
  });
  const r = run.data;
  const hasFiles = r && (r.status === 'EXPORTED' || r.status === 'SETTLED');
  const files = useQuery({ queryKey: ['run-files', id], queryFn: () => get<{ files: RunFile[] }>(`${path}/files`), enabled: Boolean(can.files && hasFiles) });
  // ['run', id] also covers the run's returned awards; a release or settlement moves envelope figures.
  const refresh = () => Promise.all([['run', id], ['runs'], ['run-files', id], ['envelopes'], ['awards'], ['award']].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const approve = useMutation({ mutationFn: (digest: string | undefined) => post<Run>(`${path}/approve`, digest ? { digest } : {}), onSuccess: async () => { toast(t('approved')); await refresh(); } });
  const exportRun = useMutation({ mutationFn: () => post(`${path}/export`), onSuccess: async () => { toast(t('exported')); await refresh(); } });
  const settle = useMutation({ mutationFn: (file: File) => postCsv<SettleResult>(`${path}/settlement`, file), onSuccess: async () => { await refresh(); } });

  // Why approval is not possible for this user, if it is not (shown on the disabled button).
  const tookPart = r && (samePerson(r.prepared_by, me.username) || (r.sealed_by !== undefined && samePerson(r.sealed_by, me.username)));
  const approveBlocked = !r ? '' : tookPart ? t('approveSamePerson') : !can.approve ? t('approveNotReviewer') : r.status !== 'PREPARED' ? t('approveWrongStatus') : '';
  const showApprove = r && (can.approve || can.prepare) && (r.status === 'PREPARING' || r.status === 'PREPARED');

  return (
    <>
      <PageTitle extra={<Button href={href('/runs')}>{t('back')}</Button>}>{t('runId')} {id}</PageTitle>
      {holder}
      <ErrorBox error={run.error ?? approve.error ?? exportRun.error} />
      {r && <>
        <Descriptions size="small" bordered column={{ xs: 1, md: 2, lg: 3 }} data-testid="run-detail">
          <Descriptions.Item label={t('status')}><span data-testid="run-status" data-status={r.status}><RunStatusTag status={r.status} /></span></Descriptions.Item>
          <Descriptions.Item label={t('period')}>{r.period}</Descriptions.Item>
          <Descriptions.Item label={t('awardCount')}><span className="num">{r.award_count}</span></Descriptions.Item>
          <Descriptions.Item label={t('total')}><Money fen={r.total_fen} testId="run-total" /></Descriptions.Item>
          <Descriptions.Item label={t('preparedBy')}>{r.prepared_by}</Descriptions.Item>
          <Descriptions.Item label={t('preparedAt')}><span className="num">{formatInstant(r.prepared_at)}</span></Descriptions.Item>
          {r.sealed_by && r.sealed_by !== r.prepared_by && <Descriptions.Item label={t('sealedBy')}>{r.sealed_by}</Descriptions.Item>}
          {r.digest && <Descriptions.Item label={t('runDigest')}><Typography.Text code copyable={{ text: r.digest }} data-testid="run-digest">{r.digest.slice(0, 19)}…</Typography.Text></Descriptions.Item>}
          {r.approved_digest && <Descriptions.Item label={t('approvedDigest')}>
            <Typography.Text code copyable={{ text: r.approved_digest }} data-testid="run-approved-digest">{r.approved_digest.slice(0, 19)}…</Typography.Text>{' '}
            {r.approved_digest === r.digest
              ? <Typography.Text type="success" data-testid="approved-digest-matches">{t('digestMatches')}</Typography.Text>
              : <Typography.Text type="danger" strong data-testid="approved-digest-differs">{t('digestDiffers')}</Typography.Text>}
          </Descriptions.Item>}
          {r.approved_by && <Descriptions.Item label={t('approvedBy')}>{r.approved_by}</Descriptions.Item>}
          {r.approved_at && <Descriptions.Item label={t('approvedAt')}><span className="num">{formatInstant(r.approved_at)}</span></Descriptions.Item>}
          {r.exported_at && <Descriptions.Item label={t('exportedAt')}><span className="num">{formatInstant(r.exported_at)}</span></Descriptions.Item>}
          {r.paid_count !== undefined && <>
            <Descriptions.Item label={t('paidCount')}>{r.paid_count} / <Money fen={r.paid_fen ?? 0} /></Descriptions.Item>
            <Descriptions.Item label={t('failedCount')}>{r.failed_count} / <Money fen={r.failed_fen ?? 0} /></Descriptions.Item>
          </>}
        </Descriptions>
        <Space style={{ margin: '16px 0' }} wrap>
          {showApprove && (
            approveBlocked
              ? <Tooltip title={approveBlocked}><Button type="primary" disabled aria-describedby="approve-why">{t('approve')}</Button></Tooltip>
              : <Button type="primary" onClick={() => approve.mutate(r.digest)} loading={approve.isPending}>{t('approve')}</Button>
          )}
          {showApprove && approveBlocked && <Typography.Text type="secondary" id="approve-why" data-testid="approve-why">{approveBlocked}</Typography.Text>}
          {can.exportRun && r.status === 'APPROVED' && <Button type="primary" onClick={() => exportRun.mutate()} loading={exportRun.isPending}>{t('exportRun')}</Button>}
        </Space>
        <PaymentIntegrity run={r} onChanged={refresh} />
        <Card size="small" title={`${t('batches')} · ${t('controlTotals')}`}>
          <Table<RunBatch>
            data-testid="batches-table"
            size="small"
            rowKey="batch_id"
            dataSource={r.batches ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: t('batchId'), dataIndex: 'batch_id' },
              { title: t('measure'), dataIndex: 'measure' },
              { title: t('unit'), dataIndex: 'unit', render: (u: string) => unitLabel(u, lang) },
              { title: t('awardCount'), dataIndex: 'count', align: 'right' },
              { title: t('total'), dataIndex: 'total_fen', align: 'right', render: (v: number) => <Money fen={v} /> },
            ]}
            summary={(batches) => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} colSpan={3}><strong>{t('grandTotal')}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right"><strong className="num">{batches.reduce((n, b) => n + b.count, 0)}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right"><strong><Money fen={r.total_fen} /></strong></Table.Summary.Cell>
              </Table.Summary.Row>
            )}
          />
        </Card>
        {can.files && hasFiles && (
          <Card size="small" title={t('files')} style={{ marginTop: 16 }}>
            <ErrorBox error={files.error} />
            <Table<RunFile>
              data-testid="files-table"
              size="small"
              rowKey="name"
              loading={files.isPending}
              dataSource={files.data?.files ?? []}
              pagination={false}
              columns={[
                { title: t('fileName'), dataIndex: 'name' },
                { title: t('bytes'), dataIndex: 'bytes', align: 'right' },
                { title: 'SHA-256', dataIndex: 'sha256', render: (s: string) => <Typography.Text code style={{ fontSize: 11 }}>{s.slice(0, 16)}…</Typography.Text> },
                { title: t('download'), key: 'dl', render: (_: unknown, f) => <a href={`${API}${path}/files/${encodeURIComponent(f.name)}`} download={f.name} onClick={apiFileClick(`${path}/files/${encodeURIComponent(f.name)}`, f.name)}>{t('download')} {f.name}</a> },
              ]}
            />
          </Card>
        )}
        {can.settle && hasFiles && (
          <Card size="small" title={t('settlement')} style={{ marginTop: 16 }}>
            <Upload.Dragger accept=".csv,text/csv" multiple={false} showUploadList={false} disabled={settle.isPending} aria-label={t('settlementHint')}
              beforeUpload={(file) => { if (file.size <= MAX_UPLOAD_BYTES) settle.mutate(file); return Upload.LIST_IGNORE; }}>
              <p className="ant-upload-drag-icon"><InboxOutlined /></p>
              <p className="ant-upload-text">{t('settlementHint')}</p>
            </Upload.Dragger>
            <div style={{ marginTop: 12 }}><ErrorBox error={settle.error} /></div>
            {settle.data && (
              <div data-testid="settle-result">
                <Typography.Title level={2} style={{ fontSize: 16 }}>{t('settleResult')}</Typography.Title>
                <Row gutter={16}>
                  <Col span={4}><Statistic title={t('paidCount')} value={settle.data.paid} /></Col>
                  <Col span={5}><Statistic title={t('paidAmount')} value={settle.data.paid_fen} formatter={() => <Money fen={settle.data.paid_fen} />} /></Col>
                  <Col span={4}><Statistic title={t('failedCount')} value={settle.data.failed} /></Col>
                  <Col span={5}><Statistic title={t('failedAmount')} value={settle.data.failed_fen} formatter={() => <Money fen={settle.data.failed_fen} />} /></Col>
                  <Col span={3}><Statistic title={t('unchanged')} value={settle.data.unchanged} /></Col>
                  <Col span={3}><Statistic title={t('outstanding')} value={settle.data.outstanding} /></Col>
                </Row>
              </div>
            )}
          </Card>
        )}
      </>}
    </>
  );
}
