/**
 * Every route of /api/v1, as API Gateway routes them in AWS (infra/constructs/api.ts). A test
 * checks it against the app's OpenAPI document, so the gateway and the app never disagree.
 * `local: true` routes exist only on the local host (sign-in with a password; AWS signs in
 * through Cognito). `public: true` routes need no token.
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  public?: boolean;
  local?: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/session', local: true },
  { method: 'DELETE', path: '/session', local: true },
  { method: 'GET', path: '/openapi.json', public: true },
  { method: 'GET', path: '/me' },
  { method: 'GET', path: '/envelopes' },
  { method: 'PUT', path: '/envelopes/{fiscal_year}/{measure}' },
  { method: 'GET', path: '/forecasts' },
  { method: 'GET', path: '/awards' },
  { method: 'GET', path: '/awards/{id}' },
  { method: 'POST', path: '/awards/{id}/cancel' },
  { method: 'POST', path: '/submissions' },
  { method: 'GET', path: '/runs' },
  { method: 'POST', path: '/runs' },
  { method: 'GET', path: '/runs/{id}' },
  { method: 'POST', path: '/runs/{id}/approve' },
  { method: 'POST', path: '/runs/{id}/export' },
  { method: 'GET', path: '/runs/{id}/files' },
  { method: 'GET', path: '/runs/{id}/files/{name}' },
  { method: 'POST', path: '/runs/{id}/settlement' },
  { method: 'POST', path: '/runs/{id}/reissue' },
  { method: 'POST', path: '/runs/{id}/release-failed' },
  { method: 'GET', path: '/runs/{id}/verify' },
  { method: 'GET', path: '/summary' },
  { method: 'POST', path: '/transfers' },
  { method: 'GET', path: '/holds' },
  { method: 'POST', path: '/holds/{id}/release' },
  { method: 'POST', path: '/holds/{id}/reject' },
  { method: 'GET', path: '/years' },
  { method: 'POST', path: '/years/{fiscal_year}/close' },
  { method: 'POST', path: '/years/{fiscal_year}/approve' },
  { method: 'GET', path: '/alerts' },
  { method: 'GET', path: '/reconciliations' },
  { method: 'GET', path: '/audit' },
  { method: 'GET', path: '/users' },
  { method: 'POST', path: '/users' },
  { method: 'POST', path: '/users/{username}/disable' },
  { method: 'POST', path: '/users/{username}/enable' },
];
