/**
 * The year-end close (年终结转, issue 15 §3) through the API: the years' status, a clerk's proposal
 * and a reviewer's approval. Both writes are idempotent on the server (a repeated proposal keeps
 * the first proposer and answers `changed: false` when the plan is unchanged; an approval after
 * the close answers `changed: false` and writes nothing), so a retry after a lost reply is safe.
 */
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { get, post } from './client.ts';
import type { YearCloseApproval, YearCloseProposal, YearsStatus } from './types.ts';

export const yearsQuery = queryOptions({ queryKey: ['years'], queryFn: () => get<YearsStatus>('/years'), staleTime: 30_000 });

export const proposeYearClose = (fy: number) => post<YearCloseProposal>(`/years/${fy}/close`);
export const approveYearClose = (fy: number) => post<YearCloseApproval>(`/years/${fy}/approve`);

/**
 * After a close or an approval: the years, and everything whose figures a close moves (both years'
 * envelopes and forecasts on the overview, the summary, the awards that were carried, the alerts).
 */
export function refreshAfterClose(client: QueryClient): Promise<unknown> {
  return Promise.all(['years', 'envelopes', 'forecasts', 'summary', 'awards', 'award', 'waitlist', 'commitments'].map((k) => client.invalidateQueries({ queryKey: [k] })));
}
