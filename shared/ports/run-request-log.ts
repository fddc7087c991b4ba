import type { RunAction } from '../domain/queue-messages.ts';
import type { Run } from '../domain/run.ts';

/** Where an export put the payment files (paths or s3:// URIs). */
export interface ExportLocations {
  run_id: string;
  files: string[];
  manifest: string;
  signature?: string;
  reissue?: number;
}

export type RunRequestOutcome =
  | { ok: true; request_id: string; action: RunAction; run: Run; export?: ExportLocations; replayed?: boolean }
  | { ok: false; request_id: string; action: RunAction; error: { code: string; message: string }; replayed?: boolean };

/** A run request as handled: what it asked (fingerprint) and what came of it. */
export interface HandledRunRequest {
  request_id: string;
  fingerprint: string;
  outcome: RunRequestOutcome;
  at: string;
}

/** Remembers handled run requests, so a redelivered or repeated request is answered, not redone. */
export interface RunRequestLog {
  get(requestId: string): Promise<HandledRunRequest | undefined>;
  /** Keeps the first record for a request id; a later one is ignored. */
  record(entry: HandledRunRequest): Promise<void>;
}
