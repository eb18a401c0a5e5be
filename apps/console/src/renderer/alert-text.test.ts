import { emptyView, hallTerminalNames, type AlertSubject, type Catalogue, type HallAlert } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { alertText } from './alert-text';
import { STRINGS } from './i18n';

const zh = STRINGS['zh-CN'];
const alert = (subject: AlertSubject): HallAlert => ({ id: 'a@1', key: 'a', subject, raisedAt: 1 });
const view = emptyView({ hall: { name: '滨江', timeZone: 'Asia/Shanghai' }, items: [], windows: [], clerks: [] } as unknown as Catalogue, '2026-11-27');
const presence = [
  { terminal: 'kiosk-1', role: 'kiosk', online: true },
  { terminal: 'pad-1', role: 'rating-pad', window: 1, online: true },
  { terminal: 'win-1', role: 'window', window: 1, online: false },
];
const names = hallTerminalNames(view, presence, 'zh-CN');

describe('a device alert as the supervisor reads it', () => {
  it('names the terminal as the board does, not by its id', () => {
    expect(alertText(alert({ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }), zh, 'zh-CN', names)).toBe('取号机的打印机：缺纸。');
    expect(alertText(alert({ kind: 'terminal-offline', terminal: 'win-1', minutes: 6 }), zh, 'zh-CN', names)).toBe('1号窗口终端已离线 6 分钟，请检查网络和电源。');
    expect(alertText(alert({ kind: 'devices-not-ready', terminals: ['kiosk-1', 'pad-1'], opensAt: '08:30' }), zh, 'zh-CN', names)).toBe('以下终端尚未报告正常：取号机、1号窗口评价器。开厅时间 08:30。');
  });

  it('says what the terminal said of the fault: which port, what to do', () => {
    const detail = '串口 /dev/ttyUSB0 不存在：请检查设备是否插好、通电';
    expect(alertText(alert({ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'offline', detail }), zh, 'zh-CN', names)).toBe(`取号机的打印机：未连接。${detail}。`);
    expect(alertText(alert({ kind: 'device-fault', terminal: 'pad-1', device: 'keypad', fault: 'write-failed', detail: '无法回复按键器。' }), STRINGS.en, 'en', hallTerminalNames(view, presence, 'en'))).toBe(
      'Window 1 rating pad: rating keys, the device took no data. 无法回复按键器。',
    );
  });

  it('names a terminal the hub does not list by its id', () => {
    expect(alertText(alert({ kind: 'terminal-offline', terminal: 'lab-9', minutes: 6 }), zh, 'zh-CN', names)).toBe('lab-9已离线 6 分钟，请检查网络和电源。');
  });
});

describe('the alert of a hall whose hub has no standby in step', () => {
  it('says whether the standby is gone or behind, for how long, what it risks and what to check, in each language', () => {
    expect(alertText(alert({ kind: 'standby-unlinked', state: 'none', minutes: 7 }), zh, 'zh-CN', names)).toBe(
      '备用主机已断开 7 分钟：主机电脑此时出故障，大厅无法自动切换，未同步的号码可能丢失。请检查备用主机是否开机运行、两台主机之间的网络是否连通（详见主机日志）。',
    );
    expect(alertText(alert({ kind: 'standby-unlinked', state: 'behind', minutes: 5 }), zh, 'zh-CN', names)).toMatch(/^备用主机已落后 5 分钟，主机不等它确认就答复：/);
    expect(alertText(alert({ kind: 'standby-unlinked', state: 'none', minutes: 7 }), STRINGS.en, 'en', names)).toMatch(/^The standby hub has been unlinked for 7 min: should the hub's PC fail now, the hall cannot switch over/);
  });
});
