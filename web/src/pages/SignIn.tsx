import { useState, type FormEvent } from 'react';
import { Alert, Button, Input, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, request } from '../api/client.ts';
import { useI18n } from '../app/i18n.tsx';
import { authConfig, beginSignIn, signInError } from '../app/auth.ts';

/** The sign-in page of the mode /config.json chose: the Cognito hosted UI (AWS) or the password form (local). */
export function SignIn() {
  return authConfig().auth === 'cognito' ? <HostedSignIn /> : <PasswordSignIn />;
}

/** AWS: one button to the Cognito hosted UI (authorization code + PKCE, app/auth.ts); the last failure, if any. */
function HostedSignIn() {
  const { t, lang, setLang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(signInError());
  const go = () => {
    setBusy(true);
    beginSignIn().catch((e: unknown) => {
      setError(String((e as Error).message ?? e));
      setBusy(false);
    });
  };
  return (
    <main className="bursar-signin">
      <div className="signin-card">
        <Typography.Title level={1} style={{ fontSize: 20, marginTop: 0 }}>{t('signInTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('policy')}</Typography.Paragraph>
        {error && <Alert type="error" title={t('signInHostedFailed')} description={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
        <Typography.Paragraph>{t('signInHostedHint')}</Typography.Paragraph>
        <Button type="primary" block loading={busy} onClick={go} data-testid="signin-hosted">{t('signInHosted')}</Button>
        <Button type="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} style={{ marginTop: 8, paddingInline: 0 }} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
          {t('switchLanguage')}
        </Button>
      </div>
    </main>
  );
}

/**
 * Username and password against POST /api/v1/session (the server sets the session and CSRF
 * cookies). A plain form on purpose: the sign-in page is part of the first load, kept small.
 */
function PasswordSignIn() {
  const { t, lang, setLang } = useI18n();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError(t('required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await request('POST', '/session', { json: { username: username.trim(), password } });
      // Nothing cached from another user survives; then ask who we are now.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      await queryClient.refetchQueries({ queryKey: ['me'] });
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'LOCKED_OUT' ? t('lockedOut') : e instanceof ApiError && e.status === 401 ? t('signInFailed') : String((e as Error).message));
      setBusy(false);
    }
  }

  return (
    <main className="bursar-signin">
      <div className="signin-card">
        <Typography.Title level={1} style={{ fontSize: 20, marginTop: 0 }}>{t('signInTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('policy')}</Typography.Paragraph>
        {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
        <form onSubmit={submit} name="signin" noValidate>
          <div className="field">
            <label htmlFor="signin-username">{t('username')}</label>
            <Input id="signin-username" name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="signin-password">{t('password')}</label>
            <Input.Password id="signin-password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          <Button type="primary" htmlType="submit" block loading={busy}>{t('signIn')}</Button>
        </form>
        <Button type="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} style={{ marginTop: 8, paddingInline: 0 }} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
          {t('switchLanguage')}
        </Button>
      </div>
    </main>
  );
}
