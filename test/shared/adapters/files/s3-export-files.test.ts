import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, expect, test } from '@jest/globals';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ExportFiles } from '../../../../shared/adapters/files/s3-export-files.ts';

const s3 = mockClient(S3Client);
const BUCKET = 'bursar-exports';
let objects: Map<string, Buffer>;
/** Keys the listing still shows but a read no longer finds (deleted in between). */
let gone: Set<string>;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manifest = (names: string[]) => Buffer.from(JSON.stringify({ files: names.map((name) => ({ name, bytes: 3, sha256: 'ab', rows: 1 })) }));
const put = (name: string, body: Buffer | string) => objects.set(`runs/RUN-2025-04/${name}`, Buffer.from(body));

beforeEach(() => {
  s3.reset();
  objects = new Map();
  gone = new Set();
  s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    const body = input.Bucket === BUCKET && !gone.has(input.Key) ? objects.get(input.Key) : undefined;
    if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    return { Body: Object.assign(Readable.from([body]), { transformToByteArray: async () => new Uint8Array(body) }), ContentLength: body.length };
  });
  // Two keys a page, so the listing must follow continuation tokens.
  s3.on(ListObjectsV2Command).callsFake(async (input: { Bucket: string; Prefix: string; ContinuationToken?: string }) => {
    const keys = [...objects.keys()].filter((k) => input.Bucket === BUCKET && k.startsWith(input.Prefix)).sort();
    const from = Number(input.ContinuationToken ?? 0);
    const page = keys.slice(from, from + 2);
    return { Contents: page.map((Key) => ({ Key })), KeyCount: page.length, IsTruncated: from + 2 < keys.length, ...(from + 2 < keys.length ? { NextContinuationToken: String(from + 2) } : {}) };
  });
});

test('lists the first export and every exported re-issue in order, as their manifests name them; opens only listed files', async () => {
  const files = new S3ExportFiles(new S3Client({ region: 'cn-north-1' }), BUCKET);
  expect(await files.list('RUN-2025-04')).toEqual([]); // nothing exported yet

  const first = manifest(['RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx']);
  const r1 = manifest(['RUN-2025-04-R1-payments.csv']);
  const r2 = manifest(['RUN-2025-04-R2-payments.csv']);
  const r10 = manifest(['RUN-2025-04-R10-payments.csv']);
  put('RUN-2025-04-manifest.json', first);
  put('RUN-2025-04-payments.csv', 'a,b');
  put('RUN-2025-04-R1-manifest.json', r1);
  put('RUN-2025-04-R1-payments.csv', 'a,b');
  put('RUN-2025-04-R10-manifest.json', r10); // sorts before R2 as text: listed after it, by number
  put('RUN-2025-04-R2-manifest.json', r2);
  put('RUN-2025-04-R2-payments.csv', 'c,d');
  put('RUN-2025-04-Rx-manifest.json', manifest(['RUN-2025-04-Rx-payments.csv'])); // not a re-issue's name
  put('stray.csv', 'not listed');

  expect((await files.list('RUN-2025-04')).map((f) => [f.name, f.bytes, f.sha256])).toEqual([
    ['RUN-2025-04-payments.csv', 3, 'ab'], ['RUN-2025-04-payments.xlsx', 3, 'ab'], ['RUN-2025-04-manifest.json', first.length, sha(first)],
    ['RUN-2025-04-R1-payments.csv', 3, 'ab'], ['RUN-2025-04-R1-manifest.json', r1.length, sha(r1)],
    ['RUN-2025-04-R2-payments.csv', 3, 'ab'], ['RUN-2025-04-R2-manifest.json', r2.length, sha(r2)],
    ['RUN-2025-04-R10-payments.csv', 3, 'ab'], ['RUN-2025-04-R10-manifest.json', r10.length, sha(r10)],
  ]);
  // Only the run's re-issue manifests are looked for: under its own prefix, every page.
  const listings = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
  expect(listings.every((i) => i.Bucket === BUCKET && i.Prefix === 'runs/RUN-2025-04/RUN-2025-04-R')).toBe(true);
  expect(listings.some((i) => i.ContinuationToken !== undefined)).toBe(true);

  const opened = await files.open('RUN-2025-04', 'RUN-2025-04-R2-payments.csv');
  expect(opened?.bytes).toBe(3);
  const chunks: Buffer[] = [];
  for await (const c of opened!.stream) chunks.push(Buffer.from(c as Buffer));
  expect(Buffer.concat(chunks).toString()).toBe('c,d');
  expect(await files.open('RUN-2025-04', 'stray.csv')).toBeUndefined();
  expect(await files.open('RUN-2025-04', 'RUN-2025-04-Rx-payments.csv')).toBeUndefined();
});

test('a re-issue manifest that is listed but gone is skipped; a run id that could leave its prefix is refused', async () => {
  const files = new S3ExportFiles(new S3Client({ region: 'cn-north-1' }), BUCKET);
  const first = manifest(['RUN-2025-04-payments.csv']);
  put('RUN-2025-04-manifest.json', first);
  put('RUN-2025-04-R1-manifest.json', manifest(['RUN-2025-04-R1-payments.csv']));
  gone.add('runs/RUN-2025-04/RUN-2025-04-R1-manifest.json');
  expect((await files.list('RUN-2025-04')).map((f) => f.name)).toEqual(['RUN-2025-04-payments.csv', 'RUN-2025-04-manifest.json']);
  await expect(files.list('../RUN-2025-04')).rejects.toThrow();
  expect(s3.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.Prefix?.includes('..'))).toEqual([]);
});
