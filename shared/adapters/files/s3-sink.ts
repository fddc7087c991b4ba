import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BursarError, TransientError } from '../../domain/errors.ts';
import type { FileSink, FileWriter, WrittenFile } from '../../ports/file-sink.ts';
import { HashingStream } from './hashing-stream.ts';
import { checkFileName } from './local-dir-sink.ts';

/**
 * Exported files in S3 (AWS). A file is streamed to Lambda's /tmp while it is generated (so a run of
 * any size never sits in memory), then uploaded in one PutObject with its SHA-256, which S3 checks
 * on arrival. Nothing appears in the bucket unless the whole file was written. The function's role
 * may only put objects (infra: allowPutObjects), which is all this needs.
 *
 * Never over another file (issue 13, finding 3): the upload is conditional (`If-None-Match: *`), so
 * S3 refuses it (412) when the key already holds an object, and the export fails with FILE_EXISTS,
 * writing nothing. The bucket's Object Lock (governance) keeps every version it ever held besides.
 */
export class S3Sink implements FileSink {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly tmpRoot: string = os.tmpdir(),
  ) {}

  create(name: string, contentType: string): FileWriter {
    checkFileName(name);
    const stream = new HashingStream();
    const tmpDir = mkdtemp(path.join(this.tmpRoot, 'bursar-export-'));
    const tmpPath = tmpDir.then((dir) => path.join(dir, name));
    const done = tmpPath.then((p) => pipeline(stream, createWriteStream(p)));
    done.catch(() => {}); // observed by commit/abort
    const key = `${this.prefix}${name}`;
    const cleanUp = async () => { await rm(await tmpDir, { recursive: true, force: true }); };
    return {
      stream,
      commit: async (): Promise<WrittenFile> => {
        try {
          if (!stream.writableEnded) stream.end();
          await done;
          const sha256 = stream.digest();
          await this.s3.send(new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            IfNoneMatch: '*',
            Body: createReadStream(await tmpPath),
            ContentLength: stream.bytes,
            ContentType: contentType,
            ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
            // No ServerSideEncryption here: the bucket's default (SSE-KMS with the Bursar key) applies;
            // naming 'aws:kms' without a key id would pick the AWS-managed aws/s3 key instead.
          })).catch((error: unknown) => { throw uploadRefusal(error, this.bucket, key); });
          return { name, location: `s3://${this.bucket}/${key}`, bytes: stream.bytes, sha256 };
        } finally {
          await cleanUp();
        }
      },
      abort: async (): Promise<void> => {
        stream.destroy();
        await done.catch(() => {});
        await cleanUp();
      },
    };
  }
}

/** S3's answers to a conditional upload, as Bursar's errors; anything else is passed on as it is. */
function uploadRefusal(error: unknown, bucket: string, key: string): unknown {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === 'PreconditionFailed' || status === 412) {
    return new BursarError('FILE_EXISTS', `s3://${bucket}/${key} already exists; nothing was written (an exported file is never replaced)`, {
      file: `s3://${bucket}/${key}`,
    }, { cause: error });
  }
  // Another write to the same key was in flight: S3 asks the caller to try again.
  if (e?.name === 'ConditionalRequestConflict' || status === 409) {
    return new TransientError(`s3://${bucket}/${key} was being written by another request; try again`, { cause: error });
  }
  return error;
}
