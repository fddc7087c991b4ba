/**
 * 年终结转: each fiscal year's close status and the policy's days left (every reader); a clerk
 * proposes closing an OPEN year, a reviewer who did not propose it approves and executes it (the
 * button is disabled and says why for the proposer; the API refuses with SAME_PERSON anyway). The
 * service's plan or report is shown per measure in yuan from integer fen. Both requests go through
 * ConfirmAction (one request however often it is clicked) and are idempotent on the server.
 */
import { useState } from 'react';
import { Button, Card, Descriptions, Space, Table, Tooltip, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MeasureClosePlan, YearCloseApproval, YearCloseProposal, YearRow, YearState } from '../api/types.ts';
import { approveYearClose, proposeYearClose, refreshAfterClose, yearsQuery } from '../api/year-queries.ts';
import { useI18n, type Lang } from '../app/i18n.tsx';
import { useSession } from '../app/session.ts';
import { MEASURES, measureTitle } from '../app/catalog.ts';
import { ConfirmAction } from '../components/ConfirmAction.tsx';
import { useToast } from '../components/toast.tsx';
import { Tag } from '../components/Tag.tsx';
import { ErrorBox, Money, PageTitle } from '../components/common.tsx';
import { envelopesQuery } from '../api/queries.ts';
import { sumFen } from '../format/money.ts';
import { closePreview, closeRows, closeTotals, yearActions, type ClosePreviewRow, type YearAction } from './yearend/year-close.ts';

const STATE_COLORS: Record<YearState, string> = { OPEN: 'green', PROPOSED: 'gold', CLOSED: 'default' };

type Confirming = { kind: 'propose' | 'approve'; fy: number };
type Outcome = { kind: 'propose'; result: YearCloseProposal } | { kind: 'approve'; result: YearCloseApproval };

export default function YearEnd() {
  const { t } = useI18n();
  const { me, can } = useSession();
  const queryClient = useQueryClient();
  const { toast, holder } = useToast();
  const years = useQuery(yearsQuery);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const finance = can.readAll;

  const actionButton = (row: YearRow, action: YearAction) => {
    if (action.kind === 'propose') {
      const label = t(action.again ? 'proposeCloseAgain' : 'proposeClose');
      return <Button key="propose" type={action.again ? 'default' : 'primary'} data-testid={`propose-${row.fiscal_year}`} aria-label={`${label} ${t('fyLabel', { year: row.fiscal_year })}`}
        onClick={() => setConfirming({ kind: 'propose', fy: row.fiscal_year })}>{label}</Button>;
    }
    const label = t(action.resume ? 'resumeClose' : 'approveClose');
    const named = `${label} ${t('fyLabel', { year: row.fiscal_year })}`;
    if (action.blocked) {
      const why = `approve-why-${row.fiscal_year}`;
      return <Space key="approve" wrap>
        <Tooltip title={t(action.blocked)}><Button type="primary" disabled aria-describedby={why} data-testid={`approve-${row.fiscal_year}`} aria-label={named}>{label}</Button></Tooltip>
        <Typography.Text type="secondary" id={why} data-testid={why}>{t(action.blocked)}</Typography.Text>
      </Space>;
    }
    return <Button key="approve" type="primary" data-testid={`approve-${row.fiscal_year}`} aria-label={named} onClick={() => setConfirming({ kind: 'approve', fy: row.fiscal_year })}>{label}</Button>;
  };

  const data = years.data;
  return (
    <>
      <PageTitle>{t('yearEndTitle')}</PageTitle>
      {holder}
      <Typography.Paragraph type="secondary" style={{ maxWidth: 900 }}>{t('yearEndIntro')}</Typography.Paragraph>
      <ErrorBox error={years.error} />
      {data && (
        <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} style={{ marginBottom: 16, maxWidth: 640 }} data-testid="policy-end">
          <Descriptions.Item label={t('policyEnds')}><span className="num" data-testid="policy-ends">{data.policy_ends}</span></Descriptions.Item>
          <Descriptions.Item label={t('policyDaysLeft')}><span className="num" data-testid="policy-days-left" data-days={data.policy_days_left}>{t('policyDaysLeftN', { n: data.policy_days_left })}</span></Descriptions.Item>
        </Descriptions>
      )}
      <Table<YearRow>
        data-testid="years-table"
        size="small"
        rowKey="fiscal_year"
        loading={years.isPending}
        dataSource={[...(data?.years ?? [])].sort((a, b) => b.fiscal_year - a.fiscal_year)}
        pagination={false}
        style={{ maxWidth: 1000 }}
        columns={[
          { title: t('fiscalYear'), dataIndex: 'fiscal_year', render: (fy: number) => t('fyLabel', { year: fy }) },
          { title: t('status'), dataIndex: 'status', render: (s: YearState, row) => <span data-testid={`year-status-${row.fiscal_year}`} data-status={s}>
            <Tag color={STATE_COLORS[s]}>{t(`yearState_${s}`)}</Tag>
            {row.executing && <Tag color="processing">{t('yearExecuting')}</Tag>}
          </span> },
          ...(finance ? [
            { title: t('proposedBy'), dataIndex: 'proposed_by', render: (v?: string) => v ?? '' },
            { title: t('approvedBy'), dataIndex: 'approved_by', render: (v?: string) => v ?? '' },
          ] : []),
          ...(can.proposeClose || can.approveClose ? [{
            title: t('actions'), key: 'actions',
            render: (_: unknown, row: YearRow) => <Space wrap>{yearActions(row, can, me.username).map((a) => actionButton(row, a))}</Space>,
          }] : []),
        ]}
      />
      {outcome && <CloseReport outcome={outcome} />}
      {finance && (data?.years ?? []).filter((y) => y.status === 'PROPOSED' && !y.executing).map((y) => <ClosePreview key={y.fiscal_year} fy={y.fiscal_year} />)}
      {confirming && (
        <ConfirmAction<Outcome>
          key={`${confirming.kind}-${confirming.fy}`}
          testId={`${confirming.kind}-close-dialog`}
          title={t(confirming.kind === 'propose' ? 'proposeCloseTitle' : 'approveCloseTitle', { year: confirming.fy })}
          okText={t(confirming.kind === 'propose' ? 'proposeClose' : 'approveClose')}
          danger={confirming.kind === 'approve'}
          explain={t(confirming.kind === 'propose' ? 'proposeCloseExplain' : 'approveCloseExplain', { year: confirming.fy, next: confirming.fy + 1 })}
          run={async (): Promise<Outcome> => (confirming.kind === 'propose'
            ? { kind: 'propose', result: await proposeYearClose(confirming.fy) }
            : { kind: 'approve', result: await approveYearClose(confirming.fy) })}
          onDone={async (o) => {
            setOutcome(o);
            toast(o.kind === 'propose' ? t(o.result.changed ? 'closeProposed' : 'closeUnchanged') : t(o.result.changed ? 'closeApproved' : 'closeAlreadyDone'));
            await refreshAfterClose(queryClient);
          }}
          onClose={() => setConfirming(null)}
        />
      )}
    </>
  );
}

/** The service's answer: the plan of a proposal, or what an approval did, per measure. */
function CloseReport({ outcome }: { outcome: Outcome }) {
  const { t, lang } = useI18n();
  const plan: MeasureClosePlan[] = outcome.kind === 'propose' ? outcome.result.plan : outcome.result.closed;
  const rows = closeRows(plan);
  const totals = closeTotals(rows);
  const title = outcome.kind === 'propose'
    ? t('closePlanTitle', { year: outcome.result.fiscal_year, by: outcome.result.proposed_by })
    : t('closeReportTitle', { year: outcome.result.fiscal_year, by: outcome.result.approved_by });
  return (
    <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{title}</Typography.Title>} style={{ marginTop: 16, maxWidth: 1000 }}
      data-testid="close-report" data-kind={outcome.kind} data-changed={String(outcome.result.changed)}>
      {outcome.kind === 'approve' && outcome.result.drained.length > 0 && (
        <Typography.Paragraph data-testid="close-drained">{t('closeDrained', { n: outcome.result.drained.length })}</Typography.Paragraph>
      )}
      <Table<MeasureClosePlan>
        size="small"
        rowKey="measure"
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('closeNothing') }}
        columns={[
          measureColumn(t('measure'), lang),
          { title: t('carriedFen'), dataIndex: 'carried_fen', align: 'right', render: (v: number, m) => <Money fen={v} testId={`carried-${m.measure}`} /> },
          { title: t('carriedAwards'), dataIndex: 'carried_awards', align: 'right', render: (ids: string[]) => <Tooltip title={ids.join(', ')}><span className="num">{ids.length}</span></Tooltip> },
          { title: t('queuedAwards'), dataIndex: 'queued_awards', align: 'right', render: (ids: string[]) => <Tooltip title={ids.join(', ')}><span className="num">{ids.length}</span></Tooltip> },
          { title: t('lapsedFen'), dataIndex: 'lapsed_fen', align: 'right', render: (v: number, m) => <Money fen={v} testId={`lapsed-${m.measure}`} /> },
        ]}
        summary={() => rows.length > 0 && (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}><strong>{t('grandTotal')}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right"><strong><Money fen={totals.carried_fen} testId="carried-total" /></strong></Table.Summary.Cell>
            <Table.Summary.Cell index={2} align="right"><strong className="num">{totals.carried_awards}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={3} align="right"><strong className="num">{totals.queued_awards}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right"><strong><Money fen={totals.lapsed_fen} testId="lapsed-total" /></strong></Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
    </Card>
  );
}

/** The measure column of the plan and preview tables: its number and title. */
function measureColumn(title: string, lang: Lang) {
  return {
    title, dataIndex: 'measure', render: (n: number) => {
      const m = MEASURES.find((x) => x.number === n);
      return <>{n}{m ? ` ${measureTitle(m, lang)}` : ''}</>;
    },
  };
}

/** A proposed year's envelopes as they stand now: what an approval would carry and let lapse. */
function ClosePreview({ fy }: { fy: number }) {
  const { t, lang } = useI18n();
  const envelopes = useQuery(envelopesQuery(fy));
  const rows = closePreview(envelopes.data?.envelopes ?? [], fy);
  return (
    <Card size="small" title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('closePreviewTitle', { year: fy })}</Typography.Title>}
      style={{ marginTop: 16, maxWidth: 1000 }} data-testid={`close-preview-${fy}`}>
      <Typography.Paragraph type="secondary">{t('closePreviewHint')}</Typography.Paragraph>
      <ErrorBox error={envelopes.error} />
      <Table<ClosePreviewRow>
        size="small"
        rowKey="measure"
        loading={envelopes.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('closeNothing') }}
        columns={[
          measureColumn(t('measure'), lang),
          { title: t('previewReserved'), dataIndex: 'reserved_fen', align: 'right', render: (v: number, r) => <Money fen={v} testId={`preview-reserved-${fy}-${r.measure}`} /> },
          { title: t('heldCount'), dataIndex: 'held_count', align: 'right', render: (v: number) => <span className="num">{v}</span> },
          { title: t('previewWaitlisted'), dataIndex: 'waitlisted_count', align: 'right', render: (v: number) => <span className="num">{v}</span> },
          { title: t('previewAvailable'), dataIndex: 'available_fen', align: 'right', render: (v: number, r) => <Money fen={v} testId={`preview-available-${fy}-${r.measure}`} /> },
        ]}
        summary={() => rows.length > 0 && (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}><strong>{t('grandTotal')}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right"><strong><Money fen={sumFen(rows.map((r) => r.reserved_fen))} /></strong></Table.Summary.Cell>
            <Table.Summary.Cell index={2} align="right"><strong className="num">{rows.reduce((n, r) => n + r.held_count, 0)}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={3} align="right"><strong className="num">{rows.reduce((n, r) => n + r.waitlisted_count, 0)}</strong></Table.Summary.Cell>
            <Table.Summary.Cell index={4} align="right"><strong><Money fen={sumFen(rows.map((r) => r.available_fen))} /></strong></Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
    </Card>
  );
}
