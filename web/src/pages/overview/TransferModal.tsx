import { useRef, useState } from 'react';
import { Alert, Form, Input, Modal } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client.ts';
import type { Envelope } from '../../api/types.ts';
import { useI18n } from '../../app/i18n.tsx';
import { ErrorBox } from '../../components/common.tsx';
import { formatFen, isYuanText, normalizeYuanText } from '../../format/money.ts';

interface Values { from: string; to: string; amount: string; reason: string }
interface TransferResult { transfer_id: string; from: Envelope; to: Envelope; drained: string[]; changed: boolean }

/**
 * 预算调剂: a clerk moves budget from one measure's envelope to another's of the same year
 * (POST /transfers). The transfer id is drawn once when the form opens, so a retried or doubly
 * clicked submission is the same transfer (the API answers it again, changing nothing); the API's
 * refusals (INSUFFICIENT_AVAILABLE, SAME_ENVELOPE, FISCAL_YEAR_CLOSED, ...) are shown in plain words.
 */
export default function TransferModal({ fy, envelopes, labelOf, onClose }: {
  fy: number; envelopes: Envelope[]; labelOf: (measure: number) => string; onClose: () => void;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [transferId] = useState(() => `TR-WEB-${crypto.randomUUID()}`);
  // One request at a time however often OK is clicked (React's pending state lags a double click).
  const sending = useRef(false);
  const send = useMutation({
    mutationFn: (v: Values) => post<TransferResult>('/transfers', {
      fiscal_year: String(fy), from_measure: v.from, to_measure: v.to,
      amount_yuan: normalizeYuanText(v.amount.trim()), reason: v.reason.trim(), transfer_id: transferId,
    }),
    onSuccess: () => Promise.all(['envelopes', 'forecasts', 'awards'].map((k) => queryClient.invalidateQueries({ queryKey: [k] }))),
  });
  const options = envelopes.filter((e) => e.budget_set && e.status !== 'CLOSED').map((e) => ({
    value: String(e.measure), label: `${labelOf(e.measure)} · ${t('available')} ${formatFen(e.available_fen)}`,
  }));
  const done = send.data;
  return (
    <Modal open title={t('transferTitle', { year: fy })} onCancel={onClose} cancelText={t('cancel')}
      onOk={() => (done ? onClose() : form.submit())} okText={done ? t('close') : t('transferSubmit')} confirmLoading={send.isPending}
      cancelButtonProps={done ? { style: { display: 'none' } } : {}}>
      <ErrorBox error={send.error} />
      {done && (
        <Alert type="success" showIcon role="status" data-testid="transfer-done" style={{ marginBottom: 12 }}
          title={t('transferDone', { id: done.transfer_id, from: done.from.measure, to: done.to.measure })}
          description={done.drained.length > 0 ? t('transferDrained', { count: done.drained.length }) : undefined} />
      )}
      <Form form={form} layout="vertical" name="transfer" disabled={send.isPending || !!done} onFinish={(v) => {
        if (sending.current) return;
        sending.current = true;
        send.mutate(v, { onSettled: () => { sending.current = false; } });
      }}>
        <Form.Item label={t('transferFrom')} name="from" rules={[{ required: true, message: t('transferPickMeasure') }]}>
          <select className="native-select" style={{ width: '100%' }}>
            <option value="">—</option>
            {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </Form.Item>
        <Form.Item label={t('transferTo')} name="to" dependencies={['from']} rules={[
          { required: true, message: t('transferPickMeasure') },
          ({ getFieldValue }) => ({ validator: (_, v: string) => (v && v === getFieldValue('from') ? Promise.reject(new Error(t('err_SAME_ENVELOPE'))) : Promise.resolve()) }),
        ]}>
          <select className="native-select" style={{ width: '100%' }}>
            <option value="">—</option>
            {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </Form.Item>
        <Form.Item label={t('amountYuan')} name="amount" extra={t('amountHint')}
          rules={[{ validator: (_, v: string) => (isYuanText((v ?? '').trim()) && !/^0+(\.0+)?$/.test((v ?? '').trim()) ? Promise.resolve() : Promise.reject(new Error(t('badAmount')))) }]}>
          <Input inputMode="decimal" autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('transferReasonNeeded') }]}>
          <Input.TextArea maxLength={500} rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
