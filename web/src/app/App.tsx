import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { Alert, Button, ConfigProvider, Layout, Space, Spin, Typography } from 'antd';
import { Tag } from '../components/Tag.tsx';
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import { useQuery, useQueryClient, useMutation } from '@tanstack/react-query';
import { ApiError, del } from '../api/client.ts';
import { meQuery } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { useI18n } from './i18n.tsx';
import { useRoute, href, navigate } from './router.ts';
import { abilities, allowedPages, PAGE_PATHS, type PageId } from './permissions.ts';
import { unitLabel } from './catalog.ts';
import { SessionContext } from './session.ts';
import { lazyStyled } from './styles.ts';
import { authConfig, signOutHosted } from './auth.ts';

// The sign-in form (antd Form and its validator) is not on a signed-in user's path: loaded on demand.
const SignIn = lazy(() => import('../pages/SignIn.tsx').then((m) => ({ default: m.SignIn })));

const pages: Record<PageId, ComponentType> = {
  overview: lazy(() => import('../pages/Overview.tsx')),
  awards: lazyStyled(() => import('../pages/Awards.tsx')),
  submit: lazyStyled(() => import('../pages/Submit.tsx')),
  waitlist: lazyStyled(() => import('../pages/Waitlist.tsx')),
  holds: lazyStyled(() => import('../pages/Holds.tsx')),
  runs: lazyStyled(() => import('../pages/Runs.tsx')),
  execution: lazyStyled(() => import('../pages/Execution.tsx')),
  alerts: lazyStyled(() => import('../pages/Alerts.tsx')),
  reconciliation: lazyStyled(() => import('../pages/Reconciliation.tsx')),
  audit: lazyStyled(() => import('../pages/Audit.tsx')),
  users: lazyStyled(() => import('../pages/Users.tsx')),
  yearEnd: lazyStyled(() => import('../pages/YearEnd.tsx')),
};

// Secondary and hint texts darker than antd's defaults, and status colours dark enough for white
// text, so every text meets WCAG AA contrast (axe-core checks each page in the e2e tests).
// zeroRuntime: antd's styles come from its prebuilt stylesheet (imported in main.tsx) instead of being
// generated in the browser on each component's first render, the largest part of a cold load's script
// time. The tokens below still apply: antd writes them as CSS variables, which that stylesheet reads.
const THEME = {
  zeroRuntime: true,
  token: {
    colorPrimary: '#1d4ed8', borderRadius: 4, colorTextSecondary: 'rgba(0, 0, 0, 0.68)', colorTextDescription: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)', colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)', colorError: '#c0262d', colorSuccess: '#2f7d12', colorWarning: '#a35d00',
    colorLink: '#1d4ed8',
  },
};

function pageOf(path: string): PageId | undefined {
  if (path.startsWith('/runs/')) return 'runs';
  return (Object.entries(PAGE_PATHS) as [PageId, string][]).find(([, p]) => p === path)?.[0];
}

export function App() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={THEME}>
      <Shell />
    </ConfigProvider>
  );
}

function Shell() {
  const { t } = useI18n();
  const me = useQuery(meQuery);
  if (me.isPending) return <div className="bursar-signin"><Spin /></div>;
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) return <Suspense fallback={<div className="bursar-signin"><Spin /></div>}><SignIn /></Suspense>;
    return <Alert type="error" showIcon role="alert" title={t('error')} description={me.error.message} action={<Button onClick={() => void me.refetch()}>{t('retry')}</Button>} style={{ margin: 24 }} />;
  }
  return (
    <SessionContext.Provider value={me.data}>
      <Console me={me.data} />
    </SessionContext.Provider>
  );
}

function Console({ me }: { me: Me }) {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const queryClient = useQueryClient();
  const allowed = allowedPages(abilities(me));
  const page = pageOf(route.path);
  const signOut = useMutation({
    // Hosted UI (AWS): forget the tokens and end the Cognito session; locally: end the cookie session.
    mutationFn: () => (authConfig().auth === 'cognito' ? signOutHosted() : del('/session')),
    onSettled: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      window.history.replaceState(null, '', '#/');
      await queryClient.refetchQueries({ queryKey: ['me'] });
    },
  });

  // Land on the first page the roles allow (the overview, or Users for an administrator).
  useEffect(() => {
    if (route.path === '/' && !allowed.includes('overview') && allowed[0]) navigate(PAGE_PATHS[allowed[0]], undefined, { replace: true });
  }, [route.path, allowed]);

  const Page = page && allowed.includes(page) ? pages[page] : undefined;
  return (
    <Layout style={{ minHeight: '100%' }}>
      <header className="bursar-header">
        <span className="brand">{t('appName')}</span>
        <Typography.Text type="secondary" className="num">{t('policy')}</Typography.Text>
        <span className="spacer" />
        <Space size={8} wrap aria-label={t('roles')}>
          <Typography.Text strong data-testid="me-username">{me.username}</Typography.Text>
          {me.roles.map((r) => <Tag key={r} color="blue">{t(`role_${r}`)}</Tag>)}
          {me.unit && <Typography.Text data-testid="me-unit">{unitLabel(me.unit, lang)}</Typography.Text>}
        </Space>
        <Button onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} aria-label={`${t('language')}: ${t('switchLanguage')}`} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
          {t('switchLanguage')}
        </Button>
        <Button onClick={() => signOut.mutate()} loading={signOut.isPending}>{t('signOut')}</Button>
      </header>
      <Layout>
        <Layout.Sider width={176} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
          {/* Plain links, not antd's Menu: nothing here needs a menu widget's keyboard model, and the
              overview's first render is cheaper without it. The current page is aria-current. */}
          <nav aria-label={t('mainNav')} className="bursar-nav">
            <ul>
              {allowed.map((id) => (
                <li key={id}><a href={href(PAGE_PATHS[id])} aria-current={page === id ? 'page' : undefined}>{t(`nav_${id}`)}</a></li>
              ))}
            </ul>
          </nav>
        </Layout.Sider>
        <Layout.Content className="bursar-content">
          <main>
            <Suspense fallback={<Spin />}>
              {Page ? <Page /> : allowed.length === 0 || page ? <Alert type="warning" showIcon title={t('forbidden')} /> : <Alert type="info" showIcon title={t('notFound')} />}
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
