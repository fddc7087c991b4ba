/**
 * Gzipped size of the console's JavaScript for a set of pages, from Vite's build manifest: the
 * entry (index.html) and its static imports, plus each page module's chunk and its static imports.
 * Chunks a page loads only on demand (dynamic imports: the envelope chart, the budget form) are not
 * counted for it. `npx tsx scripts/console-size.ts` prints the sign-in + overview figure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../infra/paths.ts';

interface ManifestChunk { file: string; imports?: string[]; dynamicImports?: string[]; css?: string[] }
export const DIST = path.join(REPO_ROOT, 'web', 'dist');
export const SIGN_IN_AND_OVERVIEW = ['index.html', 'src/pages/SignIn.tsx', 'src/pages/Overview.tsx'];
export const JS_LIMIT_BYTES = 300 * 1024;

export interface ChunkSize { file: string; bytes: number; gzip: number }

export function consoleJsSize(entries: readonly string[] = SIGN_IN_AND_OVERVIEW, dist = DIST): { chunks: ChunkSize[]; gzip: number; bytes: number } {
  const manifest = JSON.parse(readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the build manifest (run npm run build:web)`);
    seen.add(key);
    for (const k of chunk.imports ?? []) visit(k);
  };
  for (const e of entries) visit(e);
  const chunks = [...seen].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js')).map((file) => {
    const content = readFileSync(path.join(dist, file));
    return { file, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
  }).sort((a, b) => b.gzip - a.gzip);
  return { chunks, gzip: chunks.reduce((n, c) => n + c.gzip, 0), bytes: chunks.reduce((n, c) => n + c.bytes, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { chunks, gzip } = consoleJsSize();
  for (const c of chunks) console.log(`${c.file.padEnd(48)} ${String(c.bytes).padStart(9)} B  ${(c.gzip / 1024).toFixed(1).padStart(7)} KB gz`);
  console.log(`sign-in + overview JavaScript: ${(gzip / 1024).toFixed(1)} KB gzipped (limit ${JS_LIMIT_BYTES / 1024} KB)`);
}
