import { buildSync } from 'esbuild';
import { readdirSync } from 'node:fs';

/**
 * Each function's minified bundle, built with the options the CDK stack gives NodejsFunction (ESM,
 * minified, AWS SDK from the runtime). `npm run bundle-report` measures the synthesized assets
 * themselves; this is the quick in-process equivalent the bench reports.
 */
export function esbuildBundleSizes(): { function: string; bytes: number }[] {
  return readdirSync('functions').sort().map((name) => {
    const result = buildSync({
      entryPoints: [`functions/${name}/handler.ts`], bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node22',
      external: ['@aws-sdk/*'], write: false, logLevel: 'error',
    });
    return { function: name, bytes: result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0) };
  });
}
