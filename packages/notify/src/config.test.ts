import { describe, expect, it } from 'vitest';
import { describeChannel, kindsOf, parseNotifyConfig, rateLimitOf, type NotifyConfig } from './config';

const WECOM = { id: 'duty', kind: 'wecom-robot', webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' };
const DINGTALK = {
  id: 'heads',
  kind: 'dingtalk-robot',
  webhook: 'https://oapi.dingtalk.com/robot/send?access_token=b955aaaa9af0ffb73500ce4a',
  secret: 'SECf094e0d33f815287ff3e75b9fd0d2f0dd15',
};
const TENCENT = {
  id: 'sms',
  kind: 'tencent-sms',
  secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  sdkAppId: '1400006666',
  signName: '滨江政务',
  templates: { 'phone-code': '1110', 'ticket-near': '1111', 'ticket-called': '1112' },
};

function ok(input: unknown): NotifyConfig {
  const checked = parseNotifyConfig(input);
  if (!checked.ok) throw new Error(checked.message);
  return checked.config;
}

function problems(input: unknown, language: 'zh-CN' | 'en' = 'zh-CN'): string[] {
  const checked = parseNotifyConfig(input, language);
  if (checked.ok) throw new Error('expected problems');
  return checked.problems;
}

describe('channel configuration', () => {
  it('takes the four kinds with their defaults: markdown robots, 20 a minute, Guangzhou, the documented endpoint', () => {
    const config = ok({ hall: '滨江区政务服务中心', channels: [WECOM, DINGTALK, TENCENT, { id: 'demo', kind: 'log-sms' }] });
    expect(config.channels.map((c) => c.kind)).toEqual(['wecom-robot', 'dingtalk-robot', 'tencent-sms', 'log-sms']);
    expect(config.channels[0]).toMatchObject({ format: 'markdown', language: 'zh-CN', enabled: true });
    expect(config.channels[2]).toMatchObject({ region: 'ap-guangzhou', endpoint: 'https://sms.tencentcloudapi.com', staffPhones: [] });
    expect(rateLimitOf(config.channels[0]!)).toEqual({ count: 20, perMs: 60_000 });
    expect(config.delivery).toMatchObject({ maxAttempts: 8, timeoutMs: 10_000 });
  });

  it('needs no channel at all: the console alone works', () => {
    expect(ok({ hall: '滨江区政务服务中心' }).channels).toEqual([]);
  });

  it('names each wrong field and says what is wrong, in Chinese, then in English on request', () => {
    const input = {
      hall: '滨江区政务服务中心',
      channels: [
        { ...WECOM, webhook: 'ftp://qyapi.weixin.qq.com/x' },
        { ...DINGTALK, secret: 'not-a-secret' },
        { ...TENCENT, sdkAppId: '14000', signName: '滨', region: 'mars' },
        { id: 'Bad Id', kind: 'pager' },
        { ...WECOM, id: 'duty2', secretKey: 'oops' },
      ],
    };
    expect(problems(input)).toEqual([
      'channels[0].webhook: 企业微信群机器人的 webhook 地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
      'channels[1].secret: 钉钉加签密钥应为机器人安全设置中以 SEC 开头的字符串',
      'channels[2].sdkAppId: 短信 SdkAppId 应为10位数字，例如 1400006666',
      'channels[2].signName: 短信签名应为2到12个字',
      'channels[2].region: 应为以下之一：ap-guangzhou, ap-beijing, ap-nanjing',
      expect.stringMatching(/^channels\[3\]\.kind: 渠道类型应为 wecom-robot/),
      'channels[4]: 不认识的字段：secretKey',
    ]);
    expect(problems(input, 'en')[0]).toBe('channels[0].webhook: a WeChat Work robot webhook looks like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…');
  });

  it('never repeats a value it was given: a secret in the wrong place stays out of the message', () => {
    const secret = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
    const checked = parseNotifyConfig({ hall: 'x', channels: [{ ...TENCENT, secretId: secret, secretKey: 42 }, { ...WECOM, webhook: `not a url ${secret}` }] });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.message).not.toContain(secret);
      expect(checked.message).not.toContain('42');
      expect(checked.problems).toContain('channels[0].secretKey: 类型不正确，应为string');
    }
  });

  it('allows plain http only to this machine (a stand-in server in a test)', () => {
    expect(ok({ hall: 'x', channels: [{ ...WECOM, webhook: 'http://127.0.0.1:4000/cgi-bin/webhook/send?key=k' }] }).channels).toHaveLength(1);
    expect(problems({ hall: 'x', channels: [{ ...WECOM, webhook: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }] })).toHaveLength(1);
    expect(problems({ hall: 'x', channels: [{ ...WECOM, webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }] })).toHaveLength(1);
  });

  it('refuses two channels with one id, citizen messages on a group robot, and an SMS kind without its template', () => {
    expect(
      problems({
        hall: 'x',
        channels: [
          { ...WECOM, notices: ['bad-rating', 'phone-code'] },
          { ...DINGTALK, id: 'duty' },
          { ...TENCENT, notices: ['ticket-called', 'bad-rating'] },
        ],
      }),
    ).toEqual(['channels[0].notices: 群机器人只发送给工作人员的提醒，不能发送phone-code', 'channels[1].id: 渠道编号重复：duty', 'channels[2].templates: 短信渠道要发送bad-rating，需要为它配置模板 ID']);
  });

  it('checks the delivery policy against itself', () => {
    expect(problems({ hall: 'x', delivery: { timeoutMs: 5_000, leaseMs: 1_000 } })).toEqual(['delivery.leaseMs: leaseMs 应大于 timeoutMs（一次发送的租期要比超时长）']);
    expect(problems({ hall: 'x', timeZone: 'Mars/Olympus' })).toEqual(['timeZone: 时区不正确，例如 Asia/Shanghai']);
  });

  it('normalises duty phones to E.164 and refuses what is not a mainland mobile number', () => {
    expect(ok({ hall: 'x', channels: [{ id: 'demo', kind: 'log-sms', staffPhones: ['138 0000 1111', '+86 139-0000-2222'] }] }).channels[0]).toMatchObject({
      staffPhones: ['+8613800001111', '+8613900002222'],
    });
    expect(problems({ hall: 'x', channels: [{ id: 'demo', kind: 'log-sms', staffPhones: ['12345'] }] })).toEqual(['channels[0].staffPhones[0]: 手机号码应为11位中国大陆手机号（可带 +86）']);
  });

  it('routes to a robot the staff alerts it lists, or all of them; to Tencent SMS the kinds it has templates for', () => {
    const config = ok({ hall: 'x', channels: [{ ...WECOM, notices: ['bad-rating'] }, DINGTALK, TENCENT] });
    expect(kindsOf(config.channels[0]!)).toEqual(['bad-rating']);
    expect(kindsOf(config.channels[1]!)).toContain('device-fault');
    expect(kindsOf(config.channels[1]!)).not.toContain('phone-code');
    expect(kindsOf(config.channels[2]!).sort()).toEqual(['phone-code', 'ticket-called', 'ticket-near']);
  });

  it('describes a channel for the console without its key, token, secret or credentials', () => {
    const config = ok({ hall: 'x', channels: [WECOM, DINGTALK, TENCENT] });
    const shown = JSON.stringify(config.channels.map(describeChannel));
    for (const secret of ['693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', 'b955aaaa9af0ffb73500ce4a', DINGTALK.secret, TENCENT.secretKey, TENCENT.secretId]) expect(shown).not.toContain(secret);
    expect(describeChannel(config.channels[1]!)).toMatchObject({ target: 'oapi.dingtalk.com', signed: true });
  });
});
