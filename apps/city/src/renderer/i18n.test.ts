import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { formatTime, STRINGS } from './i18n';

/** Every string of a catalogue, functions called with sample values. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'function') return [String((value as (...a: number[]) => string)(3, 90))];
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

describe("the city view's words", () => {
  it('holds no forbidden phrase, in either language (H-14)', () => {
    for (const lang of ['zh-CN', 'en'] as const) expect(forbiddenPhrasesIn(texts(STRINGS[lang]).join('\n'))).toEqual([]);
  });

  it('says everything in Chinese, and in English too', () => {
    const zh = texts(STRINGS['zh-CN']);
    const en = texts(STRINGS.en);
    expect(en.length).toBe(zh.length);
    // The Chinese catalogue is Chinese (but for the language switch, which names the other language).
    expect(zh.filter((s) => !/[\u4e00-\u9fff]/.test(s) && s !== 'English')).toEqual([]);
  });

  it("writes a time in the page's language, on the 24-hour clock, midnight as 00", () => {
    const at = Date.parse('2026-12-07T00:05:09+08:00');
    // Before: 2026/12/7 00:05:09 on the English page too.
    expect(formatTime(at, 'zh-CN', 'Asia/Shanghai')).toBe('2026/12/7 00:05:09');
    expect(formatTime(at, 'en', 'Asia/Shanghai')).toBe('12/7/2026, 00:05:09');
    expect(formatTime(Date.parse('2026-12-07T21:45:53+08:00'), 'en', 'Asia/Shanghai')).toBe('12/7/2026, 21:45:53');
  });
});
