import { describe, expect, it } from 'vitest';
import { channelName } from './channel-name';
import { STRINGS } from './i18n';

const zh = STRINGS['zh-CN'];

describe('a notification channel on the board', () => {
  it('is named by its kind in Chinese when it has no name, by its name when it has one', () => {
    expect(channelName(zh, { id: 'demo-sms', kind: 'log-sms' })).toBe('短信（写入日志）');
    expect(channelName(zh, { id: 'duty', kind: 'wecom-robot', name: '值班群' })).toBe('值班群');
  });
});
