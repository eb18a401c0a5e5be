import { describe, expect, it } from 'vitest';
import { parseYearTable } from './calendar-table';

describe("a year's holidays typed as the State Council's notice lists them", () => {
  it('reads days off and make-up working days, in the usual ways of writing them', () => {
    const r = parseYearTable(['2031-01-01 放假 元旦', '2031/1/26\t休\t春节', '2031年2月8日 上班 春节调休', '', '2031-10-08，班'].join('\n'), 2031);
    expect(r).toEqual({
      holidays: { '2031-01-01': '元旦', '2031-01-26': '春节' },
      workdays: { '2031-02-08': '春节调休', '2031-10-08': '调休上班' },
      bad: [],
    });
  });

  it('names the lines it cannot read, and days of another year', () => {
    expect(parseYearTable('2031-01-01 元旦\n2030-12-31 放假 跨年', 2031).bad).toEqual(['2031-01-01 元旦', '2030-12-31 放假 跨年']);
  });

  it('names a day that does not exist, and a day listed both off and worked', () => {
    expect(parseYearTable('2031-02-30 放假 春节\n2031年13月1日 休', 2031).bad).toEqual(['2031-02-30 放假 春节', '2031年13月1日 休']);
    expect(parseYearTable('2031-10-01 放假 国庆\n2031-10-01 上班', 2031)).toEqual({ holidays: { '2031-10-01': '国庆' }, workdays: {}, bad: ['2031-10-01 上班'] });
  });
});
