import { createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileSink, FileWriter, WrittenFile } from '../../ports/file-sink.ts';
import { HashingStream } from './hashing-stream.ts';

/**
 * Exported files in a local directory (the CLI). Each file is written as `<name>.partial` and
 * renamed into place on commit, so a reader never sees half a payment file.
 */
export class LocalDirSink implements FileSink {
  constructor(private readonly dir: string) {}

  create(name: string): FileWriter {
    checkFileName(name);
    mkdirSync(this.dir, { recursive: true });
    const finalPath = path.resolve(this.dir, name);
    const partialPath = `${finalPath}.partial`;
    const stream = new HashingStream();
    const done = pipeline(stream, createWriteStream(partialPath));
    done.catch(() => {}); // observed by commit/abort
    return {
      stream,
      async commit(): Promise<WrittenFile> {
        if (!stream.writableEnded) stream.end();
        await done;
        await rename(partialPath, finalPath);
        return { name, location: finalPath, bytes: stream.bytes, sha256: stream.digest() };
      },
      async abort(): Promise<void> {
        stream.destroy();
        await done.catch(() => {});
        await rm(partialPath, { force: true });
      },
    };
  }
}

/** Names come from run ids; still, never let one climb out of its directory. */
export function checkFileName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new RangeError(`not a plain file name: ${JSON.stringify(name)}`);
}
