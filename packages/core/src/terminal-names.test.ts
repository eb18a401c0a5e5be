import { describe, expect, it } from 'vitest';
import { terminalNameAtWindow, terminalNames } from './terminal-names';

describe('the terminals, as staff name them', () => {
  it('names the demo hall’s terminals by kind and window, not by id', () => {
    const names = terminalNames(
      [
        { terminal: 'hall-display', role: 'display' },
        { terminal: 'kiosk-1', role: 'kiosk' },
        { terminal: 'pad-3', role: 'rating-pad', window: 3 },
        { terminal: 'window-3', role: 'window', window: 3 },
      ],
      'zh-CN',
    );
    expect(Object.fromEntries(names)).toEqual({ 'hall-display': '大厅屏', 'kiosk-1': '取号机', 'pad-3': '3号窗口评价器', 'window-3': '3号窗口终端' });
  });

  it('numbers kiosks in id order when the hall has several (kiosk-10 after kiosk-2)', () => {
    const names = terminalNames(['kiosk-10', 'kiosk-2', 'kiosk-1'].map((terminal) => ({ terminal, role: 'kiosk' })), 'zh-CN');
    expect([names.get('kiosk-1'), names.get('kiosk-2'), names.get('kiosk-10')]).toEqual(['取号机 1', '取号机 2', '取号机 3']);
  });

  it('names one of an unknown role by its id, one at no window by its role, and reads in English', () => {
    expect(terminalNames([{ terminal: 'lab-7', role: 'lab' }], 'zh-CN').get('lab-7')).toBe('lab-7');
    expect(terminalNames([{ terminal: 'w-x', role: 'window' }], 'zh-CN').get('w-x')).toBe('窗口终端');
    expect(terminalNames([{ terminal: 'pad-3', role: 'rating-pad', window: 3 }], 'en').get('pad-3')).toBe('Window 3 rating pad');
  });

  it('names a window’s own terminals in its tile by their kind alone, the window being said already; elsewhere in full', () => {
    const terminals = [
      { terminal: 'pad-1', role: 'rating-pad', window: 1 },
      { terminal: 'window-1', role: 'window', window: 1 },
      { terminal: 'pad-2', role: 'rating-pad', window: 2 },
    ];
    for (const [language, own] of [
      ['zh-CN', ['评价器', '终端', '2号窗口评价器']],
      ['en', ['Rating pad', 'Terminal', 'Window 2 rating pad']],
    ] as const) {
      const names = terminalNames(terminals, language);
      // Another window's pad, named from window 1's tile, keeps its window; the full names stay for the rest of the board.
      expect(terminals.map((t) => terminalNameAtWindow(t, 1, names, language))).toEqual(own);
      expect(names.get('pad-1')).toBe(language === 'en' ? 'Window 1 rating pad' : '1号窗口评价器');
    }
  });
});
