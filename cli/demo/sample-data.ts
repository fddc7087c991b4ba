import { MEASURES } from '../../shared/domain/catalog.ts';
import { formatYuan } from '../../shared/domain/money.ts';
import { usccCheckChar } from '../../shared/domain/uscc.ts';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';

/**
 * Deterministic, realistic sample data for the demo and benchmarks: the same seed gives the same
 * files byte for byte. Most awards are good; a known share breaks each rule so every outcome shows.
 */

/** A small seeded PRNG (mulberry32): reproducible across runs and machines. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLACES = ['奉化', '宁波', '溪口', '江口', '西坞', '莼湖', '松岙', '岳林', '锦屏', '萧王庙'];
const WORDS = ['精工', '智造', '新材', '华力', '东方', '恒信', '长荣', '海天', '博远', '锦程', '凯达', '瑞丰', '众诚', '永盛', '金鹰'];
const TRADES = ['机械', '电器', '科技', '汽车部件', '新能源', '医疗器械', '模具', '纺织', '气动元件', '光电'];
const BANKS = ['中国工商银行宁波奉化支行', '中国农业银行宁波奉化支行', '中国银行宁波奉化支行', '中国建设银行宁波奉化支行', '宁波银行奉化支行', '浙江奉化农村商业银行'];

export interface SampleSchemes {
  header: string;
  rows: string[];
}

/** Two special schemes: one whose window reaches back before 2024, one narrower than the default. */
export function sampleSchemesCsv(): string {
  return [
    'scheme_id,name,measures,valid_from,valid_to',
    'SCH-ROBOT-2023,机器人典型应用场景专项方案,2;10,2023-07-01,2025-12-31',
    'SCH-GREEN-2024,绿色制造专项方案,16;17,2024-06-01,2025-06-30',
  ].join('\n') + '\n';
}

/** FY2025 budgets for every measure, sized so a few envelopes run out and awards wait. */
export function sampleBudgetsCsv(fiscalYear = 2025): string {
  const rows = MEASURES.map((m) => {
    const tight = m.number % 6 === 1; // measures 1, 7, 13, 19, 25 get tight envelopes
    const yuan = tight ? 600_000 + m.number * 10_000 : 3_000_000 + m.number * 50_000;
    return `${m.number},${fiscalYear},${yuan}.00`;
  });
  return ['measure,fiscal_year,amount_yuan', ...rows].join('\n') + '\n';
}

function uscc(rand: () => number): string {
  // 9 = registered by market regulation, 1 = enterprise, 330213 = Fenghua District, then an organisation code.
  const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let org = '';
  for (let i = 0; i < 9; i++) org += charset[Math.floor(rand() * (i < 8 ? 31 : 10))];
  const body = `91330213${org}`;
  return body + usccCheckChar(body);
}

function isoDate(rand: () => number, from: string, days: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + Math.floor(rand() * days));
  return d.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Kinds of sample record, and how many in a thousand are of each. */
const FLAWS: [string, number][] = [
  ['UNKNOWN_MEASURE', 6], ['UNIT_NOT_RESPONSIBLE', 8], ['UNKNOWN_SCHEME', 5], ['SCHEME_NOT_FOR_MEASURE', 5],
  ['OUTSIDE_WINDOW', 10], ['SCHEME_WINDOW', 8], ['BAD_USCC', 4], ['BAD_AMOUNT', 4], ['BAD_DATE', 3], ['REPEAT', 4], ['CONFLICT', 3],
];

export interface SampleAwardOptions {
  count: number;
  seed?: number;
  fiscalYear?: number;
  /** Share of awards (0..1) that break a rule; 0 gives only valid, eligible awards. */
  flawed?: boolean;
  /** Restrict to these measures (default all). */
  measures?: number[];
  idPrefix?: string;
}

/** Award records as CSV lines (with header), deterministic for a seed. */
export function* sampleAwardLines(opts: SampleAwardOptions): Generator<string> {
  const rand = seededRandom(opts.seed ?? 20250122);
  const fy = opts.fiscalYear ?? 2025;
  const measures = (opts.measures ?? MEASURES.map((m) => m.number)).map((n) => MEASURES.find((m) => m.number === n)!);
  const flawTable = FLAWS.flatMap(([kind, perMille]) => Array<string>(perMille).fill(kind));
  const emitted: string[][] = [];
  yield AWARD_COLUMNS.join(',');
  for (let i = 1; i <= opts.count; i++) {
    const measure = measures[Math.floor(rand() * measures.length)]!;
    const unit = measure.units[Math.floor(rand() * measure.units.length)]!;
    const approved = isoDate(rand, `${fy}-01-02`, 330);
    const qualifying = addDays(approved, -(20 + Math.floor(rand() * 300)));
    const amountFen = (5 + Math.floor(rand() * 60)) * 1_000_00 + (rand() < 0.3 ? Math.floor(rand() * 100) * 100 + Math.floor(rand() * 100) : 0);
    const name = `宁波${PLACES[Math.floor(rand() * PLACES.length)]}${WORDS[Math.floor(rand() * WORDS.length)]}${TRADES[Math.floor(rand() * TRADES.length)]}有限公司`;
    const row: Record<string, string> = {
      award_id: `${opts.idPrefix ?? 'FH'}${fy}-${String(i).padStart(6, '0')}`,
      measure: String(measure.number),
      recipient_name: name,
      recipient_uscc: uscc(rand),
      amount_yuan: formatYuan(amountFen),
      qualifying_date: qualifying < '2024-01-01' ? '2024-01-15' : qualifying,
      approved_date: approved,
      approving_unit: rand() < 0.5 ? unit : unitNameOrCode(unit),
      scheme_id: '',
      payee_bank: BANKS[Math.floor(rand() * BANKS.length)]!,
      payee_account: `6${String(Math.floor(rand() * 1e9)).padStart(9, '0')}${String(i).padStart(6, '0')}`,
    };
    const flaw = opts.flawed === false ? undefined : flawTable[Math.floor(rand() * 1000)];
    applyFlaw(flaw, row, emitted);
    const cells = AWARD_COLUMNS.map((c) => row[c] ?? '');
    emitted.push(cells);
    if (emitted.length > 50) emitted.shift();
    yield cells.map(csvCell).join(',');
  }
}

function unitNameOrCode(unit: string): string {
  const names: Record<string, string> = { EITB: '区经信局', STB: '区科技局', IPC: '区投促中心', FDSC: '区金融发展服务中心', AMR: '区市场监管局' };
  return names[unit] ?? unit;
}

function applyFlaw(flaw: string | undefined, row: Record<string, string>, emitted: string[][]): void {
  switch (flaw) {
    case 'UNKNOWN_MEASURE': row['measure'] = '28'; break;
    case 'UNIT_NOT_RESPONSIBLE': row['approving_unit'] = row['measure'] === '15' ? 'EITB' : 'FDSC'; if (['23', '27'].includes(row['measure']!)) row['approving_unit'] = 'HRSS'; break;
    case 'UNKNOWN_SCHEME': row['scheme_id'] = 'SCH-NOT-LOADED'; break;
    case 'SCHEME_NOT_FOR_MEASURE': row['scheme_id'] = ['2', '10'].includes(row['measure']!) ? 'SCH-GREEN-2024' : 'SCH-ROBOT-2023'; break;
    case 'OUTSIDE_WINDOW': row['qualifying_date'] = '2023-11-30'; break;
    case 'SCHEME_WINDOW':
      // Measures 2 and 10 under the robot scheme: a 2023 event is eligible, its window replaces the default.
      row['measure'] = '10'; row['approving_unit'] = 'EITB'; row['scheme_id'] = 'SCH-ROBOT-2023'; row['qualifying_date'] = '2023-09-18'; break;
    case 'BAD_USCC': row['recipient_uscc'] = `${row['recipient_uscc']!.slice(0, 17)}${row['recipient_uscc']!.endsWith('0') ? '1' : '0'}`; break;
    case 'BAD_AMOUNT': row['amount_yuan'] = ['1e5', '-300.00', '12,000.00', '100.005'][row['award_id']!.length % 4]!; break;
    case 'BAD_DATE': row['approved_date'] = '2025-02-30'; break;
    case 'REPEAT': case 'CONFLICT': {
      const earlier = emitted[Math.floor(emitted.length / 2)];
      if (!earlier) break;
      AWARD_COLUMNS.forEach((c, i) => { row[c] = earlier[i] ?? ''; });
      if (flaw === 'CONFLICT') row['amount_yuan'] = '88888.00';
      break;
    }
    default: break;
  }
}
