/**
 * Payment integrity on the run page (issue 13): the re-issue of an exported run's file (a clerk asks
 * with a reason, a second person approves its own digest, a clerk exports it once), verification of
 * the exported files against the signed manifest, and the failed payments (RETURNED awards) a
 * reviewer releases to the next run. Buttons a role may not use are shown disabled with the reason,
 * like the approve button; the API enforces all of it.
 */
import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Space, Table, Tooltip, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { get, post, query } from '../../api/client.ts';
import type { Award, AwardPage, ReleaseFailedResult, Run, VerifyResult } from '../../api/types.ts';
import { samePerson } from '../../../../shared/domain/run-lifecycle.ts';
import { useI18n } from '../../app/i18n.tsx';
import { useSession } from '../../app/session.ts';
import { href } from '../../app/router.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ErrorBox, Money, StatusTag } from '../../components/common.tsx';
import { useToast } from '../../components/toast.tsx';
import { formatInstant } from '../../format/dates.ts';
import { formatFen } from '../../format/money.ts';

/** The run's RETURNED awards (the API lists awards by status; a RETURNED award keeps its run_id). */
async function returnedOf(runId: string): Promise<Award[]> {
  const out: Award[] = [];
  let cursor: string | null = null;
  do {
    const page: AwardPage = await get<AwardPage>(`/awards${query({ status: 'RETURNED', limit: 200, cursor })}`);
    out.push(...page.awards.filter((a) => a.run_id === runId));
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

/** A primary action, or the same button disabled with why (a tooltip and visible text). */
function Guarded({ blocked, id, onClick, loading, children, danger }: {
  blocked: string; id: string; onClick: () => void; loading?: boolean; children: React.ReactNode; danger?: boolean;
}) {
  return blocked
    ? <><Tooltip title={blocked}><Button disabled aria-describedby={id} danger={Boolean(danger)}>{children}</Button></Tooltip>
      <Typography.Text type="secondary" id={id} data-testid={id}>{blocked}</Typography.Text></>
    : <Button type="primary" danger={Boolean(danger)} onClick={onClick} loading={Boolean(loading)}>{children}</Button>;
}

export function PaymentIntegrity({ run: r, onChanged }: { run: Run; onChanged: () => Promise<unknown> }) {
  const { t } = useI18n();
  const { me, can } = useSession();
  const { toast, holder } = useToast();
  const path = `/runs/${encodeURIComponent(r.run_id)}`;
  const [dialog, setDialog] = useState<null | { kind: 'reissue' } | { kind: 'release'; award?: Award }>(null);
  const exported = r.status === 'EXPORTED' || r.status === 'SETTLED';
  const reissue = r.reissue;
  const pending = reissue && !reissue.approved_by ? reissue : undefined;

  const returned = useQuery({ queryKey: ['run', r.run_id, 'returned'], queryFn: () => returnedOf(r.run_id), enabled: (r.failed_count ?? 0) > 0 });
  const verify = useMutation({ mutationFn: () => get<VerifyResult>(`${path}/verify`) });
  const approveReissue = useMutation({
    mutationFn: (digest: string) => post<Run>(`${path}/approve`, { digest }),
    onSuccess: async () => { toast(t('approved')); await onChanged(); },
  });
  const exportReissue = useMutation({ mutationFn: () => post(`${path}/export`), onSuccess: async () => { toast(t('exported')); verify.reset(); await onChanged(); } });

  const reissueApproveBlocked = !pending ? '' : samePerson(pending.requested_by, me.username) ? t('approveReissueSamePerson') : !can.approve ? t('approveNotReviewer') : '';
  const releaseBlocked = can.releaseFailed ? '' : t('releaseFailedNotReviewer');
  const waiting = returned.data ?? [];

  return (
    <>
      {holder}
      <ErrorBox error={approveReissue.error ?? exportReissue.error} />
      {exported && (can.reissue || can.verify) && (
        <Space style={{ marginBottom: 16 }} wrap>
          {can.reissue && r.status === 'EXPORTED' && <Button onClick={() => setDialog({ kind: 'reissue' })}>{t('reissue')}</Button>}
          {can.verify && <Button onClick={() => verify.mutate()} loading={verify.isPending}>{t('verify')}</Button>}
        </Space>
      )}
      <ErrorBox error={verify.error} />
      {verify.data && (
        <div data-testid="verify-result" data-ok={String(verify.data.ok)} style={{ marginBottom: 16 }}>
          <Alert type={verify.data.ok ? 'success' : 'error'} showIcon role={verify.data.ok ? 'status' : 'alert'}
            title={verify.data.ok ? t('verifyOk', { n: verify.data.checked.length }) : t('verifyFailed', { n: verify.data.differences.length })} />
          {!verify.data.ok && (
            <Table size="small" rowKey={(d) => `${d.file}-${d.problem}`} pagination={false} dataSource={verify.data.differences} style={{ marginTop: 8 }}
              columns={[{ title: t('file'), dataIndex: 'file' }, { title: t('problem'), dataIndex: 'problem' }, { title: t('detail'), dataIndex: 'detail' }]} />
          )}
        </div>
      )}

      {reissue && (
        <Card size="small" title={t('reissueN', { n: reissue.number })} style={{ marginBottom: 16 }} data-testid="reissue">
          <Descriptions size="small" bordered column={{ xs: 1, md: 2, lg: 3 }}>
            <Descriptions.Item label={t('status')}>
              <span data-testid="reissue-state">{reissue.exported_at ? t('reissueExported') : reissue.approved_by ? t('reissueApproved') : t('reissueWaiting')}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('reissueReason')}>{reissue.reason}</Descriptions.Item>
            <Descriptions.Item label={t('requestedBy')}>{reissue.requested_by}</Descriptions.Item>
            <Descriptions.Item label={t('requestedAt')}><span className="num">{formatInstant(reissue.requested_at)}</span></Descriptions.Item>
            <Descriptions.Item label={t('awardCount')}><span className="num">{reissue.award_count}</span></Descriptions.Item>
            <Descriptions.Item label={t('total')}><Money fen={reissue.total_fen} testId="reissue-total" /></Descriptions.Item>
            <Descriptions.Item label={t('runDigest')}><Typography.Text code copyable={{ text: reissue.digest }}>{reissue.digest.slice(0, 19)}…</Typography.Text></Descriptions.Item>
            {reissue.approved_by && <Descriptions.Item label={t('approvedBy')}>{reissue.approved_by}</Descriptions.Item>}
            {reissue.approved_at && <Descriptions.Item label={t('approvedAt')}><span className="num">{formatInstant(reissue.approved_at)}</span></Descriptions.Item>}
            {reissue.exported_at && <Descriptions.Item label={t('exportedAt')}><span className="num">{formatInstant(reissue.exported_at)}</span></Descriptions.Item>}
          </Descriptions>
          <Space style={{ marginTop: 12 }} wrap>
            {pending && (can.approve || can.prepare) && (
              <Guarded blocked={reissueApproveBlocked} id="reissue-approve-why" onClick={() => { if (!approveReissue.isPending) approveReissue.mutate(pending.digest); }} loading={approveReissue.isPending}>
                {t('approveReissue')}
              </Guarded>
            )}
            {can.exportRun && reissue.approved_by && !reissue.exported_at && (
              <Button type="primary" onClick={() => { if (!exportReissue.isPending) exportReissue.mutate(); }} loading={exportReissue.isPending}>{t('exportReissue')}</Button>
            )}
          </Space>
        </Card>
      )}

      {(r.failed_count ?? 0) > 0 && (
        <Card size="small" title={t('returnedPayments')} style={{ marginBottom: 16 }} data-testid="returned-payments"
          extra={waiting.length > 1 && (
            <Guarded blocked={releaseBlocked} id="release-all-why" onClick={() => setDialog({ kind: 'release' })}>{t('releaseAllFailed')}</Guarded>
          )}>
          <Typography.Paragraph type="secondary">{t('returnedHint')}</Typography.Paragraph>
          {can.releaseFailed && <Typography.Paragraph type="secondary" data-testid="release-four-eyes">{t('releaseFailedFourEyes')}</Typography.Paragraph>}
          <ErrorBox error={returned.error} />
          <Table<Award>
            data-testid="returned-table"
            size="small"
            rowKey="award_id"
            loading={returned.isFetching}
            dataSource={waiting}
            locale={{ emptyText: t('noReturned') }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: t('awardId'), dataIndex: 'award_id', render: (id: string) => <a href={href('/awards', { id, q: id })}>{id}</a> },
              { title: t('recipient'), dataIndex: 'recipient_name' },
              { title: t('measure'), dataIndex: 'measure', width: 70 },
              { title: t('amount'), dataIndex: 'amount_fen', align: 'right', render: (v: number) => <Money fen={v} /> },
              { title: t('status'), dataIndex: 'status', render: (s: Award['status']) => <StatusTag status={s} /> },
              {
                title: t('actions'), key: 'actions', render: (_: unknown, a) => (can.releaseFailed
                  ? <Button size="small" type="primary" onClick={() => setDialog({ kind: 'release', award: a })} aria-label={`${t('releaseFailed')} ${a.award_id}`}>{t('releaseFailed')}</Button>
                  : <Typography.Text type="secondary">{releaseBlocked}</Typography.Text>),
              },
            ]}
          />
        </Card>
      )}

      {dialog?.kind === 'reissue' && (
        <ConfirmAction<Run>
          testId="reissue-dialog"
          title={t('reissueTitle', { run: r.run_id })}
          okText={t('confirmReissue')}
          explain={t('reissueExplains')}
          text={{ label: t('reissueReason'), required: t('reissueReasonRequired') }}
          run={(reason) => post<Run>(`${path}/reissue`, { reason })}
          onDone={async () => { toast(t('reissueRequested')); verify.reset(); await onChanged(); }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'release' && (
        <ConfirmAction<ReleaseFailedResult>
          testId="release-failed-dialog"
          title={t('releaseFailedTitle')}
          okText={t('releaseFailed')}
          explain={t('releaseFailedConfirm', { what: dialog.award ? `${dialog.award.award_id}（${formatFen(dialog.award.amount_fen)} ${t('yuan')}）` : t('releaseFailedAll') })}
          run={() => post<ReleaseFailedResult>(`${path}/release-failed`, dialog.award ? { award_id: dialog.award.award_id } : {})}
          onDone={async (res) => { toast(t('releasedFailed', { n: res.released, amount: formatFen(res.released_fen) })); await onChanged(); }}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
