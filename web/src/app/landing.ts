/**
 * The overview is the landing page; left to React it loads in series: the app's code, then
 * /config.json, then /me, then the overview's chunk, and only then the envelopes. Here the chunk
 * starts loading with the app (index.html also preloads it, see vite.config.ts), and once the
 * sign-in mode is known (or at once, with a local session's cookie) the session and the envelopes
 * are asked for together. The page's own useQuery then picks up the requests already in flight
 * (same query definitions, api/queries.ts).
 * Nothing here decides what anyone may see: the API answers each request for the signed-in user.
 */
import type { QueryClient } from '@tanstack/react-query';
import { csrfToken, usesBearer } from '../api/client.ts';
import { envelopesQuery, meQuery } from '../api/queries.ts';
import { currentShanghaiYear } from '../format/dates.ts';

function landingRoute(): { overview: boolean; fy: number } {
  const [path = '/', search = ''] = (window.location.hash.replace(/^#/, '') || '/').split('?');
  return { overview: path === '/', fy: Number(new URLSearchParams(search).get('fy')) || currentShanghaiYear() };
}

/** At start, before anything else: the overview's code, in parallel with reading the configuration. */
export function preloadLandingCode(): void {
  if (landingRoute().overview) void import('../pages/Overview.tsx');
}

/**
 * The session and the figures, asked for together. Only when a session looks likely (the local
 * session's CSRF cookie, or a hosted-UI token): a signed-out visitor should not get 401s. Called
 * twice: at start, when a local session's cookie is there (its requests need nothing from
 * /config.json, so they need not wait for it), and once the sign-in mode is known. Returns whether
 * it asked.
 */
export function prefetchLandingData(client: QueryClient): boolean {
  if (!csrfToken() && !usesBearer()) return false;
  void client.prefetchQuery(meQuery);
  const { overview, fy } = landingRoute();
  // Only the figures: the year picker's list of years comes when the page asks, not in their way.
  if (overview) void client.prefetchQuery(envelopesQuery(fy));
  return true;
}
