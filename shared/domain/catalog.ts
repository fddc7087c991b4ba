/**
 * The policy catalog: 奉政办发〔2025〕2号, its seven sections and 27 measures with their
 * responsible units. test/shared/domain/catalog.test.ts checks all of it against the policy text.
 */
import { MEASURES } from './catalog-data.ts';
import type { UnitCode } from './units.ts';

export { MEASURES };

export type SectionNumeral = '一' | '二' | '三' | '四' | '五' | '六' | '七';

export interface Section {
  readonly numeral: SectionNumeral;
  readonly titleZh: string;
  readonly titleEn: string;
}

export interface Measure {
  /** 1..27, as numbered in the document. */
  readonly number: number;
  readonly section: SectionNumeral;
  /** The measure's lead sentence, verbatim (without the closing 。). */
  readonly titleZh: string;
  readonly titleEn: string;
  /** The 责任单位, in the order the document lists them. */
  readonly units: readonly UnitCode[];
}

export const POLICY = {
  documentNumber: '奉政办发〔2025〕2号',
  titleZh: '关于推进新型工业化促进制造业智造创新发展的若干意见',
  titleEn: 'Several Opinions on Promoting New Industrialization and Smart-Manufacturing Innovation',
  issuedOn: '2025-01-22',
  // 附则: in force until 2026-12-31 and applied back to 2024-01-01; a special scheme's own
  // window replaces this one wholly.
  defaultWindow: { from: '2024-01-01', to: '2026-12-31' },
} as const;

export const SECTIONS: readonly Section[] = [
  { numeral: '一', titleZh: '打造新型产业体系', titleEn: 'Build a new industrial system' },
  { numeral: '二', titleZh: '推动数字经济创新发展', titleEn: 'Drive innovative development of the digital economy' },
  { numeral: '三', titleZh: '加速产业创新集聚突破', titleEn: 'Accelerate industrial innovation, clustering and breakthroughs' },
  { numeral: '四', titleZh: '实施企业梯度培育', titleEn: 'Cultivate enterprises tier by tier' },
  { numeral: '五', titleZh: '促进企业绿色集约发展', titleEn: 'Promote green and intensive development of enterprises' },
  { numeral: '六', titleZh: '深化知识产权品牌标准质量建设', titleEn: 'Deepen intellectual property, brand, standards and quality building' },
  { numeral: '七', titleZh: '强化资源要素配置', titleEn: 'Strengthen the allocation of resources and production factors' },
];

const byNumber = new Map<number, Measure>(MEASURES.map((m) => [m.number, m]));

export function findMeasure(n: number): Measure | undefined {
  return byNumber.get(n);
}

/** False for a measure number the policy does not have. */
export function isResponsibleUnit(measure: number, unit: UnitCode): boolean {
  return byNumber.get(measure)?.units.includes(unit) ?? false;
}

export function measuresOfSection(section: SectionNumeral): readonly Measure[] {
  return MEASURES.filter((m) => m.section === section);
}
