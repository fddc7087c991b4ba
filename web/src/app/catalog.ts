/** The policy catalog and units, from the same pure modules the server uses (no copy to drift). */
import { MEASURES, SECTIONS, type Measure } from '../../../shared/domain/catalog.ts';
import { UNITS, type UnitCode } from '../../../shared/domain/units.ts';
import type { Lang } from './i18n.tsx';

export { MEASURES, SECTIONS, UNITS };
export type { Measure, UnitCode };

export function measureTitle(m: Pick<Measure, 'titleZh' | 'titleEn'>, lang: Lang): string {
  return lang === 'en' ? m.titleEn : m.titleZh;
}

export function unitLabel(code: string | null | undefined, lang: Lang): string {
  if (!code) return '';
  const u = UNITS.find((x) => x.code === code);
  if (!u) return code;
  return lang === 'en' ? `${u.code} ${u.nameEn}` : `${u.nameZh}（${u.code}）`;
}

/** The measures a user may see: all, or those their unit is responsible for. */
export function visibleMeasures(unit: string | null, bureauOnly: boolean): readonly Measure[] {
  return bureauOnly && unit ? MEASURES.filter((m) => (m.units as readonly string[]).includes(unit)) : MEASURES;
}
