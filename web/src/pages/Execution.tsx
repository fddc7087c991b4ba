/** 预算执行: the fiscal summary as `bursar summary` prints it, monthly paid as a chart, CSV/XLSX downloads. */
import { useMemo } from 'react';
import { Button, Card, Space, Table, Tabs, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useQuery } from '@tanstack/react-query';
import { API, get } from '../api/client.ts';
import type { FiscalSummary, SummaryFigures } from '../api/types.ts';
import { useI18n, type T } from '../app/i18n.tsx';
import { navigate, useRoute } from '../app/router.ts';
import { ErrorBox, Money, PageTitle } from '../components/common.tsx';
import { FiscalYearSelect } from '../components/FiscalYearSelect.tsx';
import { apiFileClick } from '../components/files.ts';
import { Chart } from '../charts/Chart.tsx';
import { currentShanghaiYear } from '../format/dates.ts';
import { formatFen, formatRate } from '../format/money.ts';

function figureColumns<R extends SummaryFigures>(t: T): ColumnsType<R> {
  const money = (key: keyof SummaryFigures, title: string) => ({ title, dataIndex: key, align: 'right' as const, render: (v: number) => <Money fen={v} /> });
  return [
    money('budget_fen', t('budget')), money('reserved_fen', t('reserved')), money('batched_fen', t('batched')), money('paid_fen', t('paid')),
    money('available_fen', t('available')), money('waitlisted_fen', t('waiting')),
    { title: t('executionRate'), dataIndex: 'execution_rate', align: 'right', render: (v: number | null) => <span className="num">{formatRate(v)}</span> },
  ];
}

export default function Execution() {
  const { t, lang } = useI18n();
  const route = useRoute();
  const fy = Number(route.params.get('fy')) || currentShanghaiYear();
  const summary = useQuery({ queryKey: ['summary', fy], queryFn: () => get<FiscalSummary>(`/summary?fiscal_year=${fy}&format=json`) });
  const s = summary.data;
  const title = (x: { title_zh: string; title_en: string }) => (lang === 'en' ? x.title_en : x.title_zh);
  const option = useMemo(() => ({
    aria: { enabled: true },
    grid: { left: 110, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis' as const, valueFormatter: (v: unknown) => `${formatFen(Number(v))} ${t('yuan')}` },
    xAxis: { type: 'category' as const, data: (s?.monthly_paid ?? []).map((m) => m.month) },
    yAxis: { type: 'value' as const, axisLabel: { formatter: (v: number) => formatFen(Math.round(v)) } },
    series: [{ type: 'bar' as const, name: t('paid'), data: (s?.monthly_paid ?? []).map((m) => m.paid_fen), itemStyle: { color: '#1d4ed8' } }],
  }), [s, t]);

  const download = (format: 'csv' | 'xlsx') => `/summary?fiscal_year=${fy}&format=${format}`;
  return (
    <>
      <PageTitle extra={<Space wrap>
        <FiscalYearSelect value={fy} onChange={(y) => navigate('/execution', { fy: y })} />
        <Button href={`${API}${download('csv')}`} download={`summary-${fy}.csv`} onClick={apiFileClick(download('csv'), `summary-${fy}.csv`)}>{t('downloadCsv')}</Button>
        <Button href={`${API}${download('xlsx')}`} download={`summary-${fy}.xlsx`} onClick={apiFileClick(download('xlsx'), `summary-${fy}.xlsx`)}>{t('downloadXlsx')}</Button>
      </Space>}>{t('executionTitle')}</PageTitle>
      <ErrorBox error={summary.error} />
      {s && <>
        <Typography.Paragraph type="secondary">{s.policy} · {t('fyLabel', { year: s.fiscal_year })}</Typography.Paragraph>
        <Table data-testid="summary-total" size="small" pagination={false} rowKey={() => 'total'} scroll={{ x: 900 }}
          dataSource={[s.total]} columns={[{ title: '', key: 'l', render: () => <strong>{t('grandTotal')}</strong> }, ...figureColumns<SummaryFigures>(t)]} />
        <Tabs style={{ marginTop: 12 }} items={[
          { key: 'sections', label: t('bySection'), children: <Table size="small" pagination={false} rowKey="section" dataSource={s.sections} scroll={{ x: 1000 }}
            columns={[{ title: t('section'), key: 's', render: (_: unknown, r: FiscalSummary['sections'][number]) => `${r.section}、${title(r)}` }, ...figureColumns<FiscalSummary['sections'][number]>(t)]} /> },
          { key: 'measures', label: t('byMeasure'), children: <Table size="small" pagination={false} rowKey="measure" dataSource={s.measures} scroll={{ x: 1100 }}
            columns={[{ title: t('measure'), key: 'm', width: 280, render: (_: unknown, r: FiscalSummary['measures'][number]) => `${r.measure}. ${title(r)}` }, ...figureColumns<FiscalSummary['measures'][number]>(t)]} /> },
          { key: 'units', label: t('byUnit'), children: <>
            <Typography.Paragraph type="secondary">{t('unitsOverlap')}</Typography.Paragraph>
            <Table size="small" pagination={false} rowKey="unit" dataSource={s.units} scroll={{ x: 1100 }}
              columns={[{ title: t('unit'), key: 'u', render: (_: unknown, r: FiscalSummary['units'][number]) => (lang === 'en' ? r.name_en : r.name_zh) },
                { title: t('measure'), key: 'ms', render: (_: unknown, r: FiscalSummary['units'][number]) => r.measures.join(', ') }, ...figureColumns<FiscalSummary['units'][number]>(t)]} />
          </> },
          { key: 'months', label: t('monthlyPaid'), children: <Table size="small" pagination={false} rowKey="month" dataSource={s.monthly_paid}
            columns={[{ title: t('month'), dataIndex: 'month' }, { title: t('paid'), dataIndex: 'paid_fen', align: 'right', render: (v: number) => <Money fen={v} /> }]} /> },
        ]} />
        <Card size="small" title={t('monthlyPaid')} style={{ marginTop: 12 }}>
          <Chart option={option} label={`${t('monthlyPaid')} ${t('fyLabel', { year: fy })}`} testId="monthly-chart" />
        </Card>
      </>}
    </>
  );
}
