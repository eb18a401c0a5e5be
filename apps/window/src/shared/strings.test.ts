import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { allTexts, STRINGS } from './strings';

describe("the window terminal's words (H-14)", () => {
  for (const [language, table] of Object.entries(STRINGS)) {
    it(`uses none of the forbidden phrases in ${language}`, () => {
      const texts = allTexts(table);
      expect(texts.length).toBeGreaterThan(150);
      expect(texts.flatMap((t) => forbiddenPhrasesIn(t))).toEqual([]);
    });
  }

  it('has the same keys in both languages', () => {
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? keys(v).map((x) => `${k}.${x}`) : [k]));
    expect(keys(STRINGS.en).sort()).toEqual(keys(STRINGS['zh-CN']).sort());
  });

  it('fits the greeting and the call line on a 20-column Chinese display', () => {
    const bytes = (s: string) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x80 ? 1 : 2), 0);
    const d = STRINGS['zh-CN'].display;
    for (const row of [d.greeting, d.paused, d.pausedHint, d.callLine('A012', 13)]) expect(bytes(row)).toBeLessThanOrEqual(20);
  });
});
