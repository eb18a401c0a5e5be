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

  it('names emergency mode (应急模式) and tells the clerk the records are filed once the system is back', () => {
    expect(STRINGS['zh-CN'].emergency.title).toBe('应急模式');
    expect(STRINGS['zh-CN'].emergency.message).toContain('自动补录');
    expect(STRINGS.en.emergency.waiting(2)).toContain('2');
  });

  it('has the same keys in both languages', () => {
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? keys(v).map((x) => `${k}.${x}`) : [k]));
    expect(keys(STRINGS.en).sort()).toEqual(keys(STRINGS['zh-CN']).sort());
  });

  it('fits the greeting and the call line on a 20-column Chinese display, for the widest number and window', () => {
    const bytes = (s: string) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x80 ? 1 : 2), 0);
    for (const d of [STRINGS['zh-CN'].display, STRINGS.en.display]) {
      for (const row of [d.greeting, d.paused, d.pausedHint, d.windowLabel(999)]) expect(bytes(row), row).toBeLessThanOrEqual(20);
      expect(d.callLines('A012', 3)[0]!.length).toBeGreaterThan(0);
      expect(bytes(d.callLines('ZZ99999', 999).at(-1)!)).toBeLessThanOrEqual(20);
    }
  });

  it.each(['absent', 'paper-end', 'paper-near-end', 'cover-open', 'offline', 'timeout', 'cutter-error', 'not-in-step', 'a-code-added-later'])(
    'says the printer code %s in words inside Chinese sentences, never as the code',
    (code) => {
      const zh = STRINGS['zh-CN'];
      for (const text of [zh.printFailed(code), zh.devices.fault(code), zh.devices.warning(code), zh.deviceCode(code)]) expect(text).not.toMatch(/[A-Za-z]/);
    },
  );
});
