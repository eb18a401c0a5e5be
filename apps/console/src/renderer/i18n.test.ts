import { describe, expect, it } from 'vitest';
import { STRINGS } from './i18n';

const zh = STRINGS['zh-CN'];

describe('the console’s Chinese', () => {
  it('writes a window as 4号窗口 in every sentence that names one, as the rest of the console does', () => {
    const said = [
      zh.setup.change('11:55', '张主任', 4),
      zh.setup.window.find('4'),
      zh.today.overtaken('张主任', '14:36', 4),
      zh.today.behind('张主任', '14:36', 4),
      zh.today.windowGone(4, true),
      zh.today.windowName(4, '出入境'),
      zh.audit.summary.pendingWindow(4),
    ];
    for (const text of said) expect(text).toContain('4号窗口');
    expect(said.filter((text) => /\d 号窗口/.test(text))).toEqual([]);
  });
});

describe('a window’s heading in the setup', () => {
  it.each([
    ['1', '1号窗口 公安户籍', '1号窗口 · 公安户籍'],
    ['1', '公安户籍', '1号窗口 · 公安户籍'],
    ['12', '1号窗口 公安户籍', '12号窗口 · 1号窗口 公安户籍'],
    ['3', '', '3号窗口'],
    ['', '新开窗口', '新开窗口'],
  ])('says window %s named “%s” as %s, its number once', (number, name, heading) => {
    expect(zh.setup.window.heading(number, name)).toBe(heading);
  });

  it('heads a window on 今日调整 as the setup does, the name after a ·', () => {
    for (const [n, name] of [[1, '综合受理'], [1, '1号窗口 公安户籍'], [21, '临时窗口21']] as const) expect(zh.today.windowName(n, name)).toBe(zh.setup.window.heading(String(n), name));
    expect(zh.today.windowName(1, '综合受理')).toBe('1号窗口 · 综合受理');
    expect(STRINGS.en.today.windowName(2, 'Window 2 Passports')).toBe('Window 2 · Passports');
  });

  it('says it once in English too', () => {
    expect(STRINGS.en.setup.window.heading('1', '1号窗口 公安户籍')).toBe('Window 1 · 公安户籍');
    expect(STRINGS.en.setup.window.heading('2', 'Window 2 Passports')).toBe('Window 2 · Passports');
  });
});
