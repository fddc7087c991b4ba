import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client.ts';
import { I18nProvider, storedLang } from './app/i18n.tsx';
import { App } from './app/App.tsx';
import { authConfig, startAuth } from './app/auth.ts';
import { prefetchLandingData, preloadLandingCode } from './app/landing.ts';
import { currentShanghaiYear } from './format/dates.ts';
import 'virtual:antd-landing.css';
import './app/app.css';

const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx is an answer, not a hiccup: do not retry it.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
  },
  queryCache: new QueryCache({
    onError: (error, query) => {
      // The session ended (idle, 12 h, or signed out elsewhere): ask who we are again -> sign-in page.
      if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== 'me') {
        void queryClient.invalidateQueries({ queryKey: ['me'] });
      }
    },
  }),
});

document.documentElement.lang = storedLang() === 'en' ? 'en' : 'zh-CN';

preloadLandingCode();
// A local session's requests carry its cookie and need nothing from /config.json: start them now.
const askedEarly = prefetchLandingData(queryClient);
// The first Intl.DateTimeFormat costs 50-80 ms (ICU's set-up); every page asks for the Shanghai year
// while rendering. Pay for it now, while the requests above are out and the main thread is waiting.
setTimeout(() => currentShanghaiYear(), 0);
const root = createRoot(document.getElementById('root')!);
// The sign-in mode comes from /config.json (and a hosted-UI redirect is finished) before anything
// else asks the API. Should it be the hosted UI after all (a stale cookie), the early answers go.
startAuth().then(
  () => {
    const local = authConfig().auth === 'local';
    if (askedEarly && !local) queryClient.removeQueries();
    if (!(askedEarly && local)) prefetchLandingData(queryClient);
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <I18nProvider>
            <App />
          </I18nProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  },
  (error: unknown) => root.render(<p role="alert" style={{ margin: 24 }}>控制台配置无法读取 / The console's configuration could not be read: {String((error as Error).message ?? error)}</p>),
);
