/**
 * Prints each Lambda function's bundle size (minified ESM, bytes) from a synthesized cloud assembly.
 *
 *   npm run bundle-report                       synthesize in-process (no Docker, no credentials)
 *   npm run bundle-report -- --from cdk.out     read the assembly of an earlier `npx cdk synth`
 *   npm run bundle-report -- --report-only      print, but exit 0 even if a bundle is over the limit
 *   npm run bundle-report -- --limit-kb 300     change the limit (default 250 KiB = 256,000 bytes)
 *
 * Exits 1 when any bundle is over the limit (unless --report-only).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const DEFAULT_LIMIT_KB = 250;
const PLACEHOLDER_MARK = 'not implemented yet';

export interface BundleSize {
  /** POWERTOOLS_SERVICE_NAME, else the construct path, else the logical ID. */
  readonly name: string;
  readonly logicalId: string;
  readonly assetDir: string;
  readonly file: string;
  readonly bytes: number;
  /** The bundle is the placeholder handler (`throw new Error('not implemented yet')`). */
  readonly placeholder: boolean;
}

interface Template {
  Resources?: Record<string, {
    Type: string;
    Metadata?: Record<string, unknown>;
    Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
  }>;
}

function stackTemplates(assemblyDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.values(manifest.artifacts ?? {})
    .filter((a) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map((a) => path.join(assemblyDir, a.properties!.templateFile!));
}

function assetDirOf(assemblyDir: string, resource: NonNullable<Template['Resources']>[string]): string | undefined {
  const fromMetadata = resource.Metadata?.['aws:asset:path'];
  if (typeof fromMetadata === 'string') return path.join(assemblyDir, fromMetadata);
  const key = resource.Properties?.Code?.S3Key;
  const hash = typeof key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(key)?.[1] : undefined;
  return hash ? path.join(assemblyDir, `asset.${hash}`) : undefined;
}

function bundleFile(dir: string): string | undefined {
  for (const name of ['index.mjs', 'index.js']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return readdirSync(dir).map((f) => path.join(dir, f)).find((f) => statSync(f).isFile());
}

/** Sizes of every AWS::Lambda::Function bundle in a cloud assembly directory, largest first. */
export function bundleSizes(assemblyDir: string): BundleSize[] {
  const sizes: BundleSize[] = [];
  for (const templateFile of stackTemplates(assemblyDir)) {
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as Template;
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const assetDir = assetDirOf(assemblyDir, resource);
      if (!assetDir || !existsSync(assetDir)) continue; // inline code or an asset not staged here
      const file = bundleFile(assetDir);
      if (!file) continue;
      const bytes = statSync(file).size;
      const service = resource.Properties?.Environment?.Variables?.['POWERTOOLS_SERVICE_NAME'];
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      sizes.push({
        name: typeof service === 'string' ? service : typeof cdkPath === 'string' ? cdkPath : logicalId,
        logicalId,
        assetDir,
        file: path.basename(file),
        bytes,
        placeholder: bytes < 1024 && readFileSync(file, 'utf8').includes(PLACEHOLDER_MARK),
      });
    }
  }
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

export function formatReport(sizes: readonly BundleSize[], limitBytes: number): string {
  const rows = sizes.map((s) => [
    s.name,
    s.file,
    s.bytes.toLocaleString('en-US'),
    (s.bytes / 1024).toFixed(1),
    s.bytes > limitBytes ? 'OVER LIMIT' : s.placeholder ? 'ok (placeholder)' : 'ok',
  ]);
  const header = ['function', 'file', 'bytes', 'KiB', `limit ${(limitBytes / 1024).toFixed(0)} KiB`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Synthesizes the Bursar app (same tree and checks as `cdk synth`) into a temporary directory. */
async function synthesize(): Promise<{ dir: string; cleanup: () => void }> {
  const { App } = await import('aws-cdk-lib');
  const { buildBursarApp } = await import('../infra/build-app.ts');
  const { REPO_ROOT } = await import('../infra/paths.ts');
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const dir = mkdtempSync(path.join(tmpdir(), 'bursar-bundle-report-'));
  const app = new App({ outdir: dir, context: cdkJson.context ?? {} });
  buildBursarApp(app);
  app.synth();
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'report-only': { type: 'boolean', default: false },
      'limit-kb': { type: 'string', default: String(DEFAULT_LIMIT_KB) },
    },
  });
  const limitKb = Number(values['limit-kb']);
  if (!Number.isFinite(limitKb) || limitKb <= 0) throw new Error(`--limit-kb must be a positive number, got ${values['limit-kb']}`);
  const limitBytes = Math.round(limitKb * 1024);

  const assembly = values.from
    ? { dir: path.resolve(values.from), cleanup: () => {} }
    : await synthesize();
  try {
    const sizes = bundleSizes(assembly.dir);
    if (sizes.length === 0) throw new Error(`no Lambda bundles found in ${assembly.dir}`);
    console.log(formatReport(sizes, limitBytes));
    const over = sizes.filter((s) => s.bytes > limitBytes);
    if (over.length > 0) {
      console.log(`\n${over.length} bundle(s) over ${limitKb} KiB: ${over.map((s) => s.name).join(', ')}`);
      return values['report-only'] ? 0 : 1;
    }
    return 0;
  } finally {
    assembly.cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
