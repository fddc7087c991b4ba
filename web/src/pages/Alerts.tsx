/** 预警: the alerts to the user's unit (finance roles see all), newest first. */
import { DatePicker, Space, Table } from 'antd';
import { Tag } from '../components/Tag.tsx';
import dayjs from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { get, query } from '../api/client.ts';
import type { AlertItem } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { navigate, useRoute } from '../app/router.ts';
import { ErrorBox, PageTitle } from '../components/common.tsx';
import { formatInstant } from '../format/dates.ts';

export default function Alerts() {
  const { t } = useI18n();
  const route = useRoute();
  const since = route.params.get('since') ?? '';
  const alerts = useQuery({ queryKey: ['alerts', since], queryFn: () => get<{ alerts: AlertItem[] }>(`/alerts${query({ since })}`) });
  const rows = [...(alerts.data?.alerts ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <>
      <PageTitle extra={<Space>
        <label htmlFor="alerts-since">{t('since')}</label>
        <DatePicker id="alerts-since" value={since ? dayjs(since) : null} onChange={(d) => navigate('/alerts', { since: d ? d.format('YYYY-MM-DD') : '' })} />
      </Space>}>{t('alertsTitle')}</PageTitle>
      <ErrorBox error={alerts.error} />
      <Table<AlertItem>
        data-testid="alerts-table"
        size="small"
        rowKey="alert_id"
        loading={alerts.isPending}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('createdAt'), dataIndex: 'created_at', width: 170, render: (v: string) => <span className="num">{formatInstant(v)}</span> },
          { title: t('kind'), dataIndex: 'kind', width: 110, render: (k: AlertItem['kind']) => <Tag color={k === 'THRESHOLD' ? 'orange' : k === 'WAITLIST' ? 'gold' : 'red'}>{t(`kind_${k}`)}</Tag> },
          { title: t('fiscalYear'), dataIndex: 'fiscal_year', width: 80 },
          { title: t('measure'), dataIndex: 'measure', width: 70 },
          { title: t('threshold'), dataIndex: 'threshold', width: 80, render: (v: number | null) => (v === null ? '' : `${v}%`) },
          { title: t('units'), dataIndex: 'units', width: 140, render: (u: string[]) => u.join(' ') },
          { title: t('message'), dataIndex: 'message', render: (m: string) => <span style={{ whiteSpace: 'pre-line' }}>{m}</span> },
        ]}
      />
    </>
  );
}
