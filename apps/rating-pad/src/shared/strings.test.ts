import { forbiddenPhrasesIn, RATING_LEVEL_NAMES } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { fill, REASON_IDS, reasonTexts, STRINGS } from './strings';

const texts = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(texts));

describe('the rating pad strings', () => {
  it.each(Object.keys(STRINGS) as (keyof typeof STRINGS)[])('holds no forbidden phrase in %s (H-14)', (language) => {
    const all = texts(STRINGS[language]);
    expect(all.length).toBeGreaterThan(40);
    expect(all.flatMap(forbiddenPhrasesIn)).toEqual([]);
  });

  it('has the same entries in Chinese and English', () => {
    const keys = (o: object, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(STRINGS.en).sort()).toEqual(keys(STRINGS['zh-CN']).sort());
  });

  it("greets with the handbook's words and names the levels as the national standard does", () => {
    expect(STRINGS['zh-CN'].greeting).toBe('您好！很高兴为您服务');
    expect(STRINGS['zh-CN'].levels['basically-satisfied']).toBe(RATING_LEVEL_NAMES['basically-satisfied']['zh-CN']);
    expect(STRINGS['zh-CN'].thanks).toBe('感谢您的评价');
  });

  it('records reasons in Chinese, in the order of the list, ignoring unknown ones', () => {
    expect(reasonTexts(['notice', 'bogus', 'wait'])).toEqual(['等候时间长', '一次性告知不到位']);
    expect(reasonTexts([...REASON_IDS])).toHaveLength(6);
  });

  it('fills marks and leaves unknown ones', () => {
    expect(fill(STRINGS['zh-CN'].window, { n: 5 })).toBe('5号窗口');
    expect(fill('{a} {b}', { a: 1 })).toBe('1 {b}');
  });
});
