import stringWidth from 'string-width';
import { table } from '../../cli/output.ts';

/**
 * Where each cell sits in a rendered line, in display columns: the start of a left-aligned cell,
 * the end of a right-aligned one (cells are found in order, so equal texts in a row are fine).
 */
function cellEdges(line: string, cells: string[], rightAligned: boolean[]): number[] {
  let from = 0;
  return cells.map((cell, i) => {
    const at = line.indexOf(cell, from);
    if (at < 0) throw new Error(`cell "${cell}" not in "${line}"`);
    from = at + cell.length;
    return stringWidth(line.slice(0, rightAligned[i] ? at + cell.length : at));
  });
}

describe('table (every human CLI table)', () => {
  test('rows with Chinese names have the same display width as the header (demo: alerts per unit)', () => {
    const text = table(['unit', 'name', 'alerts'], [
      ['EITB', '区经信局', 3],
      ['NRPB', '区自然资源和规划分局', 12],
      ['FDSC', '区金融发展服务中心', 1],
      ['FIN', '区财政局', 140],
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(6);
    const widths = lines.map((l) => stringWidth(l));
    // '区自然资源和规划分局' is 10 characters but 20 columns: unit(4) + 2 + name(20) + 2 + alerts(6).
    expect(widths).toEqual(Array(6).fill(34));
    // 9 characters, 18 columns: padded by 2 spaces (not 1), then the separator and the count.
    expect(lines[4]).toBe(`FDSC  区金融发展服务中心${' '.repeat(2 + 2 + 5)}1`);
  });

  test('columns line up in display columns in every row, whatever the script', () => {
    const headers = ['#', 'section', 'measure', 'budget'];
    const rows: [number, string, string, string][] = [
      [1, '一、创新驱动', '支持企业技改（设备投资）', '1,000,000.00'],
      [2, 'two', 'Ａ全角ＡＢ　x', '12.50'],
      [10, 'café', 'e\u0301 combining', '3.00'],
      [27, '七', '-', '0.00'],
    ];
    const right = [true, false, false, true];
    const lines = table(headers, rows).split('\n');
    const edges = [headers, ...rows.map((r) => r.map(String))].map((cells, i) => cellEdges(lines[i === 0 ? 0 : i + 1]!, cells, right));
    for (const e of edges) expect(e).toEqual(edges[0]);
    // The last column is numeric, so right-aligned: every line has the same display width.
    expect(new Set(lines.map((l) => stringWidth(l))).size).toBe(1);
  });

  test('numbers right-aligned, text left-aligned, text-ending rows trimmed', () => {
    expect(table(['name', 'n'], [['区科技局', 5], ['x', 10]]).split('\n')).toEqual([
      'name       n',
      '--------  --',
      '区科技局   5',
      'x         10',
    ]);
    expect(table(['n', 'name'], [[1, '区科技局'], [2, 'x']]).split('\n')[3]).toBe('2  x');
  });
});
