/**
 * The read side of the ReconciliationStore port on the in-memory table (what `checkLedger` needs:
 * the ledger scan and the queue-entry probe), mirroring dynamo-reconciliation-store.ts, so the
 * product's own reconciliation can judge every run of the model test as a second oracle. Reports
 * and repairs are not kept.
 */
import type { AwardStatus } from '../../../shared/domain/award.ts';
import type { EnvelopeKey } from '../../../shared/domain/envelope.ts';
import type { ReconciliationReport } from '../../../shared/domain/reconciliation.ts';
import type {
  LedgerScanOptions, LedgerScanVisitor, RepairAudit, RepairFigures, ReconciliationStore, ReportSummary,
} from '../../../shared/ports/reconciliation-store.ts';
import { envelopePk, queueSk } from '../../../shared/adapters/dynamo/items.ts';
import type { MemoryTable } from './memory-table.ts';

const ENV_PK = /^ENV#(\d+)#(\d+)$/;

export class MemoryReconciliationStore implements ReconciliationStore {
  constructor(private readonly table: MemoryTable) {}

  async scanLedger(visit: LedgerScanVisitor, options: LedgerScanOptions): Promise<void> {
    const fy = options.fiscalYear;
    const items = await this.table.scan((it) => (it.type === 'AWARD' && (fy === undefined || it.fiscal_year === fy))
      || (it.type === 'QUEUE' && (fy === undefined || String(it.pk).startsWith(`ENV#${fy}#`))));
    for (const item of items) {
      if (item.type === 'AWARD') {
        visit.award({
          award_id: String(item.award_id), measure: Number(item.measure), fiscal_year: Number(item.fiscal_year),
          status: item.status as AwardStatus, amount_fen: Number(item.amount_fen),
          ...(typeof item.run_id === 'string' ? { run_id: item.run_id } : {}),
        });
        continue;
      }
      const key = ENV_PK.exec(String(item.pk));
      if (key) {
        visit.queueEntry({
          fiscal_year: Number(key[1]), measure: Number(key[2]), award_id: String(item.award_id),
          approved_date: String(item.approved_date), amount_fen: Number(item.amount_fen),
        });
      }
    }
  }

  async hasQueueEntry(key: EnvelopeKey, entry: { approved_date: string; award_id: string }): Promise<boolean> {
    return (await this.table.get(envelopePk(key), queueSk(entry))) !== undefined;
  }

  async saveReport(_report: ReconciliationReport, _repairedBy?: string): Promise<void> {}
  async listReports(_limit: number): Promise<ReportSummary[]> { return []; }
  async repairEnvelope(_key: EnvelopeKey, _v: number, _f: RepairFigures, _a: RepairAudit): Promise<'written' | 'changed'> {
    throw new Error('the model test never repairs');
  }
  async listRepairs(_limit: number): Promise<(RepairAudit & EnvelopeKey)[]> { return []; }
}
