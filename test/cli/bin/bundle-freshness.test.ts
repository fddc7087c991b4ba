import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshBundle } from '../../../cli/bin/bundle-freshness.mjs';

/** A fake repository with a bundle built at `builtAt` from two sources (seconds since the epoch). */
function fakeRepo(builtAt: number, sourceTimes: [number, number]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'bursar-bin-'));
  mkdirSync(path.join(root, 'cli', 'dist'), { recursive: true });
  mkdirSync(path.join(root, 'shared'), { recursive: true });
  const sources = ['cli/main.ts', 'shared/money.ts'];
  sources.forEach((s, i) => {
    writeFileSync(path.join(root, s), '// source\n');
    utimesSync(path.join(root, s), sourceTimes[i]!, sourceTimes[i]!);
  });
  writeFileSync(path.join(root, 'cli/dist/bursar.inputs.json'), JSON.stringify({ inputs: sources }));
  writeFileSync(path.join(root, 'cli/dist/bursar.mjs'), '// bundle\n');
  utimesSync(path.join(root, 'cli/dist/bursar.mjs'), builtAt, builtAt);
  return root;
}

describe('freshBundle', () => {
  const roots: string[] = [];
  const repo = (builtAt: number, times: [number, number]) => {
    const root = fakeRepo(builtAt, times);
    roots.push(root);
    return root;
  };
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  test('uses the bundle when no source is newer than it', () => {
    const root = repo(2_000_000, [1_000_000, 2_000_000]);
    expect(freshBundle(root)).toBe(path.join(root, 'cli/dist/bursar.mjs'));
  });

  test('refuses the bundle once any source it was built from is edited after it', () => {
    expect(freshBundle(repo(2_000_000, [1_000_000, 2_000_001]))).toBeUndefined();
    expect(freshBundle(repo(2_000_000, [3_000_000, 1_000_000]))).toBeUndefined();
  });

  test('refuses the bundle when a source was removed, or the bundle or its inputs list is missing or broken', () => {
    const removed = repo(2_000_000, [1_000_000, 1_000_000]);
    rmSync(path.join(removed, 'shared/money.ts'));
    expect(freshBundle(removed)).toBeUndefined();

    const noBundle = repo(2_000_000, [1_000_000, 1_000_000]);
    rmSync(path.join(noBundle, 'cli/dist/bursar.mjs'));
    expect(freshBundle(noBundle)).toBeUndefined();

    const noList = repo(2_000_000, [1_000_000, 1_000_000]);
    rmSync(path.join(noList, 'cli/dist/bursar.inputs.json'));
    expect(freshBundle(noList)).toBeUndefined();

    const badList = repo(2_000_000, [1_000_000, 1_000_000]);
    writeFileSync(path.join(badList, 'cli/dist/bursar.inputs.json'), '{"inputs": []}');
    expect(freshBundle(badList)).toBeUndefined();
  });
});
