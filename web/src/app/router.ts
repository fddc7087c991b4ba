/**
 * Hash routes (#/awards?status=RESERVED): the console is static files, so any path must load
 * index.html; with the route in the hash, neither S3/CloudFront nor `bursar serve` needs a fallback.
 */
import { useSyncExternalStore } from 'react';

export interface Route { path: string; params: URLSearchParams }

function read(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, read);
  const [path = '/', search = ''] = hash.split('?');
  return { path, params: new URLSearchParams(search) };
}

export function href(path: string, params?: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path: string, params?: Record<string, string | number | undefined | null>, { replace = false } = {}): void {
  const target = href(path, params);
  if (replace) window.history.replaceState(null, '', target);
  else window.location.hash = target.slice(1);
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}
