import {
  authorizeUrl, callbackCode, codeExchangeBody, logoutUrl, OAuthError, parseAuthConfig, parseTokenResponse, refreshBody, refreshDelay, tokenUrl,
  type CognitoAuth,
} from '../../../../web/src/app/oauth.ts';

const CONFIG = {
  auth: 'cognito', domain: 'bursar.auth.ap-east-1.amazoncognito.com', clientId: '1example23456789',
  redirectUri: 'https://console.bursar.example.cn/', logoutUri: 'https://console.bursar.example.cn/', scopes: ['openid', 'email', 'profile'],
} as const;
const cognito = parseAuthConfig(CONFIG) as CognitoAuth;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('the runtime config (/config.json)', () => {
  it('is the local password sign-in unless it says cognito', () => {
    expect(parseAuthConfig({ auth: 'local' })).toEqual({ auth: 'local' });
    expect(parseAuthConfig(undefined)).toEqual({ auth: 'local' });
    expect(parseAuthConfig({})).toEqual({ auth: 'local' });
  });

  it('reads the hosted UI domain, client id, redirect and logout URIs and scopes', () => {
    expect(cognito).toEqual(CONFIG);
    expect(parseAuthConfig({ ...CONFIG, domain: 'https://bursar.auth.ap-east-1.amazoncognito.com/', scopes: undefined, logoutUri: undefined })).toEqual(CONFIG);
  });

  it('names the field that is wrong', () => {
    expect(() => parseAuthConfig({ ...CONFIG, clientId: '' })).toThrow(/clientId/);
    expect(() => parseAuthConfig({ ...CONFIG, domain: 42 })).toThrow(/domain/);
    expect(() => parseAuthConfig({ ...CONFIG, redirectUri: 'http://console.bursar.example.cn/' })).toThrow(/redirectUri must be an https URL/);
    expect(() => parseAuthConfig({ ...CONFIG, redirectUri: 'not a url' })).toThrow(/redirectUri is not a URL/);
    expect(() => parseAuthConfig({ ...CONFIG, scopes: ['email'] })).toThrow(/openid/);
    // http is allowed for a loopback address only (the e2e test's fake hosted UI).
    expect(parseAuthConfig({ ...CONFIG, redirectUri: 'http://127.0.0.1:4000/' })).toMatchObject({ redirectUri: 'http://127.0.0.1:4000/' });
  });
});

describe('the authorize redirect', () => {
  it('asks for a code with PKCE S256, the state, the client, its redirect URI and the scopes', () => {
    const url = new URL(authorizeUrl(cognito, { state: 'st4te', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' }));
    expect(url.origin + url.pathname).toBe('https://bursar.auth.ap-east-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code', client_id: '1example23456789', redirect_uri: 'https://console.bursar.example.cn/', scope: 'openid email profile',
      state: 'st4te', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
  });

  it('uses http only for a loopback fake', () => {
    const local = parseAuthConfig({ ...CONFIG, domain: '127.0.0.1:5001' }) as CognitoAuth;
    expect(authorizeUrl(local, { state: 's', codeChallenge: 'c' })).toMatch(/^http:\/\/127\.0\.0\.1:5001\/oauth2\/authorize\?/);
    expect(tokenUrl(cognito)).toBe('https://bursar.auth.ap-east-1.amazoncognito.com/oauth2/token');
  });
});

describe('the callback', () => {
  it('is not a callback without code or error', () => {
    expect(callbackCode('', 'abc')).toBeNull();
    expect(callbackCode('?fiscal_year=2025', null)).toBeNull();
  });

  it('gives the code when the state is the one this tab sent', () => {
    expect(callbackCode('?code=c0de&state=abc', 'abc')).toEqual({ code: 'c0de' });
  });

  it('refuses a state mismatch, a missing state, and a callback this tab never started', () => {
    for (const [search, expected] of [['?code=c0de&state=evil', 'abc'], ['?code=c0de', 'abc'], ['?code=c0de&state=abc', null]] as const) {
      let error: unknown;
      try {
        callbackCode(search, expected);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).code).toBe('STATE_MISMATCH');
    }
  });

  it('reports the hosted UI error (after checking the state)', () => {
    expect(() => callbackCode('?error=access_denied&error_description=User+is+disabled&state=abc', 'abc')).toThrow('User is disabled');
    expect(() => callbackCode('?error=access_denied&state=x', 'abc')).toThrow(/state mismatch/);
  });
});

describe('the token requests', () => {
  it('exchange the code with the verifier (form-encoded, public client: no secret)', () => {
    expect(Object.fromEntries(codeExchangeBody(cognito, 'c0de', 'v3rifier'))).toEqual({
      grant_type: 'authorization_code', client_id: '1example23456789', code: 'c0de', redirect_uri: 'https://console.bursar.example.cn/', code_verifier: 'v3rifier',
    });
    expect(Object.fromEntries(refreshBody(cognito, 'r3fresh'))).toEqual({ grant_type: 'refresh_token', client_id: '1example23456789', refresh_token: 'r3fresh' });
  });

  it('sign out through /logout with the client id and the logout URI', () => {
    const url = new URL(logoutUrl(cognito));
    expect(url.origin + url.pathname).toBe('https://bursar.auth.ap-east-1.amazoncognito.com/logout');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: '1example23456789', logout_uri: 'https://console.bursar.example.cn/' });
  });
});

describe('the token response', () => {
  const now = 1_700_000_000_000;

  it('gives the ID, access and refresh tokens and when they expire', () => {
    expect(parseTokenResponse(200, { id_token: JWT, access_token: JWT, refresh_token: 'r1', expires_in: 1800, token_type: 'Bearer' }, now))
      .toEqual({ idToken: JWT, accessToken: JWT, refreshToken: 'r1', expiresAt: now + 1_800_000 });
  });

  it('keeps the previous refresh token on a refresh (Cognito returns none then)', () => {
    expect(parseTokenResponse(200, { id_token: JWT, access_token: JWT, expires_in: 3600, token_type: 'Bearer' }, now, 'r1').refreshToken).toBe('r1');
  });

  it('turns an OAuth error answer into an OAuthError with its code', () => {
    let error: unknown;
    try {
      parseTokenResponse(400, { error: 'invalid_grant' }, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('INVALID_GRANT');
    expect(() => parseTokenResponse(502, undefined, now)).toThrow(/502/);
  });

  it('refuses an answer without an ID token, access token or expiry, or of another token type', () => {
    expect(() => parseTokenResponse(200, { access_token: JWT, expires_in: 60 }, now)).toThrow(/id_token/);
    expect(() => parseTokenResponse(200, { id_token: 'not-a-jwt', access_token: JWT, expires_in: 60 }, now)).toThrow(/id_token/);
    expect(() => parseTokenResponse(200, { id_token: JWT, expires_in: 60 }, now)).toThrow(/access_token/);
    expect(() => parseTokenResponse(200, { id_token: JWT, access_token: JWT }, now)).toThrow(/expires_in/);
    expect(() => parseTokenResponse(200, { id_token: JWT, access_token: JWT, expires_in: 60, token_type: 'mac' }, now)).toThrow(/token_type/);
  });

  it('is refreshed a minute before expiry (halfway for short-lived tokens), never in the past', () => {
    const tokens = parseTokenResponse(200, { id_token: JWT, access_token: JWT, refresh_token: 'r', expires_in: 1800 }, now);
    expect(refreshDelay(tokens, now)).toBe(1_740_000);
    expect(refreshDelay({ ...tokens, expiresAt: now + 121_000 }, now)).toBe(61_000);
    expect(refreshDelay({ ...tokens, expiresAt: now + 100_000 }, now)).toBe(50_000);
    expect(refreshDelay({ ...tokens, expiresAt: now - 5 }, now)).toBe(0);
  });
});
