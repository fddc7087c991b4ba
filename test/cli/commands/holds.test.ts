/** `bursar credit` and `bursar holds` through the real CLI (issue 14). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../run-cli.ts';
import { awardFields, usccFor } from '../../support/records.ts';

const env = {
  BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
  BURSAR_TABLE_NAME: `holds-cli-${process.pid}-${Date.now()}`,
};
const cli = (args: string[]) => runCli(args, env);
const dir = mkdtempSync(path.join(tmpdir(), 'bursar-holds-'));
const file = (name: string, text: string) => { const p = path.join(dir, name); writeFileSync(p, text); return p; };
const csv = (rows: Record<string, string>[]) => {
  const cols = Object.keys(rows[0]!);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
};

test('credit load/list/lift, a restricted award HELD, STILL_RESTRICTED, release and reject with history; budget show has held figures', () => {
  expect(cli(['init']).code).toBe(0);
  expect(cli(['budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '100000', '--by', 'fin', '--enterprise-cap-yuan', '5000']).code).toBe(0);
  const uscc = usccFor(77);
  const loaded = cli(['credit', 'load', file('credit.csv', `recipient_uscc,list_name,restricted_from,restricted_to,reference\n${uscc},失信被执行人,2020-01-01,,R-1\nBAD,失信,2020-01-01,,R-2\n`), '--by', 'officer']);
  expect(loaded.json.loaded).toHaveLength(1);
  expect(loaded.json.errors).toEqual([expect.objectContaining({ line: 3, field: 'recipient_uscc' })]);
  expect(cli(['credit', 'list', '--active-on', '2019-12-31']).json.restrictions).toEqual([]);

  const submitted = cli(['awards', 'submit', file('awards.csv', csv([
    awardFields(1, { recipient_uscc: uscc, project_ref: '' }),
    awardFields(2, { project_ref: 'P-9' }),
    awardFields(3, { recipient_uscc: usccFor(2), measure: '7', project_ref: 'p-9', amount_yuan: '2000' }),
    awardFields(4, { recipient_uscc: usccFor(2), project_ref: 'other', amount_yuan: '4500' }),
  ]))]);
  expect(submitted.json).toMatchObject({ reserved: 1, held: 2, rejected: 1 });
  expect(submitted.json.results.map((r: { outcome: string; reason?: string }) => [r.outcome, r.reason])).toEqual([
    ['HELD', 'CREDIT_RESTRICTED'], ['RESERVED', undefined], ['HELD', 'DUPLICATE_PROJECT'], ['REJECTED', 'ENTERPRISE_CAP_EXCEEDED'],
  ]);
  expect(cli(['holds', 'list', '--reason', 'DUPLICATE_PROJECT']).json.holds.map((h: { award_id: string }) => h.award_id)).toEqual(['A-00003']);
  expect(cli(['budget', 'show']).json.envelopes[0]).toMatchObject({ held_count: 2, held_fen: 0, enterprise_cap_fen: 500_000 });

  const refused = cli(['holds', 'release', 'A-00001', '--note', 'n', '--by', 'clerk']);
  expect(refused.code).toBe(1);
  expect(refused.json.error.code).toBe('STILL_RESTRICTED');
  expect(cli(['credit', 'lift', uscc, '--reference', '信用修复', '--by', 'officer']).json.lifted).toHaveLength(1);
  expect(cli(['holds', 'release', 'A-00001', '--note', 'lifted', '--by', 'clerk']).json).toMatchObject({ changed: true, award: { status: 'RESERVED' } });
  expect(cli(['holds', 'reject', 'A-00003', '--reason', 'double subsidy', '--by', 'clerk']).json).toMatchObject({ changed: true, award: { status: 'REJECTED' } });
  const shown = cli(['awards', 'show', 'A-00003']).json;
  expect(shown.history.at(-1)).toMatchObject({ status: 'REJECTED', by: 'clerk' });
  expect(cli(['holds', 'list']).json.holds).toEqual([]);
  expect(cli(['reconcile']).code).toBe(0);
});
