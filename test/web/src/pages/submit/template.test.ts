import { parse } from 'csv-parse/sync';
import { awardTemplateCsv } from '../../../../../web/src/pages/submit/template.ts';
import { AWARD_COLUMNS } from '../../../../../shared/domain/award.ts';
import { validateAwardRecord } from '../../../../../shared/domain/award-record.ts';
import { isResponsibleUnit } from '../../../../../shared/domain/catalog.ts';

describe('the awards CSV template', () => {
  it.each([null, 'EITB', 'STB', 'AMR'])('has the exact header and one valid example row (unit %p)', (unit) => {
    const text = awardTemplateCsv(unit, 2025);
    expect(text.startsWith('\ufeff')).toBe(true);
    const rows = parse(text, { bom: true }) as string[][];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual([...AWARD_COLUMNS]);
    const record = Object.fromEntries(AWARD_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    const result = validateAwardRecord(record);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) {
      expect(result.record.approving_unit).toBe(unit ?? 'EITB');
      expect(isResponsibleUnit(result.record.measure, result.record.approving_unit)).toBe(true);
    }
  });
});
