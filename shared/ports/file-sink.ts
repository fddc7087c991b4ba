import type { Writable } from 'node:stream';

/** A file once it is complete where it belongs. */
export interface WrittenFile {
  name: string;
  /** A local path or an s3:// URI. */
  location: string;
  bytes: number;
  /** Hex SHA-256 of the bytes written. */
  sha256: string;
}

/**
 * A file being written. Nothing is visible under its name until `commit` (so a failed export leaves
 * no half file behind); `abort` discards it.
 */
export interface FileWriter {
  readonly stream: Writable;
  commit(): Promise<WrittenFile>;
  abort(): Promise<void>;
}

/** Where exported files go: a local directory (CLI) or S3 (AWS). */
export interface FileSink {
  create(name: string, contentType: string): FileWriter;
}
