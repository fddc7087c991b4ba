import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freshBundle } from '../../../cli/bin/bundle-freshness.mjs';

const root = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(root, 'cli/bin/bursar.mjs');

function bursar(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The bundle npm's prepare script builds, and the bin that prefers it to the TypeScript sources. */
describe('the bursar bin and its bundle', () => {
  beforeAll(() => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-cli.mjs')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(build.status).toBe(0);
  }, 130_000);

  test('the build lists every source of the bundle, none from node_modules, and the bundle is fresh', () => {
    const { inputs } = JSON.parse(readFileSync(path.join(root, 'cli/dist/bursar.inputs.json'), 'utf8')) as { inputs: string[] };
    expect(inputs).toEqual(expect.arrayContaining(['cli/main.ts', 'cli/program.ts', 'cli/local/dynamo-local.ts']));
    expect(inputs.some((f) => f.includes('node_modules'))).toBe(false);
    expect(freshBundle(root)).toBe(path.join(root, 'cli/dist/bursar.mjs'));
  });

  test('start-up loads neither the AWS SDK nor the intake handler: commands load them when they run', () => {
    // Follow the entry's static imports through the chunks; esbuild marks each module with a path comment.
    const seen = new Set<string>();
    const visit = (file: string): string => {
      if (seen.has(file)) return '';
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      const statics = [...text.matchAll(/^import\s(?:[^;]*?\sfrom\s)?"(\.\.?\/[^"]+)";/gm)].map((m) => path.resolve(path.dirname(file), m[1]!));
      return text + statics.map(visit).join('');
    };
    const loadedAtStart = visit(path.join(root, 'cli/dist/bursar.mjs'));
    expect(loadedAtStart).toContain('// cli/program.ts');
    expect(seen.size).toBeGreaterThan(2); // the entry and the chunks it imports statically
    for (const lazy of ['node_modules/@aws-sdk/', 'node_modules/@smithy/', 'node_modules/zod/', 'cli/runtime.ts', 'cli/submit-awards.ts', 'functions/intake/']) {
      expect([lazy, loadedAtStart.includes(`// ${lazy}`) || loadedAtStart.includes(`/${lazy}`)]).toEqual([lazy, false]);
    }
  });

  test('the bundle and the sources (tsx) print the same help and refuse a bad command alike', () => {
    const fromBundle = bursar(['--help']);
    const fromSources = bursar(['--help'], { BURSAR_NO_BUNDLE: '1' });
    expect(fromBundle.code).toBe(0);
    expect(fromBundle.stdout).toContain('Usage: bursar');
    expect(fromBundle.stdout).toBe(fromSources.stdout);

    const bad = bursar(['--json', 'no-such-command']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error.code).toBe('USAGE');
    expect(bad.stdout).toBe(bursar(['--json', 'no-such-command'], { BURSAR_NO_BUNDLE: '1' }).stdout);
  }, 60_000);
});
