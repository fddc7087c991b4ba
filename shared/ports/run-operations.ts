import type { Readable } from 'node:stream';
import type { Run } from './run-store.ts';

export interface ExportedFile {
  name: string;
  bytes: number;
  sha256: string;
}

/** A run's exported files where the export left them: a local directory, or S3 in AWS. */
export interface ExportFiles {
  /** The run's files, the manifest last; [] before the run is exported. */
  list(runId: string): Promise<ExportedFile[]>;
  /** One file's bytes, or undefined when the run has no such file. */
  open(runId: string, name: string): Promise<{ stream: Readable; bytes: number } | undefined>;
}

/**
 * The long-running run actions the API starts. Locally they run in the server process; in AWS they
 * go to the run-request queue. `prepare` answers at once (the run is prepared in the background);
 * `export` answers with the files when it ran in-process, or `queued` when it was handed on.
 */
export interface RunOperations {
  prepare(period: string, by: string): Promise<void>;
  export(runId: string, by: string): Promise<{ queued: false; run: Run; files: ExportedFile[] } | { queued: true }>;
  /** Resolves when background work started here has finished (graceful shutdown). */
  idle(): Promise<void>;
}
