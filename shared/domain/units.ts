/**
 * The government units named in 奉政办发〔2025〕2号, under the short codes the product uses.
 * Input files may name a unit by code or by its Chinese name exactly as the document writes it.
 */

export type UnitCode =
  | 'EITB'
  | 'NRPB'
  | 'STB'
  | 'DRB'
  | 'EEB'
  | 'EMB'
  | 'IPC'
  | 'FDSC'
  | 'AMR'
  | 'TALENT'
  | 'HRSS'
  | 'FIN';

export interface Unit {
  readonly code: UnitCode;
  readonly nameZh: string;
  readonly nameEn: string;
}

export const UNITS: readonly Unit[] = [
  { code: 'EITB', nameZh: '区经信局', nameEn: 'District Economy and Information Technology Bureau' },
  { code: 'NRPB', nameZh: '区自然资源和规划分局', nameEn: 'District Natural Resources and Planning Sub-bureau' },
  { code: 'STB', nameZh: '区科技局', nameEn: 'District Science and Technology Bureau' },
  { code: 'DRB', nameZh: '区发改局', nameEn: 'District Development and Reform Bureau' },
  { code: 'EEB', nameZh: '区生态环境分局', nameEn: 'District Ecology and Environment Sub-bureau' },
  { code: 'EMB', nameZh: '区应急管理局', nameEn: 'District Emergency Management Bureau' },
  { code: 'IPC', nameZh: '区投促中心', nameEn: 'District Investment Promotion Center' },
  { code: 'FDSC', nameZh: '区金融发展服务中心', nameEn: 'District Financial Development Service Center' },
  { code: 'AMR', nameZh: '区市场监管局', nameEn: 'District Administration for Market Regulation' },
  { code: 'TALENT', nameZh: '区委人才办', nameEn: 'District Party Committee Talent Office' },
  { code: 'HRSS', nameZh: '区人社保局', nameEn: 'District Human Resources and Social Security Bureau' },
  { code: 'FIN', nameZh: '区财政局', nameEn: 'District Finance Bureau' },
];

/** Runs the disbursements and receives every alert; responsible for no measure. */
export const FINANCE_UNIT: UnitCode = 'FIN';

const byCode = new Map<string, Unit>(UNITS.map((u) => [u.code, u]));
const byNameZh = new Map<string, Unit>(UNITS.map((u) => [u.nameZh, u]));

/**
 * A code or the exact Chinese name; only surrounding whitespace is forgiven. Deliberately nothing
 * fuzzy: '经信局' is not '区经信局', and a wrong guess would route money to the wrong bureau.
 */
export function resolveUnit(text: string): UnitCode | undefined {
  const key = text.trim();
  return (byCode.get(key) ?? byNameZh.get(key))?.code;
}

/** The unit's name for messages and reports; Chinese by default, as the document writes it. */
export function unitName(code: UnitCode, lang: 'zh' | 'en' = 'zh'): string {
  const unit = byCode.get(code);
  // Unreachable for well-typed callers; guards against casts from untyped input.
  if (!unit) throw new Error(`unknown unit code ${String(code)}`);
  return lang === 'zh' ? unit.nameZh : unit.nameEn;
}
