import { randomBytes } from 'node:crypto';
import { constants, lstatSync, mkdirSync } from 'node:fs';
import { link, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BursarError } from '../../domain/errors.ts';
import type { FileSink, FileWriter, WrittenFile } from '../../ports/file-sink.ts';
import { HashingStream } from './hashing-stream.ts';

export interface LocalFileOptions {
  /** Replace a file already at the name (`--force`). Without it such a file refuses the write. */
  overwrite?: boolean;
}

/**
 * Exported files in a local directory (the CLI). Payment files hold full account numbers, so (issue
 * 13, finding 11) each is private to its owner (mode 0600), never written through a symlink, and
 * never replaces an existing file unless asked; see `createLocalFile`.
 */
export class LocalDirSink implements FileSink {
  constructor(private readonly dir: string, private readonly options: LocalFileOptions = {}) {}

  create(name: string): FileWriter {
    checkFileName(name);
    mkdirSync(this.dir, { recursive: true });
    return createLocalFile(path.resolve(this.dir, name), this.options);
  }
}

/**
 * One local file, written safely:
 * - refused up front with FILE_EXISTS when something (a file, a symlink, anything) is already at the
 *   name and `overwrite` is off, so a refused export writes nothing;
 * - written to a fresh temporary name in the same directory, created exclusively with O_NOFOLLOW and
 *   mode 0600 (a symlink planted at the temporary name fails the open, it is never followed), and
 *   opened only on the first write, so a writer that is never written leaves nothing behind;
 * - synced, then put in place atomically: without `overwrite` by link(2), which fails if the name
 *   was taken meanwhile; with it by rename(2), which replaces a symlink at the name, never its
 *   target. Readers never see half a file.
 */
export function createLocalFile(finalPath: string, options: LocalFileOptions = {}): FileWriter {
  const name = path.basename(finalPath);
  if (!options.overwrite && existsNoFollow(finalPath)) throw fileExists(finalPath);
  const tempPath = path.join(path.dirname(finalPath), `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const stream = new HashingStream();
  const file = new PrivateFileStream(tempPath);
  const done = pipeline(stream, file);
  done.catch(() => {}); // observed by commit/abort
  return {
    stream,
    async commit(): Promise<WrittenFile> {
      if (!stream.writableEnded) stream.end();
      try {
        await done;
        if (options.overwrite) {
          await rename(tempPath, finalPath);
        } else {
          try {
            await link(tempPath, finalPath);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw fileExists(finalPath);
            throw error;
          }
          await rm(tempPath, { force: true });
        }
      } catch (error) {
        await rm(tempPath, { force: true });
        throw error;
      }
      return { name, location: finalPath, bytes: stream.bytes, sha256: stream.digest() };
    },
    async abort(): Promise<void> {
      stream.destroy();
      await done.catch(() => {});
      await rm(tempPath, { force: true });
    },
  };
}

/** Names come from run ids; still, never let one climb out of its directory. */
export function checkFileName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new RangeError(`not a plain file name: ${JSON.stringify(name)}`);
}

function existsNoFollow(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
}

function fileExists(file: string): BursarError {
  return new BursarError('FILE_EXISTS', `${file} already exists; nothing was written (use --force to replace it)`, { file });
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A file created (exclusively, mode 0600, not through a symlink) on the first write or at end. */
class PrivateFileStream extends Writable {
  private handle: FileHandle | undefined;

  constructor(private readonly file: string) {
    super();
  }

  private async opened(): Promise<FileHandle> {
    this.handle ??= await open(this.file, CREATE_FLAGS, 0o600);
    return this.handle;
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    const handle = await this.opened();
    for (let offset = 0; offset < bytes.length;) offset += (await handle.write(bytes, offset)).bytesWritten;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll(chunk).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(Buffer.concat(chunks.map((c) => c.chunk))).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      const handle = await this.opened();
      await handle.sync(); // on disk before it is renamed into place
      await handle.close();
      this.handle = undefined;
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return callback(error);
    handle.close().then(() => callback(error), () => callback(error));
  }
}
