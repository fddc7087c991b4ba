import { useMemo } from 'react';
import { Space, Spin, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { get, query } from '../../api/client.ts';
import type { Award, AwardPage, Envelope } from '../../api/types.ts';
import { useI18n } from '../../app/i18n.tsx';
import { Chart } from '../../charts/Chart.tsx';
import { formatFen } from '../../format/money.ts';
import { ErrorBox } from '../../components/common.tsx';
import { cumulativeByDate } from './commitments.ts';
import { shanghaiDate } from '../../format/dates.ts';

/** At most this many awards are read for the chart (200 a page); beyond it the chart says so. */
const MAX_PAGES = 25;
const COMMITTED = new Set(['RESERVED', 'BATCHED', 'PAID']);

async function committedAwards(fy: number, measure: number): Promise<{ awards: Award[]; partial: boolean }> {
  const awards: Award[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res: AwardPage = await get<AwardPage>(`/awards${query({ measure, fiscal_year: fy, limit: 200, cursor })}`);
    awards.push(...res.awards.filter((a) => COMMITTED.has(a.status)));
    cursor = res.next_cursor;
    if (!cursor) return { awards, partial: false };
  }
  return { awards, partial: true };
}

export default function CommitmentsChart({ fy, envelope }: { fy: number; envelope: Envelope }) {
  const { t } = useI18n();
  const measure = envelope.measure;
  const data = useQuery({ queryKey: ['commitments', fy, measure], queryFn: () => committedAwards(fy, measure), staleTime: 60_000 });

  const option = useMemo(() => {
    const points = cumulativeByDate(data.data?.awards ?? []);
    // Carry the total on to the year's end, so the line shows where the envelope stands now.
    const last = points[points.length - 1];
    const today = shanghaiDate();
    const end = today < `${fy}-12-31` ? today : `${fy}-12-31`;
    if (last && last[0] < end) points.push([end, last[1]]);
    return {
      aria: { enabled: true },
      grid: { left: 110, right: 24, top: 24, bottom: 40 },
      tooltip: { trigger: 'axis' as const, valueFormatter: (v: unknown) => `${formatFen(Number(v))} ${t('yuan')}` },
      xAxis: { type: 'time' as const, min: `${fy}-01-01`, max: `${fy}-12-31` },
      yAxis: { type: 'value' as const, max: (v: { max: number }) => Math.max(v.max, envelope.budget_fen), axisLabel: { formatter: (v: number) => formatFen(Math.round(v)) } },
      series: [{
        type: 'line' as const, step: 'end' as const, name: t('commitments'), data: points, showSymbol: false, areaStyle: { opacity: 0.15 },
        markLine: {
          symbol: 'none', silent: true,
          data: [
            { yAxis: envelope.budget_fen, name: t('budget'), label: { formatter: `${t('budget')} ${formatFen(envelope.budget_fen)}` } },
            ...envelope.alert_at.filter((a) => a < 100).map((a) => ({
              yAxis: Number((BigInt(envelope.budget_fen) * BigInt(a)) / 100n), lineStyle: { color: '#b91c1c', type: 'dashed' as const }, label: { formatter: `${a}%` },
            })),
          ],
        },
      }],
    };
  }, [data.data, envelope, fy, t]);

  const title = t('commitmentsOf', { n: measure, year: fy });
  return (
    <>
      <Space style={{ margin: '8px 0' }} wrap>
        <Typography.Text type="secondary">{title}</Typography.Text>
        {data.isFetching && <Spin size="small" />}
        {data.data?.partial && <Typography.Text type="warning">{t('commitmentsPartial', { count: data.data.awards.length })}</Typography.Text>}
      </Space>
      <ErrorBox error={data.error} />
      <Chart option={option} label={title} testId="commitments-chart" />
    </>
  );
}
