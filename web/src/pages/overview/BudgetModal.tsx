import { Form, Input, Modal } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { put } from '../../api/client.ts';
import type { Envelope } from '../../api/types.ts';
import { useI18n } from '../../app/i18n.tsx';
import { ErrorBox } from '../../components/common.tsx';
import { formatFen, isYuanText, normalizeYuanText } from '../../format/money.ts';

/** A clerk sets an envelope's budget: the amount goes to the API as the yuan string typed (padded to 2 decimals). */
export default function BudgetModal({ fy, measure, envelope, onClose }: { fy: number; measure: number; envelope: Envelope | undefined; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ amount: string; alertAt: string }>();
  const save = useMutation({
    mutationFn: (v: { amount: string; alertAt: string }) => put(`/envelopes/${fy}/${measure}`, {
      amount_yuan: normalizeYuanText(v.amount.trim()),
      ...(v.alertAt.trim() ? { alert_at: v.alertAt.split(',').map((x) => Number(x.trim())) } : {}),
    }),
    onSuccess: async () => {
      await Promise.all(['envelopes', 'forecasts'].map((k) => queryClient.invalidateQueries({ queryKey: [k] })));
      onClose();
    },
  });
  return (
    <Modal open title={t('setBudgetTitle', { n: measure, year: fy })} onCancel={onClose} onOk={() => form.submit()} okText={t('save')} cancelText={t('cancel')} confirmLoading={save.isPending}>
      <ErrorBox error={save.error} />
      <Form form={form} layout="vertical" name="budget" onFinish={(v) => save.mutate(v)}
        initialValues={{ amount: envelope?.budget_set ? formatFen(envelope.budget_fen).replaceAll(',', '') : '', alertAt: (envelope?.alert_at ?? [80, 90, 100]).join(',') }}>
        <Form.Item label={t('amountYuan')} name="amount" extra={t('amountHint')}
          rules={[{ validator: (_, v: string) => (isYuanText((v ?? '').trim()) ? Promise.resolve() : Promise.reject(new Error(t('badAmount')))) }]}>
          <Input inputMode="decimal" autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('alertAt')} name="alertAt"
          rules={[{ validator: (_, v: string) => (!v?.trim() || v.split(',').every((x) => /^(100|[1-9][0-9]?)$/.test(x.trim())) ? Promise.resolve() : Promise.reject(new Error(t('badAlertAt')))) }]}>
          <Input autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

