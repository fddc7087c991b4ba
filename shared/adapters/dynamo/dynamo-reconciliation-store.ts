import { randomUUID } from 'node:crypto';
import {
  GetCommand, PutCommand, QueryCommand, ScanCommand,
  type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AwardStatus } from '../../domain/award.ts';
import type { EnvelopeKey } from '../../domain/envelope.ts';
import type { ReconciliationReport } from '../../domain/reconciliation.ts';
import type {
  LedgerScanOptions, LedgerScanVisitor, ReconciliationStore, RepairAudit, RepairFigures, ReportSummary,
} from '../../ports/reconciliation-store.ts';
import { GSI2 } from './table-schema.ts';
import { Transaction } from './transaction.ts';
import { ENVELOPE_SK, envelopePk, queueSk, type Item } from './items.ts';

/**
 * Reconciliation on the single table:
 *
 *   pk                     sk                                item
 *   RECON#<date>           REPORT#<created_at>#<report_id>   a report   gsi2pk RECONS   gsi2sk <created_at>#<report_id>
 *   ENV#<fy>#<measure>     REPAIR#<at>#<uuid>                a repair   gsi2pk REPAIRS  gsi2sk <at>#<fy>#<measure>
 *
 * The ledger is read by a parallel Scan (Segment/TotalSegments), page by page, projecting only the
 * attributes reconciliation needs and filtering to awards and waitlist entries.
 */
export const reportPk = (date: string) => `RECON#${date}`;
export const REPORT_LIST_PK = 'RECONS';
export const REPAIR_LIST_PK = 'REPAIRS';
/** A stored report keeps at most this many entries per list (a DynamoDB item holds 400 KB); counts stay exact. */
export const STORED_LIST_LIMIT = 500;

const ENV_PK = /^ENV#(\d{4})#(\d{3})$/;

export class DynamoReconciliationStore implements ReconciliationStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async scanLedger(visit: LedgerScanVisitor, options: LedgerScanOptions): Promise<void> {
    const names = {
      '#pk': 'pk', '#type': 'type', '#award_id': 'award_id', '#measure': 'measure', '#fy': 'fiscal_year',
      '#status': 'status', '#amount': 'amount_fen', '#run_id': 'run_id', '#approved': 'approved_date', '#refunded': 'refunded_fen', '#hold': 'hold',
    };
    const base: ScanCommandInput = {
      TableName: this.tableName,
      ProjectionExpression: '#pk, #type, #award_id, #measure, #fy, #status, #amount, #run_id, #approved, #refunded, #hold',
      ExpressionAttributeNames: names,
      ...(options.fiscalYear === undefined
        ? { FilterExpression: '#type IN (:award, :queue)', ExpressionAttributeValues: { ':award': 'AWARD', ':queue': 'QUEUE' } }
        : {
          FilterExpression: '(#type = :award AND #fy = :fy) OR (#type = :queue AND begins_with(#pk, :envfy))',
          ExpressionAttributeValues: { ':award': 'AWARD', ':queue': 'QUEUE', ':fy': options.fiscalYear, ':envfy': `ENV#${options.fiscalYear}#` },
        }),
      TotalSegments: options.segments,
      // Strongly consistent (issue 13, finding 8): an award committed before the scan is never
      // missed by it, so a repair cannot cut reserved money that awards hold.
      ConsistentRead: true,
    };
    await Promise.all(Array.from({ length: options.segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(new ScanCommand({ ...base, Segment: segment, ExclusiveStartKey: start }));
        for (const item of out.Items ?? []) visitItem(item, visit);
        start = out.LastEvaluatedKey;
      } while (start);
    }));
  }

  async saveReport(report: ReconciliationReport, repairedBy?: string): Promise<void> {
    const cap = <T>(list: T[]) => list.slice(0, STORED_LIST_LIMIT);
    const summary: ReportSummary = {
      report_id: report.report_id, date: report.date, created_at: report.created_at, fiscal_year: report.fiscal_year,
      clean: report.clean, checked_envelopes: report.checked_envelopes, checked_awards: report.checked_awards,
      checked_runs: report.checked_runs, mismatches: report.mismatches.length, run_mismatches: report.run_mismatches.length,
      stuck: report.stuck.length, ...(repairedBy ? { repaired_by: repairedBy } : {}),
    };
    await this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: {
        pk: reportPk(report.date), sk: `REPORT#${report.created_at}#${report.report_id}`, type: 'RECON_REPORT',
        ...summary,
        report: { ...report, mismatches: cap(report.mismatches), run_mismatches: cap(report.run_mismatches), stuck: cap(report.stuck) },
        gsi2pk: REPORT_LIST_PK, gsi2sk: `${report.created_at}#${report.report_id}`,
      },
    }));
  }

  async listReports(limit: number): Promise<ReportSummary[]> {
    const summaries: ReportSummary[] = [];
    for await (const item of this.query({
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk },
      ExpressionAttributeValues: { ':pk': REPORT_LIST_PK },
      ScanIndexForward: false,
    }, limit)) {
      summaries.push({
        report_id: String(item.report_id), date: String(item.date), created_at: String(item.created_at),
        fiscal_year: typeof item.fiscal_year === 'number' ? item.fiscal_year : null, clean: item.clean === true,
        checked_envelopes: Number(item.checked_envelopes), checked_awards: Number(item.checked_awards), checked_runs: Number(item.checked_runs ?? 0),
        mismatches: Number(item.mismatches), run_mismatches: Number(item.run_mismatches), stuck: Number(item.stuck),
        ...(typeof item.repaired_by === 'string' ? { repaired_by: item.repaired_by } : {}),
      });
    }
    return summaries;
  }

  async repairEnvelope(key: EnvelopeKey, expectedVersion: number, figures: RepairFigures, audit: RepairAudit): Promise<'written' | 'changed'> {
    // Any refusal (the envelope moved on, or a collision) is 'changed': the caller re-reads and re-plans.
    const outcome = await new Transaction()
      .add('envelope', {
            Update: {
              TableName: this.tableName,
              Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
              ConditionExpression: 'version = :v',
              UpdateExpression: [
                'SET reserved_fen = :reserved, batched_fen = :batched, paid_fen = :paid, returned_fen = :returned, available_fen = :available,',
                'waitlisted_fen = :wfen, waitlisted_count = :wcount, updated_at = :now ADD version :one',
              ].join(' '),
              ExpressionAttributeValues: {
                ':v': expectedVersion, ':reserved': figures.reserved_fen, ':batched': figures.batched_fen, ':paid': figures.paid_fen, ':returned': figures.returned_fen,
                ':available': figures.available_fen, ':wfen': figures.waitlisted_fen, ':wcount': figures.waitlisted_count,
                ':now': audit.at, ':one': 1,
              },
            },
      })
      .add('repair-audit', {
            Put: {
              TableName: this.tableName,
              Item: {
                pk: envelopePk(key), sk: `REPAIR#${audit.at}#${randomUUID()}`, type: 'RECONCILE_REPAIR', ...key, ...audit,
                gsi2pk: REPAIR_LIST_PK, gsi2sk: `${audit.at}#${key.fiscal_year}#${String(key.measure).padStart(3, '0')}`,
              },
            },
      })
      .run(this.doc);
    return outcome.ok ? 'written' : 'changed';
  }

  async listRepairs(limit: number): Promise<(RepairAudit & EnvelopeKey)[]> {
    const repairs: (RepairAudit & EnvelopeKey)[] = [];
    for await (const item of this.query({
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk },
      ExpressionAttributeValues: { ':pk': REPAIR_LIST_PK },
      ScanIndexForward: false,
    }, limit)) {
      repairs.push({
        measure: Number(item.measure), fiscal_year: Number(item.fiscal_year), at: String(item.at), by: String(item.by),
        report_id: String(item.report_id), before: item.before as Record<string, number>, after: item.after as Record<string, number>,
      });
    }
    return repairs;
  }

  async hasQueueEntry(key: EnvelopeKey, entry: { approved_date: string; award_id: string }): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: envelopePk(key), sk: queueSk(entry) }, ConsistentRead: true, ProjectionExpression: 'pk',
    }));
    return out.Item !== undefined;
  }

  private async *query(input: QueryCommandInput, limit: number): AsyncIterable<Item> {
    let start: Record<string, unknown> | undefined;
    let left = limit;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, Limit: Math.min(left, 100), ExclusiveStartKey: start }));
      for (const item of out.Items ?? []) {
        if (left-- <= 0) return;
        yield item;
      }
      start = out.LastEvaluatedKey;
    } while (start && left > 0);
  }
}

function visitItem(item: Item, visit: LedgerScanVisitor): void {
  if (item.type === 'AWARD') {
    visit.award({
      award_id: String(item.award_id),
      measure: Number(item.measure),
      fiscal_year: Number(item.fiscal_year),
      status: item.status as AwardStatus,
      amount_fen: Number(item.amount_fen),
      ...(typeof item.run_id === 'string' ? { run_id: item.run_id } : {}),
      ...(typeof item.refunded_fen === 'number' ? { refunded_fen: item.refunded_fen } : {}),
      ...((item.hold as { keeps_reservation?: boolean } | undefined)?.keeps_reservation ? { held_keeps_reservation: true } : {}),
    });
    return;
  }
  const key = ENV_PK.exec(String(item.pk));
  if (item.type === 'QUEUE' && key) {
    visit.queueEntry({
      fiscal_year: Number(key[1]), measure: Number(key[2]), award_id: String(item.award_id),
      approved_date: String(item.approved_date), amount_fen: Number(item.amount_fen),
    });
  }
}
