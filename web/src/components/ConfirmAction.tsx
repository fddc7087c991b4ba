/**
 * A confirmation dialog for one money-moving action: optionally a required text (a note, a reason),
 * the API's error shown inside the dialog (it stays open so the person can read it), and one request
 * at a time: a second click while the first is on its way does nothing (a ref, set before React
 * re-renders the loading button, so even a fast double click sends once).
 */
import { useRef, type ReactNode } from 'react';
import { Form, Input, Modal, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useI18n } from '../app/i18n.tsx';
import { ErrorBox } from './common.tsx';

export interface ConfirmActionProps<R> {
  title: string;
  okText: string;
  danger?: boolean;
  explain?: ReactNode;
  /** The required text's label and the message when it is empty; no text field when omitted. */
  text?: { label: string; required: string };
  run: (text: string) => Promise<R>;
  onDone: (result: R) => void | Promise<void>;
  onClose: () => void;
  testId?: string;
}

export function ConfirmAction<R>({ title, okText, danger, explain, text, run, onDone, onClose, testId }: ConfirmActionProps<R>) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ text: string }>();
  const inFlight = useRef(false);
  const action = useMutation({
    mutationFn: run,
    onSuccess: async (result) => { await onDone(result); onClose(); },
    onSettled: () => { inFlight.current = false; },
  });
  const go = (value: string) => {
    if (inFlight.current) return;
    inFlight.current = true;
    action.mutate(value);
  };
  return (
    <Modal open title={title} onCancel={onClose} okText={okText} cancelText={t('cancel')} confirmLoading={action.isPending}
      okButtonProps={{ danger: Boolean(danger) }}
      onOk={() => (text ? form.submit() : go(''))} destroyOnHidden>
      <div data-testid={testId}>
        {explain && <Typography.Paragraph type="secondary">{explain}</Typography.Paragraph>}
        <ErrorBox error={action.error} />
        {text && (
          <Form form={form} layout="vertical" name="confirm-action" onFinish={(v) => go(v.text.trim())}>
            <Form.Item label={text.label} name="text" rules={[{ required: true, whitespace: true, message: text.required }]}>
              <Input.TextArea rows={3} maxLength={500} autoFocus />
            </Form.Item>
          </Form>
        )}
      </div>
    </Modal>
  );
}
