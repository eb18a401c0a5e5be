import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { STRINGS, stringsFor } from './strings';

/** Every text of a table, the sentences made by functions included. */
function allText(table: object): string[] {
  return Object.values(table).flatMap((v): string[] => {
    if (typeof v === 'string') return [v];
    if (typeof v === 'function') return [String((v as (...a: unknown[]) => string)('A012', 3)), String((v as (...a: unknown[]) => string)(5, 12))];
    if (Array.isArray(v)) return v.flatMap((x) => allText({ x }));
    return allText(v as object);
  });
}

describe('the hall screen strings', () => {
  it.each(Object.keys(STRINGS) as (keyof typeof STRINGS)[])('%s has no forbidden phrase (H-14)', (language) => {
    const text = allText(STRINGS[language]);
    expect(text.length).toBeGreaterThan(30);
    expect(text.flatMap(forbiddenPhrasesIn)).toEqual([]);
  });

  it('has the same keys in every language', () => {
    expect(Object.keys(STRINGS.en).sort()).toEqual(Object.keys(STRINGS['zh-CN']).sort());
    expect(STRINGS.en.defaultNotices).toHaveLength(STRINGS['zh-CN'].defaultNotices.length);
  });

  it('apologises and offers a way forward when the hub is away', () => {
    for (const text of Object.values(STRINGS['zh-CN'].link).slice(2)) {
      expect(text).toMatch(/抱歉/);
      expect(text).toMatch(/咨询工作人员/);
    }
  });

  it('speaks Chinese unless English is asked for', () => {
    expect(stringsFor(undefined).ticketCall('A012', 3)).toBe('请A012号到3号窗口办理');
    expect(stringsFor('en').windowLabel(3)).toBe('Window 3');
  });
});
