import type { Context } from 'hono';
import type { CsvRow } from '../csv/read-csv-records.ts';
import type { AlertOutbox } from '../ports/alert-outbox.ts';
import type { AwardSearch } from '../ports/award-search.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import type { AuditLog, Principal, SessionStore, UserStore } from '../ports/identity.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { ReconciliationStore } from '../ports/reconciliation-store.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { ExportFiles, RunOperations } from '../ports/run-operations.ts';
import type { Authenticated } from '../services/sessions.ts';
import type { Clock } from '../services/clock.ts';
import type { ManifestSigner } from '../ports/manifest-signer.ts';
import type { YearCloseDeps } from '../services/year-close.ts';
import type { SubmitLine, SubmitReport } from '../../cli/submit-awards.ts';

/**
 * Where the signed-in person comes from. Locally: a session cookie (sign-in with a password against
 * the local users). In AWS: the claims of a Cognito JWT that API Gateway's authorizer has verified.
 */
export type IdentitySource =
  | { kind: 'session'; users: UserStore; sessions: SessionStore; secureCookies: boolean }
  | { kind: 'jwt'; claims: (c: Context) => Record<string, unknown> | undefined };

export type SubmitAwards = (
  rows: AsyncIterable<CsvRow>, screen: ((row: Extract<CsvRow, { kind: 'record' }>) => SubmitLine | undefined) | undefined,
) => Promise<SubmitReport>;

/** Everything the HTTP application talks to: one factory, two hosts. */
export interface ApiDeps {
  ledger: Ledger;
  runs: RunStore;
  alerts: Pick<AlertOutbox, 'listAlerts'>;
  reconciliations: Pick<ReconciliationStore, 'listReports'>;
  awardSearch: AwardSearch;
  audit: AuditLog;
  clock: Clock;
  identity: IdentitySource;
  runOps: RunOperations;
  exports: ExportFiles;
  submit: SubmitAwards;
  /** The year-end close's records (YEAR#<fy>), for /years. */
  yearCloses: YearCloseDeps['closes'];
  events?: EnvelopeEvents;
  /** Manifest signing key and exported files, for GET /runs/{id}/verify (locally; AWS needs the KMS signer). */
  integrity?: { signer: ManifestSigner; readExport: (runId: string, name: string) => Promise<Buffer | undefined> };
  /** The console's built files (web/dist), served at `/` when given. */
  staticDir?: string;
  /** Unexpected failures (500s) are reported here, without request bodies. */
  logError?: (message: string, detail: Record<string, unknown>) => void;
}

export interface AppEnv {
  Variables: {
    principal: Principal;
    session?: Authenticated;
  };
}
