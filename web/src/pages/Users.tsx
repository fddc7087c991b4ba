/** 用户: the administrator's page: list users, add one, disable or enable. No award data here. */
import { useState } from 'react';
import { Button, Form, Input, Modal, Select, Table } from 'antd';
import { Tag } from '../components/Tag.tsx';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../api/client.ts';
import { ROLES, type Role, type User } from '../api/types.ts';
import { useI18n } from '../app/i18n.tsx';
import { UNITS, unitLabel } from '../app/catalog.ts';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, PageTitle } from '../components/common.tsx';

export default function Users() {
  const { t, lang } = useI18n();
  const { toast, holder } = useToast();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const users = useQuery({ queryKey: ['users'], queryFn: () => get<{ users: User[] }>('/users') });
  const toggle = useMutation({
    mutationFn: (u: User) => post(`/users/${encodeURIComponent(u.username)}/${u.disabled ? 'enable' : 'disable'}`),
    onSuccess: async () => { toast(t('saved')); await queryClient.invalidateQueries({ queryKey: ['users'] }); },
  });
  return (
    <>
      <PageTitle extra={<Button type="primary" onClick={() => setAdding(true)}>{t('addUser')}</Button>}>{t('usersTitle')}</PageTitle>
      {holder}
      <ErrorBox error={users.error ?? toggle.error} />
      <Table<User>
        data-testid="users-table"
        size="small"
        rowKey="username"
        loading={users.isPending}
        dataSource={users.data?.users ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('username'), dataIndex: 'username' },
          { title: t('roles'), dataIndex: 'roles', render: (roles: Role[]) => roles.map((r) => <Tag key={r}>{t(`role_${r}`)}</Tag>) },
          { title: t('unit'), dataIndex: 'unit', render: (u: string | null) => unitLabel(u, lang) },
          { title: t('status'), dataIndex: 'disabled', render: (d: boolean) => (d ? <Tag color="red">{t('disabled')}</Tag> : <Tag color="green">{t('active')}</Tag>) },
          { title: t('actions'), key: 'a', render: (_: unknown, u) => (
            <Button size="small" danger={!u.disabled} onClick={() => toggle.mutate(u)} aria-label={`${u.disabled ? t('enable') : t('disable')} ${u.username}`}>
              {u.disabled ? t('enable') : t('disable')}
            </Button>
          ) },
        ]}
      />
      {adding && <AddUser onClose={() => setAdding(false)} onCreated={() => toast(t('created'))} />}
    </>
  );
}

function AddUser({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ username: string; roles: Role[]; unit?: string; password: string }>();
  const roles = Form.useWatch('roles', form) ?? [];
  const add = useMutation({
    mutationFn: (v: { username: string; roles: Role[]; unit?: string; password: string }) =>
      post('/users', { username: v.username.trim(), roles: v.roles, ...(v.roles.includes('bureau') && v.unit ? { unit: v.unit } : {}), password: v.password }),
    onSuccess: async () => { onCreated(); await queryClient.invalidateQueries({ queryKey: ['users'] }); onClose(); },
  });
  return (
    <Modal open title={t('addUser')} onCancel={onClose} onOk={() => form.submit()} okText={t('save')} cancelText={t('cancel')} confirmLoading={add.isPending}>
      <ErrorBox error={add.error} />
      <Form form={form} layout="vertical" name="add-user" onFinish={(v) => add.mutate(v)}>
        <Form.Item label={t('username')} name="username" rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input autoComplete="off" maxLength={64} />
        </Form.Item>
        <Form.Item label={t('roles')} name="roles" rules={[{ required: true, message: t('rolesRequired') }]}>
          <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))} />
        </Form.Item>
        {roles.includes('bureau') && (
          <Form.Item label={t('unit')} name="unit" rules={[{ required: true, message: t('unitRequired') }]}>
            <Select options={UNITS.filter((u) => u.code !== 'FIN').map((u) => ({ value: u.code, label: unitLabel(u.code, lang) }))} />
          </Form.Item>
        )}
        <Form.Item label={t('password')} name="password" extra={t('passwordHint')} rules={[{ required: true, min: 10, message: t('passwordHint') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
