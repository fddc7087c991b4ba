/**
 * The catalog is checked against the policy text itself (and the unit table against the policy
 * README), never against a copy of the catalog data: a transcription slip makes these tests fail.
 * Both live in the repository, beside the catalog: shared/domain/policy/.
 */
import { readFileSync } from 'node:fs';
import {
  MEASURES,
  POLICY,
  SECTIONS,
  findMeasure,
  isResponsibleUnit,
  measuresOfSection,
  type SectionNumeral,
} from '../../../shared/domain/catalog.ts';
import { FINANCE_UNIT, UNITS, resolveUnit, unitName, type UnitCode } from '../../../shared/domain/units.ts';

const POLICY_DIR = new URL('../../../shared/domain/policy/', import.meta.url);
const rawText = readFileSync(new URL('fengzhengbanfa-2025-2.txt', POLICY_DIR), 'utf8');
const readme = readFileSync(new URL('README.md', POLICY_DIR), 'utf8');

/** Unify the OCR's mixed full-/half-width parentheses and colons. */
const unifyPunctuation = (s: string): string =>
  s.replace(/（/g, '(').replace(/）/g, ')').replace(/：/g, ':');

interface TextMeasure {
  number: number;
  section: string;
  /** The measure as one line: the OCR's line breaks, blank lines and stray spaces removed. */
  body: string;
}

interface ParsedPolicy {
  sections: { numeral: string; title: string }[];
  measures: TextMeasure[];
}

const SECTION_HEADING = /^#{1,6}\s*([一二三四五六七八九十])、\s*(.+?)\s*$/;
const MEASURE_START = /^(\d{1,2})\.\s+(.*)$/;

/** A measure runs from its "N. " line to the next measure or section heading. */
function parsePolicy(text: string): ParsedPolicy {
  const sections: ParsedPolicy['sections'] = [];
  const measures: TextMeasure[] = [];
  let section = '';
  let current: TextMeasure | undefined;
  for (const rawLine of unifyPunctuation(text).split(/\r?\n/)) {
    const line = rawLine.trim();
    const heading = SECTION_HEADING.exec(line);
    const start = MEASURE_START.exec(line);
    if (heading) {
      section = heading[1]!;
      sections.push({ numeral: section, title: heading[2]! });
      current = undefined;
    } else if (start) {
      current = { number: Number(start[1]), section, body: start[2]!.replace(/\s+/g, '') };
      measures.push(current);
    } else if (current) {
      current.body += line.replace(/\s+/g, '');
    }
  }
  return { sections, measures };
}

/** The 责任单位 list closing a measure, names mapped to codes (undefined where unknown). */
function responsibleUnits(body: string): (UnitCode | undefined)[] {
  const match = /\(责任单位:([^()]+)\)$/.exec(body);
  if (!match) throw new Error(`no closing 责任单位 in: ${body}`);
  return match[1]!.split('、').map((name) => resolveUnit(name));
}

/** Everything before the 责任单位 clause, split into its 。-terminated sentences. */
function sentences(body: string): string[] {
  return body
    .replace(/\(责任单位:[^()]+\)$/, '')
    .split('。')
    .filter((s) => s.length > 0);
}

const parsed = parsePolicy(rawText);
const flatText = unifyPunctuation(rawText).replace(/\s+/g, '');

describe('policy text parse (sanity of the test harness)', () => {
  test('finds measures 1..27 in order, each once', () => {
    expect(parsed.measures.map((m) => m.number)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });

  test('rejoins OCR-broken unit names', () => {
    // Measure 2 reads "区经\n\n信局" in the text.
    expect(responsibleUnits(parsed.measures[1]!.body)).toEqual(['EITB']);
  });
});

describe('POLICY', () => {
  test('document number, title and issue date appear in the text', () => {
    expect(rawText).toContain(POLICY.documentNumber);
    expect(flatText).toContain(POLICY.titleZh);
    const [y, m, d] = POLICY.issuedOn.split('-').map(Number);
    // The signature date closes the document.
    expect(rawText.trimEnd().endsWith(`${y}年${m}月${d}日`)).toBe(true);
  });

  test('default window is the one 附则 states', () => {
    const zh = (iso: string): string => {
      const [y, m, d] = iso.split('-').map(Number);
      return `${y}年${m}月${d}日`;
    };
    const annex = flatText.slice(flatText.indexOf('八、附则'));
    expect(annex).toContain(`实施至${zh(POLICY.defaultWindow.to)}止`);
    expect(annex).toContain(`${zh(POLICY.defaultWindow.from)}以来`);
  });
});

describe('SECTIONS', () => {
  test('match the seven measure-bearing section headings of the text', () => {
    const withMeasures = parsed.sections.filter((s) => parsed.measures.some((m) => m.section === s.numeral));
    expect(SECTIONS.map((s) => [s.numeral, s.titleZh])).toEqual(withMeasures.map((s) => [s.numeral, s.title]));
    expect(SECTIONS.map((s) => s.numeral)).toEqual(['一', '二', '三', '四', '五', '六', '七']);
    for (const s of SECTIONS) expect(s.titleEn.trim()).not.toBe('');
  });
});

describe('MEASURES against the text', () => {
  test('exactly 27 measures numbered 1..27 in order', () => {
    expect(MEASURES.map((m) => m.number)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });

  describe.each(parsed.measures.map((m) => [m.number, m] as const))('measure %i', (n, textMeasure) => {
    const measure = findMeasure(n);

    test('is in the section the text puts it under', () => {
      expect(measure?.section).toBe(textMeasure.section);
    });

    test('lists the responsible units of the text, in order', () => {
      const fromText = responsibleUnits(textMeasure.body);
      expect(fromText).not.toContain(undefined); // every name in the text is a known unit
      expect(measure?.units).toEqual(fromText);
    });

    test('titleZh is the lead sentence (or, for a one-sentence measure, its opening)', () => {
      const [lead, ...rest] = sentences(textMeasure.body);
      expect(measure).toBeDefined();
      if (rest.length > 0) expect(measure!.titleZh).toBe(lead);
      else expect(lead!.startsWith(measure!.titleZh)).toBe(true);
      expect(measure!.titleEn.trim()).not.toBe('');
    });

    test('isResponsibleUnit agrees with the text for every unit', () => {
      const fromText = responsibleUnits(textMeasure.body);
      for (const { code } of UNITS) expect([code, isResponsibleUnit(n, code)]).toEqual([code, fromText.includes(code)]);
    });
  });

  test('the finance bureau is responsible for no measure', () => {
    for (const m of MEASURES) {
      expect(m.units).not.toContain(FINANCE_UNIT);
      expect(isResponsibleUnit(m.number, FINANCE_UNIT)).toBe(false);
    }
    expect(FINANCE_UNIT).toBe('FIN');
  });

  test('measuresOfSection returns the text\'s measures of each section', () => {
    for (const { numeral } of SECTIONS) {
      const expected = parsed.measures.filter((m) => m.section === numeral).map((m) => m.number);
      expect(measuresOfSection(numeral as SectionNumeral).map((m) => m.number)).toEqual(expected);
    }
  });

  test('unknown measure numbers', () => {
    expect(findMeasure(0)).toBeUndefined();
    expect(findMeasure(28)).toBeUndefined();
    expect(findMeasure(1.5)).toBeUndefined();
    expect(isResponsibleUnit(28, 'EITB')).toBe(false);
  });
});

describe('UNITS', () => {
  test('match the README unit table exactly', () => {
    const rows = readme
      .split('\n')
      .map((l) => /^\|\s*([A-Z]+)\s*\|\s*(\S+)\s*\|\s*(.+?)\s*\|$/.exec(l.trim()))
      .filter((r): r is RegExpExecArray => r !== null)
      .map((r) => ({ code: r[1], nameZh: r[2], nameEn: r[3] }));
    expect(rows).toHaveLength(12);
    expect(UNITS).toEqual(rows);
  });
});

describe('resolveUnit', () => {
  test('accepts a code', () => {
    expect(resolveUnit('EITB')).toBe('EITB');
    expect(resolveUnit('FIN')).toBe('FIN');
  });

  test('accepts the exact Chinese name', () => {
    expect(resolveUnit('区经信局')).toBe('EITB');
    expect(resolveUnit('区自然资源和规划分局')).toBe('NRPB');
    expect(resolveUnit('区财政局')).toBe('FIN');
  });

  test('trims surrounding whitespace only', () => {
    expect(resolveUnit('  区科技局\n')).toBe('STB');
    expect(resolveUnit('\tHRSS ')).toBe('HRSS');
    expect(resolveUnit('区经 信局')).toBeUndefined();
  });

  test('rejects unknown names and near-misses', () => {
    expect(resolveUnit('经信局')).toBeUndefined();
    expect(resolveUnit('区经信局局')).toBeUndefined();
    expect(resolveUnit('eitb')).toBeUndefined();
    expect(resolveUnit('区经信局、区科技局')).toBeUndefined();
    expect(resolveUnit('XYZ')).toBeUndefined();
    expect(resolveUnit('')).toBeUndefined();
    expect(resolveUnit('   ')).toBeUndefined();
  });

  test('every code and name round-trips', () => {
    for (const u of UNITS) {
      expect(resolveUnit(u.code)).toBe(u.code);
      expect(resolveUnit(u.nameZh)).toBe(u.code);
    }
  });
});

describe('unitName', () => {
  test('gives the Chinese name by default and the English on request', () => {
    expect(unitName('FIN')).toBe('区财政局');
    expect(unitName('TALENT', 'en')).toBe('District Party Committee Talent Office');
  });
});
