import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { neutraliseFormula, startsLikeFormula } from '../../../shared/domain/spreadsheet-safety.ts';

describe('formula neutralising', () => {
  test.each([
    ['=1+1', "'=1+1"],
    ['+8613800000000', "'+8613800000000"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=cmd', "'\t=cmd"],
    ['\r=cmd', "'\r=cmd"],
    ['＝1+1', "'＝1+1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
    ['宁波=公司', '宁波=公司'],
    ['', ''],
    [' =1', ' =1'],
  ])('%j → %j', (input, output) => {
    expect(neutraliseFormula(input)).toBe(output);
  });

  test('property: the result never starts like a formula, and safe text is unchanged', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const out = neutraliseFormula(text);
      expect(startsLikeFormula(out)).toBe(false);
      expect(out === text || out === `'${text}`).toBe(true);
      if (!startsLikeFormula(text)) expect(out).toBe(text);
    }));
  });
});
