import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { LocalExportFiles } from '../../../../shared/adapters/files/local-export-files.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('lists the files of the first export and of each exported re-issue, as their manifests name them; opens only listed files', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bursar-export-files-'));
  const files = new LocalExportFiles(root);
  expect(await files.list('RUN-2025-04')).toEqual([]); // nothing exported yet
  const dir = path.join(root, 'RUN-2025-04');
  mkdirSync(dir);
  const manifest = (names: string[]) => JSON.stringify({ files: names.map((name) => ({ name, bytes: 3, sha256: 'ab', rows: 1 })) });
  const first = manifest(['RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx']);
  const second = manifest(['RUN-2025-04-R1-payments.csv', 'RUN-2025-04-R1-payments.xlsx']);
  writeFileSync(path.join(dir, 'RUN-2025-04-manifest.json'), first);
  writeFileSync(path.join(dir, 'RUN-2025-04-R1-manifest.json'), second);
  writeFileSync(path.join(dir, 'RUN-2025-04-R1-payments.csv'), 'a,b');
  writeFileSync(path.join(dir, 'stray.csv'), 'not listed');
  expect((await files.list('RUN-2025-04')).map((f) => [f.name, f.sha256])).toEqual([
    ['RUN-2025-04-payments.csv', 'ab'], ['RUN-2025-04-payments.xlsx', 'ab'], ['RUN-2025-04-manifest.json', sha(first)],
    ['RUN-2025-04-R1-payments.csv', 'ab'], ['RUN-2025-04-R1-payments.xlsx', 'ab'], ['RUN-2025-04-R1-manifest.json', sha(second)],
  ]);
  expect((await files.open('RUN-2025-04', 'RUN-2025-04-R1-payments.csv'))?.bytes).toBe(3);
  expect(await files.open('RUN-2025-04', 'stray.csv')).toBeUndefined();
});
