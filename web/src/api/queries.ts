/**
 * The queries more than one place starts: the page that shows the data, and main.tsx, which starts
 * the landing page's before the first render (app/landing.ts). One definition each, so a prefetch and
 * the page's own useQuery share the key and the request.
 */
import { queryOptions } from '@tanstack/react-query';
import { get } from './client.ts';
import type { Envelope, Forecasts, Me } from './types.ts';

export const meQuery = queryOptions({ queryKey: ['me'], queryFn: () => get<Me>('/me'), retry: false, staleTime: 60_000 });

export const envelopesQuery = (fy: number) => queryOptions({
  queryKey: ['envelopes', fy],
  queryFn: () => get<{ envelopes: Envelope[] }>(`/envelopes?fiscal_year=${fy}`),
});

/** Every year's envelopes: only which fiscal years exist (the year pickers). */
export const allEnvelopesQuery = queryOptions({
  queryKey: ['envelopes', 'all'], queryFn: () => get<{ envelopes: Envelope[] }>('/envelopes'), staleTime: 60_000, retry: false,
});

/** The exhaustion forecast (issue 15 §4): read after the figures, it never holds them up. */
export const forecastsQuery = (fy: number) => queryOptions({
  queryKey: ['forecasts', fy],
  queryFn: () => get<Forecasts>(`/forecasts?fiscal_year=${fy}`),
  staleTime: 60_000,
});
