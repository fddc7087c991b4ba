/**
 * The console's sign-in configuration and the OAuth 2.0 authorization-code flow against the Cognito
 * hosted UI, as pure functions (no fetch, no storage): the runtime config's shape, the authorize,
 * token and logout requests, the callback's checks and the token response's parsing. The side
 * effects live in auth.ts.
 */

export interface LocalAuth {
  readonly auth: 'local';
}

export interface CognitoAuth {
  readonly auth: 'cognito';
  /** The hosted UI's host name, e.g. bursar.auth.ap-east-1.amazoncognito.com (no scheme). */
  readonly domain: string;
  readonly clientId: string;
  /** Where the hosted UI sends the browser back with ?code&state: one of the client's callback URLs. */
  readonly redirectUri: string;
  /** Where the hosted UI's /logout sends the browser: one of the client's sign-out URLs. */
  readonly logoutUri: string;
  readonly scopes: readonly string[];
}

export type AuthConfig = LocalAuth | CognitoAuth;

export class OAuthError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'OAuthError';
  }
}

const text = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || !value.trim()) throw new OAuthError('BAD_CONFIG', `config.json: ${field} must be a non-empty string`);
  return value.trim();
};

const httpsUrl = (value: unknown, field: string): string => {
  const s = text(value, field);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new OAuthError('BAD_CONFIG', `config.json: ${field} is not a URL: ${s}`);
  }
  // http only for a loopback address (the e2e test's fake hosted UI); everything else is https.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname))) {
    throw new OAuthError('BAD_CONFIG', `config.json: ${field} must be an https URL: ${s}`);
  }
  return s;
};

/** The config the console fetches at start (/config.json). Anything but `"auth": "cognito"` is the local password sign-in. */
export function parseAuthConfig(json: unknown): AuthConfig {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  if (o['auth'] !== 'cognito') return { auth: 'local' };
  const domain = text(o['domain'], 'domain');
  const scopes = o['scopes'] ?? ['openid', 'email', 'profile'];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && /^\S+$/.test(s)) || !scopes.includes('openid')) {
    throw new OAuthError('BAD_CONFIG', 'config.json: scopes must be a list of scope names including openid');
  }
  return {
    auth: 'cognito',
    // The domain is a host name; a scheme in it would be a configuration slip, so accept and drop it.
    domain: domain.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    clientId: text(o['clientId'], 'clientId'),
    redirectUri: httpsUrl(o['redirectUri'], 'redirectUri'),
    logoutUri: httpsUrl(o['logoutUri'] ?? o['redirectUri'], 'logoutUri'),
    scopes: scopes as string[],
  };
}

/** The hosted UI's base URL; http only for a loopback fake (tests), https otherwise. */
export function authBase(config: CognitoAuth): string {
  return /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(config.domain) ? `http://${config.domain}` : `https://${config.domain}`;
}

export function authorizeUrl(config: CognitoAuth, p: { state: string; codeChallenge: string }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    state: p.state,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
  });
  return `${authBase(config)}/oauth2/authorize?${q.toString()}`;
}

export const tokenUrl = (config: CognitoAuth): string => `${authBase(config)}/oauth2/token`;

/** The form body exchanging the code (application/x-www-form-urlencoded; a public client: no secret). */
export function codeExchangeBody(config: CognitoAuth, code: string, codeVerifier: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, redirect_uri: config.redirectUri, code_verifier: codeVerifier });
}

export function refreshBody(config: CognitoAuth, refreshToken: string): URLSearchParams {
  return new URLSearchParams({ grant_type: 'refresh_token', client_id: config.clientId, refresh_token: refreshToken });
}

export function logoutUrl(config: CognitoAuth): string {
  return `${authBase(config)}/logout?${new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUri }).toString()}`;
}

/**
 * What the hosted UI's redirect carries: `null` when the URL is not a callback at all, the code when
 * `state` matches the one this tab sent, an OAuthError otherwise (an `error` from the hosted UI, a
 * missing or foreign state: a callback this tab did not start is refused, RFC 6749 §10.12).
 */
export function callbackCode(search: string, expectedState: string | null): { code: string } | null {
  const q = new URLSearchParams(search);
  const code = q.get('code');
  const error = q.get('error');
  if (!code && !error) return null;
  const state = q.get('state');
  if (!expectedState || state !== expectedState) throw new OAuthError('STATE_MISMATCH', 'the sign-in response does not belong to this browser tab (state mismatch); sign in again');
  if (error) throw new OAuthError(error.toUpperCase(), q.get('error_description') ?? error);
  return { code: code! };
}

export interface Tokens {
  /** Sent as the bearer token: API Gateway's JWT authorizer takes the console client's ID tokens (they carry custom:unit). */
  readonly idToken: string;
  readonly accessToken: string;
  /** Only the code exchange returns one; a refresh keeps the previous one. */
  readonly refreshToken?: string;
  /** Epoch ms at which the tokens expire (from expires_in, counted from when the response arrived). */
  readonly expiresAt: number;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** A /oauth2/token answer (RFC 6749 §5.1/§5.2): the tokens, or an OAuthError naming what is wrong. */
export function parseTokenResponse(status: number, json: unknown, now: number, previousRefreshToken?: string): Tokens {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  if (status !== 200 || typeof o['error'] === 'string') {
    const code = typeof o['error'] === 'string' ? o['error'] : `HTTP_${status}`;
    throw new OAuthError(code.toUpperCase(), typeof o['error_description'] === 'string' ? o['error_description'] : `the token endpoint answered ${status} ${code}`);
  }
  const idToken = o['id_token'];
  const accessToken = o['access_token'];
  const expiresIn = o['expires_in'];
  if (typeof idToken !== 'string' || !JWT.test(idToken)) throw new OAuthError('BAD_TOKEN_RESPONSE', 'the token response has no id_token (is the openid scope allowed?)');
  if (typeof accessToken !== 'string' || !accessToken) throw new OAuthError('BAD_TOKEN_RESPONSE', 'the token response has no access_token');
  if (o['token_type'] !== undefined && String(o['token_type']).toLowerCase() !== 'bearer') throw new OAuthError('BAD_TOKEN_RESPONSE', `unexpected token_type ${String(o['token_type'])}`);
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0) throw new OAuthError('BAD_TOKEN_RESPONSE', 'the token response has no positive integer expires_in');
  const refreshToken = typeof o['refresh_token'] === 'string' && o['refresh_token'] ? o['refresh_token'] : previousRefreshToken;
  return { idToken, accessToken, ...(refreshToken ? { refreshToken } : {}), expiresAt: now + expiresIn * 1000 };
}

/** When to refresh: a minute before expiry (halfway for tokens with two minutes or less left), never in the past. */
export function refreshDelay(tokens: Tokens, now: number): number {
  const left = tokens.expiresAt - now;
  return Math.max(0, left > 120_000 ? left - 60_000 : left / 2);
}
