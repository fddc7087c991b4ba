#!/usr/bin/env node
/**
 * Builds the `bursar` CLI once into cli/dist/bursar.mjs (ESM, dependencies bundled, lazily loaded
 * parts in cli/dist/chunks/), so a command starts in well under a second instead of transpiling
 * TypeScript with tsx at every start.
 * Runs as npm's `prepare` script (so `npm ci` builds it) and before `npm test`.
 *
 * Beside the bundle it writes cli/dist/bursar.inputs.json: the repository's source files the bundle
 * was built from. cli/bin/bursar.mjs uses the bundle only while none of them is newer than it, and
 * otherwise runs the sources through tsx, so an edited source is never run stale.
 *
 * Plain JavaScript on purpose: it must run from `npm ci` before anything else exists.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'cli', 'dist');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Installed without devDependencies: the bin falls back to tsx, or fails clearly if that is missing too.
  process.stderr.write('build-cli: esbuild is not installed; skipping the CLI bundle\n');
  process.exit(0);
}

mkdirSync(path.join(outDir, 'chunks'), { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { bursar: 'cli/main.ts' },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  // What a command loads with `await import(...)` (the store and the AWS SDK, the intake handler,
  // CSV and XLSX writers, zod schemas) goes into chunks of its own, read only when that command
  // runs: `bursar --help` reads the entry and the few chunks it imports.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled (not external) dependencies start faster: a few files to read instead of hundreds of
  // module resolutions (measured: about 0.5 s against 0.8 s for `bursar --help`).
  packages: 'bundle',
  // CommonJS dependencies inside an ESM bundle need a real `require`.
  banner: { js: "import { createRequire as __bursarCreateRequire } from 'node:module'; const require = __bursarCreateRequire(import.meta.url);" },
  metafile: true,
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
});

// Chunks first (content-hashed names: a new build never changes a chunk a running CLI may still
// load), then the entry under a temporary name renamed into place, so a CLI starting meanwhile
// sees the old build or the new one, never half of one.
const entry = path.join(outDir, 'bursar.mjs');
const written = new Set();
for (const file of result.outputFiles) {
  written.add(file.path);
  if (file.path !== entry) writeFileSync(file.path, file.contents);
}
const inputs = Object.keys(result.metafile.inputs)
  .filter((file) => !file.includes('node_modules/') && !file.startsWith('<'))
  .sort();
const tmp = `.tmp-${process.pid}`;
writeFileSync(path.join(outDir, `bursar.inputs${tmp}.json`), `${JSON.stringify({ inputs }, null, 1)}\n`);
renameSync(path.join(outDir, `bursar.inputs${tmp}.json`), path.join(outDir, 'bursar.inputs.json'));
// The entry last: its mtime is what the bin compares the inputs with.
writeFileSync(`${entry}${tmp}`, result.outputFiles.find((f) => f.path === entry).contents);
renameSync(`${entry}${tmp}`, entry);

// Chunks of earlier builds: removed once no CLI started from them can still be loading them.
for (const name of readdirSync(path.join(outDir, 'chunks'))) {
  const file = path.join(outDir, 'chunks', name);
  if (!written.has(file) && Date.now() - statSync(file).mtimeMs > 10 * 60_000) rmSync(file, { force: true });
}
process.stderr.write(`build-cli: cli/dist/bursar.mjs (+${written.size - 1} chunks) from ${inputs.length} source files\n`);
