import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.ico': 'image/x-icon', '.webp': 'image/webp',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
  '.csv': 'text/csv; charset=utf-8', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * The console's built files (web/dist) at `/`. Vite's hashed files under /assets/ are immutable;
 * index.html is never cached (it names the current hashes). Any other GET outside /api that is not
 * a file gets index.html, so the console's client-side routes survive a reload.
 */
export function staticFiles(dir: string): MiddlewareHandler {
  const root = path.resolve(dir);
  return async (c, next) => {
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || c.req.path.startsWith('/api/') || c.req.path === '/api' || !existsSync(root)) return next();
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    const wanted = path.resolve(root, `.${rel}`);
    const inside = wanted === root || wanted.startsWith(root + path.sep);
    let file = inside ? wanted : path.join(root, 'index.html');
    let isFile = inside && (await stat(file).then((s) => s.isFile(), () => false));
    if (!isFile) {
      file = path.join(root, 'index.html');
      isFile = await stat(file).then((s) => s.isFile(), () => false);
      if (!isFile) return next();
    }
    const body = await readFile(file);
    const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const immutable = file.startsWith(path.join(root, 'assets') + path.sep);
    const headers = { 'Content-Type': type, 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-store' };
    return c.req.method === 'HEAD' ? c.body(null, 200, headers) : c.body(new Uint8Array(body), 200, headers);
  };
}
