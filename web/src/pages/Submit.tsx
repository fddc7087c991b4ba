/**
 * 提交: drop an awards CSV; the file goes as-is (text/csv) to POST /api/v1/submissions, and the
 * intake report comes back: counts, and per line its outcome, reason and the fields in error.
 */
import { useState } from 'react';
import { Button, Card, Checkbox, Col, Row, Statistic, Table, Typography, Upload } from 'antd';
import { Tag } from '../components/Tag.tsx';
import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postCsv } from '../api/client.ts';
import type { SubmitLine, SubmitReport } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { useSession } from '../app/session.ts';
import { ErrorBox, PageTitle } from '../components/common.tsx';
import { saveBlob } from '../components/files.ts';
import { currentShanghaiYear } from '../format/dates.ts';
import { awardTemplateCsv } from './submit/template.ts';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const GOOD = new Set(['RESERVED', 'WAITLISTED']);
const OUTCOME_COLORS: Record<string, string> = { RESERVED: 'blue', WAITLISTED: 'gold', HELD: 'purple', REJECTED: 'red', DUPLICATE: 'default', CONFLICT: 'volcano', INVALID: 'magenta', DEAD_LETTERED: 'red' };

export function OutcomeTag({ outcome }: { outcome: string }) {
  const { t } = useI18n();
  const key = `outcome_${outcome}` as Parameters<typeof t>[0];
  return <Tag color={OUTCOME_COLORS[outcome] ?? 'default'}>{t(key)}</Tag>;
}

export default function Submit() {
  const { t } = useI18n();
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [fileName, setFileName] = useState<string | null>(null);
  const [tooBig, setTooBig] = useState(false);
  const [onlyProblems, setOnlyProblems] = useState(false);
  const submit = useMutation({
    mutationFn: (file: File) => postCsv<SubmitReport>('/submissions', file),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  const report = submit.data;
  const lines = (report?.results ?? []).filter((r) => !onlyProblems || !GOOD.has(r.outcome));

  return (
    <>
      <PageTitle extra={<Button onClick={() => saveBlob(new Blob([awardTemplateCsv(me.unit, currentShanghaiYear())], { type: 'text/csv' }), 'awards-template.csv')}>{t('downloadTemplate')}</Button>}>
        {t('submitTitle')}
      </PageTitle>
      <Upload.Dragger
        accept=".csv,text/csv"
        multiple={false}
        showUploadList={false}
        disabled={submit.isPending}
        beforeUpload={(file) => {
          setFileName(file.name);
          setTooBig(file.size > MAX_UPLOAD_BYTES);
          if (file.size <= MAX_UPLOAD_BYTES) submit.mutate(file);
          return Upload.LIST_IGNORE;
        }}
        aria-label={t('dropHint')}
      >
        <p className="ant-upload-drag-icon"><InboxOutlined /></p>
        <p className="ant-upload-text">{submit.isPending ? t('submitting') : t('dropHint')}</p>
        <p className="ant-upload-hint">{fileName ?? t('dropSub')}</p>
      </Upload.Dragger>
      {tooBig && <ErrorBox error={{ code: 'PAYLOAD_TOO_LARGE', message: t('fileTooBig') }} />}
      <div style={{ marginTop: 12 }}><ErrorBox error={submit.error} /></div>
      {report && (
        <Card size="small" style={{ marginTop: 16 }} data-testid="submit-report">
          <Row gutter={16}>
            {([['submitted', report.submitted], ['reserved', report.reserved], ['status_WAITLISTED', report.waitlisted], ['status_HELD', report.held ?? 0], ['rejected', report.rejected],
              ['duplicates', report.duplicates], ['conflicts', report.conflicts], ['invalid', report.invalid]] as const).map(([k, v]) => (
              <Col key={k} xs={8} md={3}><Statistic title={t(k)} value={v} data-testid={`count-${k}`} /></Col>
            ))}
          </Row>
          <Checkbox checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} style={{ margin: '12px 0' }}>{t('onlyProblems')}</Checkbox>
          <Table<SubmitLine>
            data-testid="submit-results"
            size="small"
            rowKey={(r) => `${r.line}-${r.award_id ?? ''}`}
            dataSource={lines}
            pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
            columns={[
              { title: t('line'), dataIndex: 'line', width: 70 },
              { title: t('awardId'), dataIndex: 'award_id', className: 'nowrap' },
              { title: t('outcome'), dataIndex: 'outcome', render: (o: string) => <OutcomeTag outcome={o} /> },
              { title: t('reason'), dataIndex: 'reason' },
              {
                title: t('fieldsInError'), key: 'errors',
                render: (_: unknown, r) => (r.errors ?? []).map((e) => (
                  <div key={e.field}><Typography.Text code>{e.field}</Typography.Text> {e.message}</div>
                )),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
