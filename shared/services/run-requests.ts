import { BursarError, TransientError } from '../domain/errors.ts';
import type { RunRequest } from '../domain/queue-messages.ts';
import { requestFingerprint } from '../domain/run-request.ts';
import type { FileSink } from '../ports/file-sink.ts';
import type { ManifestSigner } from '../ports/manifest-signer.ts';
import type { RunRequestLog, RunRequestOutcome } from '../ports/run-request-log.ts';
import { exportRun } from './export-run.ts';
import { prepareRun, type PrepareOptions, type RunDeps } from './prepare-run.ts';

export interface RunRequestDeps extends RunDeps {
  requests: RunRequestLog;
  /** Where a run's exported files go (S3 in AWS, a directory locally). */
  sinkFor: (runId: string) => FileSink;
  prepare?: PrepareOptions;
  /** Signs export manifests (the data dir's key locally, KMS in AWS). */
  signer?: ManifestSigner;
}

/**
 * Handle one run request, idempotently on its request_id: a request handled before (a redelivery,
 * or the API retrying) gets its first outcome back and nothing is done again; the same id with
 * different content is refused (REQUEST_ID_REUSED). Refusals (four eyes, not approved, bad period…)
 * are outcomes, recorded and acknowledged; transient failures throw, for the queue to retry, which
 * is safe because each action is itself idempotent (prepare resumes, export repeats). Approval is
never a request (see run-request.ts).
 */
export async function handleRunRequest(deps: RunRequestDeps, request: RunRequest): Promise<RunRequestOutcome> {
  const fingerprint = requestFingerprint(request);
  const handled = await deps.requests.get(request.request_id);
  if (handled) {
    if (handled.fingerprint !== fingerprint) {
      return refusal(request, new BursarError('REQUEST_ID_REUSED', `request ${request.request_id} was used before for a different request`));
    }
    return { ...handled.outcome, replayed: true };
  }

  let outcome: RunRequestOutcome;
  try {
    outcome = await perform(deps, request);
  } catch (error) {
    if (error instanceof TransientError || !(error instanceof BursarError)) throw error;
    outcome = refusal(request, error);
  }
  await deps.requests.record({ request_id: request.request_id, fingerprint, outcome, at: deps.clock.now() });
  return outcome;
}

async function perform(deps: RunRequestDeps, request: RunRequest): Promise<RunRequestOutcome> {
  const base = { ok: true as const, request_id: request.request_id, action: request.action };
  switch (request.action) {
    case 'prepare': {
      const { run } = await prepareRun(deps, { period: request.period, by: request.by }, deps.prepare);
      return { ...base, run };
    }
    case 'export': {
      const result = await exportRun({ runs: deps.runs, clock: deps.clock, sink: deps.sinkFor(request.run_id.trim()), ...(deps.signer ? { signer: deps.signer } : {}) }, { run_id: request.run_id });
      const run = await deps.runs.getRun(result.run_id);
      if (!run) throw new Error(`run ${result.run_id} vanished after export`);
      return { ...base, run, export: result };
    }
  }
}

function refusal(request: RunRequest, error: BursarError): RunRequestOutcome {
  return { ok: false, request_id: request.request_id, action: request.action, error: { code: error.code, message: error.message } };
}
