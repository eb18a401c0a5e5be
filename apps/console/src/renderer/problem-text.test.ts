import { IncomingCatalogueSchema } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { STRINGS } from './i18n';
import { problemText } from './problem-text';

/** A small hall, as the wizard sends it, with `item` changed. */
function sent(item: Record<string, unknown>, window: Record<string, unknown> = {}) {
  return {
    hall: { name: '滨江区政务服务中心', timeZone: 'Asia/Shanghai' },
    departments: [{ name: '公安户籍' }],
    items: [{ code: 'GA-SFZ-HL', name: '居民身份证换领', department: '公安户籍', prefix: 'A', issuingHours: [{ from: '08:30', to: '12:00' }], conditions: [], materials: [], steps: [], fees: '20元', legalLimitDays: 60, promisedLimitDays: 30, ...item }],
    windows: [{ number: 1, name: '1号窗口', serves: ['GA-SFZ-HL'], ...window }],
  };
}

/** What the setup page says under the field for each problem the hub's check finds, in Chinese. */
function said(catalogue: unknown): string[] {
  const r = IncomingCatalogueSchema.safeParse(catalogue);
  if (r.success) return [];
  return r.error.issues.map((i) => problemText({ path: i.path as (string | number)[], code: i.code, message: i.message }, STRINGS['zh-CN'], 'zh-CN'));
}

describe('a problem of the setup as the page says it', () => {
  it('names the bound of a number, a text or a list the check refuses, and what to type, not only that it is too small or too big', () => {
    expect(said(sent({ dailyQuota: 0 }))).toEqual(['不能小于 1']);
    expect(said(sent({ dailyQuota: 100_000 }))).toEqual(['不能大于 9999']);
    // What the form sends for a quota typed as words (Number('二百') is NaN, sent as null) or with a fraction.
    expect(said(sent({ dailyQuota: null }))).toEqual(['应填写数字（半角阿拉伯数字），例如 200']);
    expect(said(sent({ dailyQuota: 1.5 }))).toEqual(['应为整数，不带小数']);
    expect(said(sent({ name: '办'.repeat(121) }))[0]).toMatch(/^最多 \d+ 个字$/);
    expect(said(sent({}, { serves: [] }))).toEqual(['至少要有 1 项']);
    expect(
      said(
        sent({
          issuingHours: [
            { from: '08:30', to: '12:00' },
            { from: '11:00', to: '17:00' },
          ],
        }),
      ),
    ).toEqual(['与第 1 段时间重叠：各段不能重叠，例如 08:30-12:00 和 13:30-17:00']);
  });

  it('says the hub’s own words where the problem has them, and English as the check wrote it', () => {
    expect(problemText({ message: 'x', text: '第 1 段“17:00-08:30”：结束时间须晚于开始时间' }, STRINGS['zh-CN'], 'zh-CN')).toBe('第 1 段“17:00-08:30”：结束时间须晚于开始时间');
    expect(problemText({ code: 'too_small', message: 'Too small: expected number to be >=1' }, STRINGS.en, 'en')).toBe('Too small: expected number to be >=1');
  });
});
