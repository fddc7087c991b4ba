/**
 * The one way the console talks to the API: same origin, cookies for the session, and the CSRF
 * double-submit header (the `bursar_csrf` cookie echoed as X-CSRF-Token) on every unsafe method.
 * Errors come back as ApiError carrying the API's `{"error": {"code", "message"}}`.
 * Signed in through the Cognito hosted UI (app/auth.ts), every call also carries the bearer token.
 */
export const API = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly body?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

export function csrfToken(): string {
  const match = /(?:^|;\s*)bursar_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1] ?? '') : '';
}

let authorization: () => Promise<string | undefined> = async () => undefined;
let bearerMode = false;

/** app/auth.ts sets this in Cognito mode: the `Authorization` header value for the next call. */
export function setAuthorization(provider: () => Promise<string | undefined>): void {
  authorization = provider;
  bearerMode = true;
}

/** Signed in with a bearer token (Cognito): a plain link to an API file carries no token. */
export const usesBearer = (): boolean => bearerMode;

/** A file the API serves (summary CSV/XLSX, payment files), fetched with the bearer token. */
export async function fetchFile(path: string): Promise<Blob> {
  const bearer = await authorization();
  const response = await fetch(`${API}${path}`, { headers: bearer ? { Authorization: bearer } : {}, credentials: 'same-origin' });
  if (!response.ok) throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
  return response.blob();
}

type Body = { json: unknown } | { csv: Blob | string } | undefined;

export async function request<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  const bearer = await authorization();
  if (bearer) headers['Authorization'] = bearer;
  let payload: BodyInit | undefined;
  if (body && 'json' in body) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body && 'csv' in body) {
    headers['Content-Type'] = 'text/csv';
    payload = body.csv;
  }
  const response = await fetch(`${API}${path}`, { method, headers, body: payload ?? null, credentials: 'same-origin' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, parsed);
  }
  return parsed as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, json: unknown = {}) => request<T>('POST', path, { json });
export const put = <T>(path: string, json: unknown) => request<T>('PUT', path, { json });
export const del = <T>(path: string) => request<T>('DELETE', path);
export const postCsv = <T>(path: string, csv: Blob | string) => request<T>('POST', path, { csv });

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
