import { describe, expect, it } from 'vitest';
import { STRINGS } from './i18n';
import { channelName, terminalNames } from './terminal-names';

const zh = STRINGS['zh-CN'];

describe('the terminals on the live board, as staff name them', () => {
  it('names the demo hall’s terminals by kind and window, not by id', () => {
    const names = terminalNames(zh, [
      { terminal: 'hall-display', role: 'display' },
      { terminal: 'kiosk-1', role: 'kiosk' },
      { terminal: 'pad-3', role: 'rating-pad', window: 3 },
      { terminal: 'window-3', role: 'window', window: 3 },
    ]);
    expect(Object.fromEntries(names)).toEqual({ 'hall-display': '大厅屏', 'kiosk-1': '取号机', 'pad-3': '3号窗口评价器', 'window-3': '3号窗口终端' });
  });

  it('numbers kiosks in id order when the hall has several (kiosk-10 after kiosk-2)', () => {
    const names = terminalNames(zh, ['kiosk-10', 'kiosk-2', 'kiosk-1'].map((terminal) => ({ terminal, role: 'kiosk' })));
    expect([names.get('kiosk-1'), names.get('kiosk-2'), names.get('kiosk-10')]).toEqual(['取号机 1', '取号机 2', '取号机 3']);
  });

  it('names one of an unknown role by its id, and reads in English', () => {
    expect(terminalNames(zh, [{ terminal: 'lab-7', role: 'lab' }]).get('lab-7')).toBe('lab-7');
    expect(terminalNames(STRINGS.en, [{ terminal: 'pad-3', role: 'rating-pad', window: 3 }]).get('pad-3')).toBe('Window 3 rating pad');
  });
});

describe('a notification channel on the board', () => {
  it('is named by its kind in Chinese when it has no name, by its name when it has one', () => {
    expect(channelName(zh, { id: 'demo-sms', kind: 'log-sms' })).toBe('短信（写入日志）');
    expect(channelName(zh, { id: 'duty', kind: 'wecom-robot', name: '值班群' })).toBe('值班群');
  });
});
