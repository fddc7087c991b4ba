import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { paymentFileNames } from '../../domain/payment-file.ts';
import type { ExportedFile, ExportFiles } from '../../ports/run-operations.ts';
import { checkFileName, LocalDirSink } from './local-dir-sink.ts';

/**
 * Exports of the local server: `<root>/<run_id>/`, written by the same LocalDirSink the CLI uses.
 * The listing comes from the manifest (names, bytes, SHA-256 as exported) plus the manifest itself.
 */
export class LocalExportFiles implements ExportFiles {
  constructor(private readonly root: string) {}

  dirOf(runId: string): string {
    checkFileName(runId);
    return path.join(this.root, runId);
  }

  sinkFor(runId: string): LocalDirSink {
    return new LocalDirSink(this.dirOf(runId));
  }

  async list(runId: string): Promise<ExportedFile[]> {
    const manifestName = paymentFileNames(runId).manifest;
    let text: Buffer;
    try {
      text = await readFile(path.join(this.dirOf(runId), manifestName));
    } catch {
      return [];
    }
    const manifest = JSON.parse(text.toString('utf8')) as { files: ExportedFile[] };
    return [
      ...manifest.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
      { name: manifestName, bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') },
    ];
  }

  async open(runId: string, name: string) {
    const listed = (await this.list(runId)).find((f) => f.name === name);
    if (!listed) return undefined;
    const file = path.join(this.dirOf(runId), name);
    const info = await stat(file);
    return { stream: createReadStream(file), bytes: info.size };
  }
}
