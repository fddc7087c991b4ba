import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runCli } from './run-cli.ts';
import { awardFields } from '../support/records.ts';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bursar-cli-alerts-'));
const env = {
  BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
  BURSAR_TABLE_NAME: `cli-alerts-${process.pid}-${Date.now()}`,
};
const cli = (...args: string[]) => runCli(args, env);
const { doc } = createDynamoClients({ endpoint: env.BURSAR_DYNAMODB_ENDPOINT });

afterAll(() => {
  doc.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('bursar reconcile and alerts (real process, DynamoDB Local)', () => {
  beforeAll(() => {
    expect(cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '10000', '--by', 'finance-a', '--alert-at', '50,80,100').code).toBe(0);
    const file = path.join(dir, 'awards.csv');
    const rows = Array.from({ length: 11 }, (_, i) => awardFields(i + 1, { approved_date: `2025-04-${String(i + 1).padStart(2, '0')}` }));
    writeFileSync(file, `${AWARD_COLUMNS.join(',')}\n${rows.map((r) => AWARD_COLUMNS.map((c) => r[c] ?? '').join(',')).join('\n')}\n`);
    const submitted = cli('awards', 'submit', file);
    expect(submitted.json).toMatchObject({ reserved: 10, waitlisted: 1 });
  });

  test('alerts list shows the crossings and the waitlist, per unit and since a date', () => {
    const all = cli('alerts', 'list');
    expect(all.code).toBe(0);
    expect(all.json.alerts.map((a: { kind: string; threshold: number | null }) => [a.kind, a.threshold])).toEqual([
      ['THRESHOLD', 50], ['THRESHOLD', 80], ['THRESHOLD', 100], ['WAITLIST', null],
    ]);
    expect(Object.keys(all.json.alerts[0]).sort()).toEqual(['alert_id', 'created_at', 'fiscal_year', 'kind', 'measure', 'message', 'threshold', 'units']);
    expect(all.json.alerts[0]).toMatchObject({ measure: 7, fiscal_year: 2025, units: ['EITB', 'IPC', 'FIN'] });
    expect(cli('alerts', 'list', '--unit', '区投促中心').json.alerts).toHaveLength(4);
    expect(cli('alerts', 'list', '--unit', 'STB').json.alerts).toEqual([]);
    expect(cli('alerts', 'list', '--unit', 'FIN', '--since', '2099-01-01').json.alerts).toEqual([]);
    const bad = cli('alerts', 'list', '--unit', '经信局');
    expect(bad.code).toBe(1);
    expect(bad.json.error.message).toContain('--unit');
  });

  test('reconcile exits 0 when clean, 2 naming the envelope and field after a tamper; repair is audited and listed', async () => {
    const clean = cli('reconcile');
    expect(clean.code).toBe(0);
    expect(clean.json).toMatchObject({ clean: true, checked_envelopes: 1, checked_awards: 11, mismatches: [], run_mismatches: [], stuck: [] });

    await doc.send(new UpdateCommand({
      TableName: env.BURSAR_TABLE_NAME, Key: { pk: 'ENV#2025#007', sk: 'ENV' },
      UpdateExpression: 'SET waitlisted_fen = :w', ExpressionAttributeValues: { ':w': 5 },
    }));
    const dirty = cli('reconcile', '--fiscal-year', '2025');
    expect(dirty.code).toBe(2);
    expect(dirty.json.mismatches).toEqual([{ measure: 7, fiscal_year: 2025, field: 'waitlisted_fen', stored_fen: 5, recomputed_fen: 100000 }]);
    expect(cli('alerts', 'list', '--unit', 'FIN').json.alerts.filter((a: { kind: string }) => a.kind === 'RECONCILIATION')).toHaveLength(1);
    expect(cli('alerts', 'list', '--unit', 'EITB').json.alerts.filter((a: { kind: string }) => a.kind === 'RECONCILIATION')).toHaveLength(0);

    expect(cli('reconcile', '--repair').code).toBe(1);
    const repaired = cli('reconcile', '--repair', '--by', 'auditor-li');
    expect(repaired.code).toBe(0);
    expect(repaired.json.repairs).toMatchObject([{ measure: 7, fiscal_year: 2025, outcome: 'REPAIRED' }]);
    expect(repaired.json.after_repair).toMatchObject({ clean: true });
    expect(cli('reconcile', 'repairs').json.repairs).toMatchObject([{ measure: 7, by: 'auditor-li', before: { waitlisted_fen: 5 }, after: { waitlisted_fen: 100000 } }]);
    const history = cli('reconcile', 'history').json.reports;
    expect(history.map((r: { clean: boolean; repaired_by?: string }) => [r.clean, r.repaired_by ?? null])).toEqual([
      [true, null], [false, 'auditor-li'], [false, null], [true, null],
    ]);
  });
});
