/**
 * Sign-in at run time: the console fetches /config.json at start. `{"auth":"local"}` (what the build
 * ships, and what `bursar serve` serves) keeps the password form (POST /api/v1/session, cookies +
 * CSRF). `{"auth":"cognito", ...}` (served by CloudFront in AWS, see infra/constructs/console.ts)
 * signs in through the Cognito hosted UI with the authorization code + PKCE: the verifier and state
 * wait in sessionStorage for the redirect back, the tokens live in this module's memory only (never
 * in localStorage), the API gets the ID token as `Authorization: Bearer`, and a timer refreshes it a
 * minute before it expires.
 */
import { setAuthorization } from '../api/client.ts';
import { randomToken, s256Challenge } from './pkce.ts';
import {
  authorizeUrl, callbackCode, codeExchangeBody, logoutUrl, OAuthError, parseAuthConfig, parseTokenResponse, refreshBody, refreshDelay, tokenUrl,
  type AuthConfig, type CognitoAuth, type Tokens,
} from './oauth.ts';

const PENDING = 'bursar.oauth.pending';

let config: AuthConfig = { auth: 'local' };
let tokens: Tokens | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<void> | null = null;
let startError: string | null = null;

export const authConfig = (): AuthConfig => config;
/** Why the last hosted-UI sign-in failed (shown on the sign-in page), if it did. */
export const signInError = (): string | null => startError;

async function loadConfig(): Promise<AuthConfig> {
  const response = await fetch('/config.json', { cache: 'no-store', headers: { Accept: 'application/json' } });
  // No config (an older build, a dev server): the local sign-in. A config that is there but wrong is an error.
  if (response.status === 404 || !(response.headers.get('content-type') ?? '').includes('json')) return { auth: 'local' };
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  return parseAuthConfig(await response.json());
}

async function postToken(c: CognitoAuth, body: URLSearchParams, previousRefresh?: string): Promise<Tokens> {
  const response = await fetch(tokenUrl(c), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, credentials: 'omit' });
  const json: unknown = await response.json().catch(() => undefined);
  return parseTokenResponse(response.status, json, Date.now(), previousRefresh);
}

function keep(next: Tokens): void {
  tokens = next;
  clearTimeout(refreshTimer);
  if (next.refreshToken) refreshTimer = setTimeout(() => void refresh(), refreshDelay(next, Date.now()));
}

/** Refreshes once at a time; on failure the tokens are dropped and the next API call answers 401 (-> sign-in). */
function refresh(): Promise<void> {
  if (config.auth !== 'cognito' || !tokens?.refreshToken) return Promise.resolve();
  const c = config;
  const refreshToken = tokens.refreshToken;
  refreshing ??= postToken(c, refreshBody(c, refreshToken), refreshToken)
    .then(keep, () => { tokens = null; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

async function bearer(): Promise<string | undefined> {
  if (tokens && tokens.expiresAt - Date.now() < 10_000) await refresh();
  if (refreshing) await refreshing;
  return tokens && tokens.expiresAt > Date.now() ? `Bearer ${tokens.idToken}` : undefined;
}

/**
 * Before the first render: read the config; in Cognito mode, finish a sign-in the hosted UI just
 * redirected back from (check the state, exchange the code with the verifier) and clean the URL.
 */
export async function startAuth(): Promise<void> {
  config = await loadConfig();
  if (config.auth !== 'cognito') return;
  setAuthorization(bearer);
  const pending = sessionStorage.getItem(PENDING);
  let expected: { state: string; verifier: string } | null = null;
  try {
    expected = pending ? (JSON.parse(pending) as { state: string; verifier: string }) : null;
  } catch {
    expected = null;
  }
  try {
    const callback = callbackCode(window.location.search, expected?.state ?? null);
    if (!callback) return;
    sessionStorage.removeItem(PENDING); // one use: a reloaded callback URL cannot be replayed
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash || '#/'}`);
    keep(await postToken(config, codeExchangeBody(config, callback.code, expected!.verifier)));
  } catch (e) {
    sessionStorage.removeItem(PENDING);
    window.history.replaceState(null, '', `${window.location.pathname}#/`);
    startError = e instanceof OAuthError || e instanceof Error ? e.message : String(e);
  }
}

/** To the hosted UI: a fresh verifier and state for this tab, then the authorize redirect. */
export async function beginSignIn(): Promise<void> {
  if (config.auth !== 'cognito') throw new Error('the hosted UI sign-in needs {"auth":"cognito"} in /config.json');
  const state = randomToken();
  const verifier = randomToken();
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier }));
  window.location.assign(authorizeUrl(config, { state, codeChallenge: await s256Challenge(verifier) }));
}

/** Cognito: forget the tokens and end the hosted UI's session (/logout); never resolves, the page leaves. */
export function signOutHosted(): Promise<never> {
  if (config.auth !== 'cognito') throw new Error('not signed in through the hosted UI');
  tokens = null;
  clearTimeout(refreshTimer);
  window.location.assign(logoutUrl(config));
  return new Promise<never>(() => {});
}
