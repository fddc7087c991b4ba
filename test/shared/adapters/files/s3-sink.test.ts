import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { beforeEach, describe, expect, test } from '@jest/globals';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Sink } from '../../../../shared/adapters/files/s3-sink.ts';
import { writeText } from '../../../../shared/files/write-text.ts';

const s3 = mockClient(S3Client);
let tmp: string;
let uploaded: Map<string, Buffer>;

beforeEach(() => {
  s3.reset();
  uploaded = new Map();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bursar-s3-sink-test-'));
  s3.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: Readable }) => {
    const chunks: Buffer[] = [];
    for await (const chunk of input.Body) chunks.push(chunk as Buffer);
    uploaded.set(input.Key, Buffer.concat(chunks));
    return { ETag: '"e"' };
  });
});

describe('S3 sink', () => {
  test('uploads the whole file under the prefix with its SHA-256, and cleans up /tmp', async () => {
    const sink = new S3Sink(new S3Client({ region: 'cn-north-1' }), 'bursar-exports', 'runs/RUN-2025-04/', tmp);
    const file = sink.create('RUN-2025-04-payments.csv', 'text/csv; charset=utf-8');
    await writeText(file.stream, '\ufeffbatch_id,seq\r\n');
    await writeText(file.stream, 'B-1,1\r\n');
    const written = await file.commit();

    const body = Buffer.from('\ufeffbatch_id,seq\r\nB-1,1\r\n');
    const sha = createHash('sha256').update(body).digest();
    expect(written).toEqual({ name: 'RUN-2025-04-payments.csv', location: 's3://bursar-exports/runs/RUN-2025-04/RUN-2025-04-payments.csv', bytes: body.length, sha256: sha.toString('hex') });
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Bucket: 'bursar-exports', Key: 'runs/RUN-2025-04/RUN-2025-04-payments.csv', ContentLength: body.length,
      ContentType: 'text/csv; charset=utf-8', ChecksumSHA256: sha.toString('base64'),
      IfNoneMatch: '*', // conditional: S3 refuses to put it over an existing object (issue 13, finding 3)
    });
    expect(input.ServerSideEncryption).toBeUndefined(); // the bucket's own KMS key applies
    expect(uploaded.get('runs/RUN-2025-04/RUN-2025-04-payments.csv')).toEqual(body);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('an aborted file is never uploaded', async () => {
    const sink = new S3Sink(new S3Client({ region: 'cn-north-1' }), 'bursar-exports', 'runs/x/', tmp);
    const file = sink.create('half.csv', 'text/csv');
    await writeText(file.stream, 'partial');
    await file.abort();
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('refuses a file name that could leave its prefix', () => {
    const sink = new S3Sink(new S3Client({ region: 'cn-north-1' }), 'b', 'p/', tmp);
    expect(() => sink.create('../escape.csv', 'text/csv')).toThrow(RangeError);
  });

  test('an object already under the key: S3 answers 412 and the export is refused with FILE_EXISTS, /tmp cleaned up', async () => {
    const preconditionFailed = new S3ServiceException({
      name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 },
      message: 'At least one of the pre-conditions you specified did not hold',
    });
    s3.on(PutObjectCommand).rejects(preconditionFailed);
    const sink = new S3Sink(new S3Client({ region: 'cn-north-1' }), 'bursar-exports', 'runs/RUN-2025-04/', tmp);
    const file = sink.create('RUN-2025-04-payments.csv', 'text/csv');
    await writeText(file.stream, 'B-1,1\r\n');

    const refused = file.commit();

    await expect(refused).rejects.toMatchObject({
      code: 'FILE_EXISTS', message: expect.stringContaining('s3://bursar-exports/runs/RUN-2025-04/RUN-2025-04-payments.csv'), cause: preconditionFailed,
    });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.IfNoneMatch).toBe('*');
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a conflicting write in flight (409 ConditionalRequestConflict) is transient; other S3 errors pass through unchanged', async () => {
    const sink = new S3Sink(new S3Client({ region: 'cn-north-1' }), 'bursar-exports', 'runs/x/', tmp);
    s3.on(PutObjectCommand).rejectsOnce(new S3ServiceException({ name: 'ConditionalRequestConflict', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'conflict' }));
    const first = sink.create('a.csv', 'text/csv');
    await writeText(first.stream, 'x');
    await expect(first.commit()).rejects.toMatchObject({ code: 'TRANSIENT' });

    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' });
    s3.on(PutObjectCommand).rejects(denied);
    const second = sink.create('b.csv', 'text/csv');
    await writeText(second.stream, 'y');
    await expect(second.commit()).rejects.toBe(denied);
  });
});
