/** 审计: the audit log (reviewer, auditor), newest first, filtered by kind and date. */
import { DatePicker, Input, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { get, query } from '../api/client.ts';
import type { AuditEntry } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { navigate, useRoute } from '../app/router.ts';
import { ErrorBox, PageTitle } from '../components/common.tsx';
import { formatInstant } from '../format/dates.ts';

export default function Audit() {
  const { t } = useI18n();
  const route = useRoute();
  const since = route.params.get('since') ?? '';
  const kind = route.params.get('kind') ?? '';
  const audit = useQuery({ queryKey: ['audit', since, kind], queryFn: () => get<{ entries: AuditEntry[] }>(`/audit${query({ since, kind })}`) });
  return (
    <>
      <PageTitle extra={<Space wrap>
        <label htmlFor="audit-kind">{t('kind')}</label>
        <Input.Search id="audit-kind" defaultValue={kind} allowClear style={{ width: 220 }} onSearch={(v) => navigate('/audit', { since, kind: v.trim() })} enterButton={t('search')} maxLength={64} />
        <label htmlFor="audit-since">{t('since')}</label>
        <DatePicker id="audit-since" value={since ? dayjs(since) : null} onChange={(d) => navigate('/audit', { kind, since: d ? d.format('YYYY-MM-DD') : '' })} />
      </Space>}>{t('auditTitle')}</PageTitle>
      <ErrorBox error={audit.error} />
      <Table<AuditEntry>
        data-testid="audit-table"
        size="small"
        rowKey={(e) => `${e.at}-${e.kind}-${e.subject}-${e.actor}`}
        loading={audit.isPending}
        dataSource={audit.data?.entries ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('createdAt'), dataIndex: 'at', width: 170, render: (v: string) => <span className="num">{formatInstant(v)}</span> },
          { title: t('actor'), dataIndex: 'actor', width: 140 },
          { title: t('kind'), dataIndex: 'kind', width: 160 },
          { title: t('subject'), dataIndex: 'subject', width: 200 },
          { title: t('detail'), dataIndex: 'detail', render: (d: unknown) => <code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>{typeof d === 'string' ? d : JSON.stringify(d)}</code> },
        ]}
      />
    </>
  );
}
