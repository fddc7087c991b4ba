import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client.ts';
import { I18nProvider, storedLang } from './app/i18n.tsx';
import { App } from './app/App.tsx';
import { startAuth } from './app/auth.ts';
import { prefetchLandingData, preloadLandingCode } from './app/landing.ts';
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
const root = createRoot(document.getElementById('root')!);
// The sign-in mode comes from /config.json (and a hosted-UI redirect is finished) before anything asks the API.
startAuth().then(
  () => (prefetchLandingData(queryClient), root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <App />
        </I18nProvider>
      </QueryClientProvider>
    </StrictMode>,
  )),
  (error: unknown) => root.render(<p role="alert" style={{ margin: 24 }}>控制台配置无法读取 / The console's configuration could not be read: {String((error as Error).message ?? error)}</p>),
);
