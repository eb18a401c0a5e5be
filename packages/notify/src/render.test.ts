import { describe, expect, it } from 'vitest';
import type { Notice } from './notices';
import { personalDataIn } from './privacy';
import { checkNotice, hallTime, renderNotice, smsParamsOf } from './render';

describe('a notice in words', () => {
  it.each<[Notice, string, string]>([
    [
      { kind: 'wait-threshold', serviceCode: 'HJ-01', item: '户籍迁入', waiting: 23, longestMinutes: 48, thresholdMinutes: 30 },
      '户籍迁入有23人等候，最长已等48分钟，超过设定的30分钟，请考虑增开窗口或调配窗口办理该事项。',
      '户籍迁入: 23 waiting, the longest for 48 min, past the set 30 min. Please consider opening a window or adding this item to one.',
    ],
    [
      { kind: 'wait-threshold', serviceCode: 'HJ-01', item: '户籍迁入', waiting: 20, longestMinutes: 12, thresholdMinutes: 30, waitingCount: 20 },
      '户籍迁入有20人等候，达到设定的20人（最长已等12分钟），请考虑增开窗口或调配窗口办理该事项。',
      '户籍迁入: 20 waiting, the set 20 reached (the longest for 12 min). Please consider opening a window or adding this item to one.',
    ],
    [
      { kind: 'wait-threshold', serviceCode: 'HJ-01', item: '户籍迁入', waiting: 25, longestMinutes: 31, thresholdMinutes: 30, waitingCount: 20 },
      '户籍迁入有25人等候，最长已等31分钟，超过设定的30分钟，请考虑增开窗口或调配窗口办理该事项。',
      '户籍迁入: 25 waiting, the longest for 31 min, past the set 30 min. Please consider opening a window or adding this item to one.',
    ],
    [
      { kind: 'appointment-withdrawn', item: '居民身份证换领', day: '2026-11-30' },
      '您预约11月30日办理的居民身份证换领，因本大厅不再办理该事项，已由大厅取消。请预约其他事项，或到大厅服务台咨询。',
      'Your booking for 居民身份证换领 on 30 Nov was cancelled by the hall, as the hall no longer offers this service. Please book another service, or ask at the service desk in the hall.',
    ],
    [{ kind: 'long-pause', window: 7, minutes: 35, allowedMinutes: 15 }, '7号窗口已暂停35分钟，超过允许的15分钟，请关注。', 'Window 7 has been paused for 35 min, past the 15 min allowed.'],
    [{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }, 'kiosk-1的打印机缺纸，请尽早处理。', 'kiosk-1: printer, out of paper. Please see to it soon.'],
    [
      { kind: 'device-fault', terminal: 'pad-5', device: 'keypad', fault: 'garbled' },
      'pad-5的评价按键信号无法识别，请尽早处理。',
      'pad-5: rating keys, its signal cannot be read. Please see to it soon.',
    ],
    [
      { kind: 'device-fault', terminal: '取号机 2', device: 'printer', fault: 'offline', detail: '串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）' },
      '取号机 2的打印机离线：串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）',
      '取号机 2: printer, offline: 串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）',
    ],
    [{ kind: 'devices-not-ready', terminals: ['取号机', '1号窗口评价器'], opensAt: '08:30' }, '2台终端尚未报告正常：取号机、1号窗口评价器。开厅时间08:30，请尽早检查。', '2 terminal(s) have not reported ready: 取号机, 1号窗口评价器. The hall opens at 08:30.'],
    [{ kind: 'device-fault', terminal: 'pad-3', device: 'keypad', fault: 'crc-burst' }, 'pad-3的评价按键出现故障（crc-burst），请尽早处理。', 'pad-3: rating keys, fault (crc-burst). Please see to it soon.'],
    [
      { kind: 'devices-not-ready', terminals: ['kiosk-2', 'window-5'], opensAt: '08:30' },
      '2台终端尚未报告正常：kiosk-2、window-5。开厅时间08:30，请尽早检查。',
      '2 terminal(s) have not reported ready: kiosk-2, window-5. The hall opens at 08:30.',
    ],
    [
      { kind: 'bad-rating', window: 3, level: 'very-dissatisfied', ticket: 'A012', item: '社保卡补办' },
      '3号窗口办理的A012号（社保卡补办）收到“非常不满意”评价，请部门负责人及时核实处理。',
      'Ticket A012 (社保卡补办) at window 3 was rated "Very dissatisfied". The department head is asked to look into it.',
    ],
    [{ kind: 'overdue', subject: 'complaint', reference: 'TS20240512003', due: '2024-05-20' }, '投诉TS20240512003已超过期限（2024-05-20），请尽早办理。', 'Complaint TS20240512003 is past its deadline (2024-05-20). Please see to it soon.'],
    [{ kind: 'ticket-called', ticket: 'B007', window: 12 }, '请B007号到12号窗口办理。', 'Ticket B007, please go to window 12.'],
    // The number is the citizen's 号码, not 您的A012号.
    [{ kind: 'ticket-near', ticket: 'A012', ahead: 3 }, '您的号码A012前面还有3人，请回到大厅留意叫号。', 'Ticket A012: 3 ahead of you. Please come back to the hall and watch for your number.'],
  ])('%j', (notice, zh, en) => {
    expect(renderNotice(notice, 'zh-CN').text).toBe(zh);
    expect(renderNotice(notice, 'en').text).toBe(en);
  });

  it('gives an SMS template its variables in order, each at most 12 characters', () => {
    expect(smsParamsOf({ kind: 'ticket-near', ticket: 'A012', ahead: 3 })).toEqual(['A012', '3']);
    expect(smsParamsOf({ kind: 'phone-code', code: '402913', minutes: 5 })).toEqual(['402913', '5']);
    const long = smsParamsOf({ kind: 'bad-rating', window: 3, level: 'dissatisfied', ticket: 'A012', item: '不动产登记资料查询及证明开具服务' });
    expect(long).toEqual(['3', 'A012', '不动产登记资料查询及证…', '不满意']);
    expect([...long[2]!].length).toBe(12);
  });

  it("shows the time in the hall's zone", () => {
    expect(hallTime(Date.UTC(2024, 4, 12, 1, 5), 'Asia/Shanghai')).toBe('09:05');
    expect(hallTime(Date.UTC(2024, 4, 12, 16, 0), 'Asia/Shanghai')).toBe('00:00');
  });
});

describe('what a notice may carry (H-19)', () => {
  it('refuses a field for a name, however it is spelled', () => {
    for (const extra of [{ applicant: '张三' }, { name: '张三' }, { clerk: '李四' }]) {
      const checked = checkNotice({ kind: 'ticket-called', ticket: 'A012', window: 3, ...extra });
      expect(checked).toMatchObject({ ok: false, code: 'bad-notice' });
    }
  });

  it('refuses an ID number or a phone number where a reference, a terminal or an item should be', () => {
    const cases: unknown[] = [
      { kind: 'overdue', subject: 'case-route', reference: '11010519491231002X', due: '2024-05-20' },
      { kind: 'overdue', subject: 'case-route', reference: '110105491231002', due: '2024-05-20' },
      { kind: 'terminal-offline', terminal: '13800001111', minutes: 3 },
      { kind: 'wait-threshold', serviceCode: 'X', item: '咨询 13800001111', waiting: 1, longestMinutes: 1, thresholdMinutes: 1 },
    ];
    for (const notice of cases) expect(checkNotice(notice)).toMatchObject({ ok: false, code: 'personal-data', text: expect.stringContaining('身份证号') });
  });

  it('takes a device’s detail of one line, and no personal data in it', () => {
    const fault = { kind: 'device-fault', terminal: '取号机', device: 'printer', fault: 'offline' };
    expect(checkNotice({ ...fault, detail: '串口 /dev/ttyUSB0 不存在' }).ok).toBe(true);
    expect(checkNotice({ ...fault, detail: 'Error: gone\n    at open (serial.ts:1)' })).toMatchObject({ ok: false, code: 'bad-notice' });
    expect(checkNotice({ ...fault, detail: '请致电 13800001111' })).toMatchObject({ ok: false, code: 'personal-data' });
  });

  it("lets a case number through: it is the hall's own number, not a person's", () => {
    expect(checkNotice({ kind: 'overdue', subject: 'follow-up', reference: 'SL202405120001', due: '2024-05-20' }).ok).toBe(true);
    expect(personalDataIn('SL202405120001')).toEqual([]);
  });

  it('refuses a ticket number that is not one', () => {
    expect(checkNotice({ kind: 'ticket-near', ticket: 'a12', ahead: 2 }).ok).toBe(false);
    expect(checkNotice({ kind: 'ticket-near', ticket: 'A012', ahead: 2 }).ok).toBe(true);
  });
});
