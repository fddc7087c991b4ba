import { cumulativeByDate } from '../../../../../web/src/pages/overview/commitments.ts';

describe('cumulativeByDate', () => {
  it('adds up per approval date and accumulates in date order', () => {
    expect(cumulativeByDate([
      { approved_date: '2025-05-02', amount_fen: 10 },
      { approved_date: '2025-01-15', amount_fen: 5 },
      { approved_date: '2025-05-02', amount_fen: 1 },
    ])).toEqual([['2025-01-15', 5], ['2025-05-02', 16]]);
    expect(cumulativeByDate([])).toEqual([]);
  });
});
