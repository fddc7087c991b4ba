// Transitional: services/run-requests.ts still imports from here while other branches edit it. The
// ports are run-request-log.ts and run-request-queue.ts; switch that import and delete this file.
export type { ExportLocations, HandledRunRequest, RunRequestLog, RunRequestOutcome } from './run-request-log.ts';
export type { RunRequestQueue } from './run-request-queue.ts';
