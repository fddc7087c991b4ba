import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
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

  /** The files of the first export and of every exported re-issue (`RUN-…-R<n>-…`), as their manifests list them. */
  async list(runId: string): Promise<ExportedFile[]> {
    let names: string[];
    try {
      names = await readdir(this.dirOf(runId));
    } catch {
      return [];
    }
    const reissues = names.map((n) => /^.+-R(\d+)-manifest\.json$/.exec(n)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
    const manifests = [paymentFileNames(runId).manifest, ...reissues.map((n) => paymentFileNames(`${runId}-R${n}`).manifest)];
    const out: ExportedFile[] = [];
    for (const manifestName of manifests) {
      if (!names.includes(manifestName)) continue;
      const text = await readFile(path.join(this.dirOf(runId), manifestName));
      const manifest = JSON.parse(text.toString('utf8')) as { files: ExportedFile[] };
      out.push(
        ...manifest.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
        { name: manifestName, bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') },
      );
    }
    return out;
  }

  async open(runId: string, name: string) {
    const listed = (await this.list(runId)).find((f) => f.name === name);
    if (!listed) return undefined;
    const file = path.join(this.dirOf(runId), name);
    const info = await stat(file);
    return { stream: createReadStream(file), bytes: info.size };
  }
}
