#!/usr/bin/env node
// Runs the CLI bundle that `npm ci` built (npm's prepare script: scripts/build-cli.mjs) when it is
// fresh, i.e. no source it was built from changed since; otherwise runs the TypeScript sources
// through tsx's loader, slower to start but never stale. `npm run build` refreshes the bundle.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from './bundle-freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = process.env.BURSAR_NO_BUNDLE === '1' ? undefined : freshBundle(root);
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main.ts');
}
