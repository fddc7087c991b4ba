import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { paymentFileNames } from '../../domain/payment-file.ts';
import type { ExportedFile, ExportFiles } from '../../ports/run-operations.ts';
import { checkFileName } from './local-dir-sink.ts';

/**
 * Exports in S3 (`runs/<run_id>/`, where the run-request function's S3Sink puts them), read only.
 * Like LocalExportFiles, the listing is the first export's and every re-issue's (`RUN-…-R<n>-…`),
 * each as its manifest lists it, plus the manifest itself.
 */
export class S3ExportFiles implements ExportFiles {
  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  private async get(runId: string, name: string) {
    checkFileName(runId);
    checkFileName(name);
    try {
      return await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: `runs/${runId}/${name}` }));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async list(runId: string): Promise<ExportedFile[]> {
    const manifests = [paymentFileNames(runId).manifest, ...(await this.reissues(runId)).map((n) => paymentFileNames(`${runId}-R${n}`).manifest)];
    const out: ExportedFile[] = [];
    for (const manifestName of manifests) {
      const object = await this.get(runId, manifestName);
      if (!object?.Body) continue; // not exported (yet)
      const bytes = Buffer.from(await object.Body.transformToByteArray());
      const manifest = JSON.parse(bytes.toString('utf8')) as { files: ExportedFile[] };
      out.push(
        ...manifest.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
        { name: manifestName, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
      );
    }
    return out;
  }

  /** The numbers of the run's exported re-issues, ascending: the `<run_id>-R<n>-manifest.json` objects under its prefix. */
  private async reissues(runId: string): Promise<number[]> {
    checkFileName(runId);
    const prefix = `runs/${runId}/${runId}-R`;
    const found: number[] = [];
    for await (const page of paginateListObjectsV2({ client: this.s3 }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        const n = /^R(\d+)-manifest\.json$/.exec((o.Key ?? '').slice(prefix.length - 1))?.[1];
        if (n !== undefined) found.push(Number(n));
      }
    }
    return found.sort((a, b) => a - b);
  }

  /** One exported object's bytes (for `run verify`), or undefined when there is none. */
  async read(runId: string, name: string): Promise<Buffer | undefined> {
    const out = await this.get(runId, name);
    return out?.Body ? Buffer.from(await out.Body.transformToByteArray()) : undefined;
  }

  async open(runId: string, name: string) {
    if (!(await this.list(runId)).some((f) => f.name === name)) return undefined;
    const out = await this.get(runId, name);
    if (!out?.Body) return undefined;
    return { stream: out.Body as Readable, bytes: Number(out.ContentLength ?? 0) };
  }
}
