import { NOTICE_KINDS } from '@servicehall/notify/notices';
import { describe, expect, it } from 'vitest';
import { channelName, noticeKindName } from './channel-name';
import { STRINGS } from './i18n';

const zh = STRINGS['zh-CN'];

describe('a notification channel on the board', () => {
  it('is named by its kind in Chinese when it has no name, by its name when it has one', () => {
    expect(channelName(zh, { id: 'demo-sms', kind: 'log-sms' })).toBe('短信（写入日志）');
    expect(channelName(zh, { id: 'duty', kind: 'wecom-robot', name: '值班群' })).toBe('值班群');
  });

  it('names every kind of notice the hub sends in each language, never by its key (the demo SMS channel read …叫号通知、appointment-withdrawn)', () => {
    for (const language of ['zh-CN', 'en'] as const)
      for (const kind of NOTICE_KINDS) {
        const name = noticeKindName(STRINGS[language], kind);
        expect(name, `${language} ${kind}`).not.toBe(kind);
        if (language === 'zh-CN') expect(name, kind).toMatch(/[\u4e00-\u9fff]/);
      }
    expect(noticeKindName(zh, 'appointment-withdrawn')).toBe('预约由大厅取消');
    expect(noticeKindName(STRINGS.en, 'appointment-withdrawn')).toBe('Booking cancelled by the hall');
  });
});
