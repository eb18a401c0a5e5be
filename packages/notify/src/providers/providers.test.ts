import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig, type ChannelConfig } from '../config';
import type { Notice } from '../notices';
import { smsTemplateContent } from '../strings';
import { DingtalkStandIn, TencentSmsStandIn, WecomStandIn, type StandIn } from '../testing';
import { MAX_ANSWER_BYTES, send } from './http';
import { createProvider } from './index';
import { classifyDingtalk, classifyWecom, dingtalkSign } from './robots';
import { classifyTencentSms } from './sms';
import type { NotifyLogger, Provider } from './types';

const HALL = { hall: '滨江区政务服务中心', timeZone: 'Asia/Shanghai' };
const AT = Date.UTC(2024, 4, 13, 1, 30); // 09:30 in the hall
const BAD_RATING: Notice = { kind: 'bad-rating', window: 3, level: 'very-dissatisfied', ticket: 'A012', item: '社保卡补办', department: 'rsj' };
const silent: NotifyLogger = { info: () => {}, warn: () => {} };

const standIns: StandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});
async function keep<T extends StandIn>(standIn: Promise<T>): Promise<T> {
  const s = await standIn;
  standIns.push(s);
  return s;
}

function channel(input: Record<string, unknown>): ChannelConfig {
  const checked = parseNotifyConfig({ hall: HALL.hall, channels: [input] });
  if (!checked.ok) throw new Error(checked.message);
  return checked.config.channels[0]!;
}

async function sendOnce(provider: Provider, notice: Notice, now: number, recipient?: string) {
  const request = provider.prepare({ notice, at: AT, ...(recipient ? { recipient } : {}) }, now);
  return { request, answer: await provider.deliver(request, AbortSignal.timeout(5_000)) };
}

describe('WeChat Work group robot', () => {
  it('posts the documented markdown message and reads errcode 0 as delivered', async () => {
    const robot = await keep(WecomStandIn.start({ keys: ['k-duty'] }));
    const provider = createProvider(channel({ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook('k-duty') }), HALL, silent);
    const { answer } = await sendOnce(provider, BAD_RATING, AT);
    expect(answer).toMatchObject({ outcome: 'delivered', status: 200, detail: 'errcode 0 ok' });
    expect(robot.received[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(robot.received[0]!.json).toEqual({
      msgtype: 'markdown',
      markdown: {
        content:
          '### 【滨江区政务服务中心】差评提醒\n3号窗口办理的A012号（社保卡补办）收到“非常不满意”评价，请部门负责人及时核实处理。\n> <font color="comment">09:30</font>',
      },
    });
  });

  it('posts the documented text message, cut to 2048 bytes when a list runs long', async () => {
    const robot = await keep(WecomStandIn.start({ keys: ['k'] }));
    const provider = createProvider(channel({ id: 'duty', kind: 'wecom-robot', format: 'text', language: 'en', webhook: robot.webhook('k') }), HALL, silent);
    await sendOnce(provider, { kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }, AT);
    expect(robot.received[0]!.json).toEqual({ msgtype: 'text', text: { content: '【滨江区政务服务中心】Device fault\nkiosk-1: printer, out of paper. Please see to it soon.\n09:30' } });
    const many = Array.from({ length: 50 }, (_, i) => `${'t'.repeat(36)}-${String(i).padStart(3, '0')}`);
    const { answer } = await sendOnce(provider, { kind: 'devices-not-ready', terminals: many, opensAt: '08:30' }, AT);
    expect(answer.outcome).toBe('delivered');
    const content = (robot.received[1]!.json as { text: { content: string } }).text.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
  });

  it('reads an unknown key as a refusal and its rate limit as a pause of a minute', async () => {
    const robot = await keep(WecomStandIn.start({ keys: ['k'], perMinute: 2 }));
    const wrong = createProvider(channel({ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook('wrong') }), HALL, silent);
    expect((await sendOnce(wrong, BAD_RATING, AT)).answer).toMatchObject({ outcome: 'rejected', detail: 'errcode 93000 invalid webhook url' });
    const right = createProvider(channel({ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook('k') }), HALL, silent);
    await sendOnce(right, BAD_RATING, AT);
    await sendOnce(right, BAD_RATING, AT);
    expect((await sendOnce(right, BAD_RATING, AT)).answer).toMatchObject({ outcome: 'rate-limited', pauseChannelMs: 60_000, detail: 'errcode 45009 api freq out of limit' });
  });
});

describe('DingTalk custom robot', () => {
  const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';

  it('signs as the documentation says: Base64(HmacSHA256(secret, timestamp + "\\n" + secret))', () => {
    // Computed with the Python example of DingTalk's documentation for this timestamp and secret.
    expect(dingtalkSign(SECRET, 1700000000000)).toBe('8SZas7RY4E7wuOlgLfjLwHSKZpyUEdXdLvFYSDZiiFw=');
  });

  it('posts a signed markdown message that the robot checks and accepts', async () => {
    const now = Date.now();
    const robot = await keep(DingtalkStandIn.start({ robots: [{ token: 't-heads', secret: SECRET }] }));
    const provider = createProvider(channel({ id: 'heads', kind: 'dingtalk-robot', webhook: robot.webhook('t-heads'), secret: SECRET }), HALL, silent);
    const { request, answer } = await sendOnce(provider, BAD_RATING, now);
    expect(answer).toMatchObject({ outcome: 'delivered', detail: 'errcode 0 ok' });
    const url = new URL(request.url);
    expect(url.searchParams.get('timestamp')).toBe(String(now));
    expect(url.searchParams.get('sign')).toBe(dingtalkSign(SECRET, now));
    // Encoded once: a "+" or "/" of the Base64 travels as %2B or %2F.
    expect(request.url).not.toMatch(/sign=[^&]*[+/]/);
    expect(robot.received[0]!.json).toEqual({
      msgtype: 'markdown',
      markdown: { title: '差评提醒', text: '#### 【滨江区政务服务中心】差评提醒\n\n3号窗口办理的A012号（社保卡补办）收到“非常不满意”评价，请部门负责人及时核实处理。\n\n> 09:30' },
    });
  });

  it('is refused (310000) with a wrong secret or a timestamp more than an hour off, and the refusal is final', async () => {
    const now = Date.now();
    const robot = await keep(DingtalkStandIn.start({ robots: [{ token: 't', secret: SECRET }] }));
    const wrongSecret = createProvider(channel({ id: 'h', kind: 'dingtalk-robot', webhook: robot.webhook('t'), secret: 'SECnotthesecret0000' }), HALL, silent);
    expect((await sendOnce(wrongSecret, BAD_RATING, now)).answer).toMatchObject({ outcome: 'rejected', detail: 'errcode 310000 sign not match' });
    const right = createProvider(channel({ id: 'h', kind: 'dingtalk-robot', webhook: robot.webhook('t'), secret: SECRET }), HALL, silent);
    expect((await sendOnce(right, BAD_RATING, now - 2 * 3_600_000)).answer).toMatchObject({ outcome: 'rejected', detail: 'errcode 310000 invalid timestamp' });
    const unsigned = createProvider(channel({ id: 'h', kind: 'dingtalk-robot', webhook: robot.webhook('t') }), HALL, silent);
    expect((await sendOnce(unsigned, BAD_RATING, now)).answer.outcome).toBe('rejected');
    expect(robot.accepted).toHaveLength(0);
  });

  it("adds the robot's keyword when the message lacks it, so that a keyword-secured robot takes it", async () => {
    const robot = await keep(DingtalkStandIn.start({ robots: [{ token: 't', keywords: ['政务提醒'] }] }));
    const bare = createProvider(channel({ id: 'h', kind: 'dingtalk-robot', format: 'text', webhook: robot.webhook('t') }), HALL, silent);
    expect((await sendOnce(bare, BAD_RATING, AT)).answer).toMatchObject({ outcome: 'rejected', detail: 'errcode 310000 keywords not in content' });
    const withKeyword = createProvider(channel({ id: 'h', kind: 'dingtalk-robot', format: 'text', keyword: '政务提醒', webhook: robot.webhook('t') }), HALL, silent);
    expect((await sendOnce(withKeyword, BAD_RATING, AT)).answer.outcome).toBe('delivered');
    expect(robot.messages[0]!.content.endsWith('\n政务提醒')).toBe(true);
  });

  it('reads "send too fast" as a ten-minute pause, as the robot then blocks for ten minutes', async () => {
    const robot = await keep(DingtalkStandIn.start({ robots: [{ token: 't' }], perMinute: 1 }));
    const provider = createProvider(channel({ id: 'h', kind: 'dingtalk-robot', webhook: robot.webhook('t') }), HALL, silent);
    await sendOnce(provider, BAD_RATING, AT);
    expect((await sendOnce(provider, BAD_RATING, AT)).answer).toMatchObject({ outcome: 'rate-limited', pauseChannelMs: 600_000, detail: 'errcode 130101 send too fast, exceed 20 times per minute' });
  });
});

describe('Tencent Cloud SMS', () => {
  const SETUP = { secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE', sdkAppId: '1400006666', signName: '滨江政务' };
  const TEMPLATES = { '1110': smsTemplateContent('phone-code'), '1112': smsTemplateContent('ticket-called') };

  function tencent(endpoint: string, overrides: Record<string, unknown> = {}) {
    return createProvider(channel({ id: 'sms', kind: 'tencent-sms', ...SETUP, endpoint, templates: { 'phone-code': '1110', 'ticket-called': '1112' }, ...overrides }), HALL, silent);
  }

  it('sends SendSms with the documented JSON and TC3 headers, which the stand-in verifies', async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...SETUP, templates: TEMPLATES }));
    const now = Date.now();
    const { request, answer } = await sendOnce(tencent(sms.endpoint), { kind: 'ticket-called', ticket: 'B007', window: 12 }, now, '+8613800001111');
    expect(answer).toMatchObject({ outcome: 'delivered', detail: 'Ok send success' });
    expect(JSON.parse(request.body)).toEqual({ PhoneNumberSet: ['+8613800001111'], SmsSdkAppId: '1400006666', SignName: '滨江政务', TemplateId: '1112', TemplateParamSet: ['B007', '12'] });
    expect(request.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'X-TC-Action': 'SendSms',
      'X-TC-Version': '2021-01-11',
      'X-TC-Region': 'ap-guangzhou',
      'X-TC-Timestamp': String(Math.floor(now / 1000)),
    });
    expect(request.headers.Authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\/\d{4}-\d{2}-\d{2}\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/);
    expect(sms.sent).toEqual([{ phone: '+8613800001111', templateId: '1112', params: ['B007', '12'], text: '请B007号到12号窗口办理。', signName: '滨江政务' }]);
  });

  it('is refused with a wrong key (AuthFailure.SignatureFailure) or a stale clock (SignatureExpire)', async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...SETUP, templates: TEMPLATES }));
    const wrong = tencent(sms.endpoint, { secretKey: 'AnotherSecretKey0000000000000000' });
    expect((await sendOnce(wrong, { kind: 'phone-code', code: '402913', minutes: 5 }, Date.now(), '+8613800001111')).answer).toMatchObject({
      outcome: 'rejected',
      detail: expect.stringMatching(/^AuthFailure\.SignatureFailure/),
    });
    expect((await sendOnce(tencent(sms.endpoint), { kind: 'phone-code', code: '402913', minutes: 5 }, Date.now() - 600_000, '+8613800001111')).answer).toMatchObject({
      outcome: 'retry',
      detail: expect.stringMatching(/^AuthFailure\.SignatureExpire/),
    });
    expect(sms.sent).toEqual([]);
  });

  it("waits 30 seconds when a number had a message less than 30 seconds ago", async () => {
    const sms = await keep(TencentSmsStandIn.start({ ...SETUP, templates: TEMPLATES }));
    const provider = tencent(sms.endpoint);
    await sendOnce(provider, { kind: 'phone-code', code: '402913', minutes: 5 }, Date.now(), '+8613800001111');
    const { answer } = await sendOnce(provider, { kind: 'ticket-called', ticket: 'B007', window: 12 }, Date.now(), '+8613800001111');
    expect(answer).toMatchObject({ outcome: 'retry', reason: 'recipient-limit', retryAfterMs: 30_000 });
  });

  it('cannot prepare a kind it has no template for', () => {
    expect(() => tencent('https://sms.tencentcloudapi.com').prepare({ notice: BAD_RATING, at: AT, recipient: '+8613800001111' }, AT)).toThrow(/no SMS template for bad-rating/);
  });
});

describe('a webhook that answers without end', () => {
  it('is read up to 64 KiB, then left as an answer that may have been acted on; the hub does not hold it until the timeout', async () => {
    let written = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"errcode":0,"errmsg":"');
      // 16 KiB every 5 ms, for as long as anyone reads.
      const beat = setInterval(() => {
        written += 16 * 1024;
        if (!res.write('x'.repeat(16 * 1024))) res.once('drain', () => undefined);
      }, 5);
      res.on('close', () => clearInterval(beat));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/webhook/send?key=k`;
      const result = await send({ url, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }, AbortSignal.timeout(20_000));
      expect(result).toEqual({ kind: 'network', message: `the answer ran past ${MAX_ANSWER_BYTES} bytes`, sent: true });
      expect(written).toBeGreaterThan(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the providers' documented answers", () => {
  const ok200 = (body: unknown) => [200, JSON.stringify(body)] as const;
  it.each<[string, readonly [number, string], string, string?]>([
    ['WeChat Work ok', ok200({ errcode: 0, errmsg: 'ok' }), 'delivered'],
    ['WeChat Work rate limit', ok200({ errcode: 45009, errmsg: 'api freq out of limit' }), 'rate-limited'],
    ['WeChat Work bad key', ok200({ errcode: 93000, errmsg: 'invalid webhook url' }), 'rejected'],
    ['WeChat Work too long', ok200({ errcode: 40058, errmsg: 'markdown.content exceed max length 4096' }), 'rejected'],
    ['WeChat Work busy', ok200({ errcode: -1, errmsg: 'system busy' }), 'retry', 'server-error'],
    ['WeChat Work undocumented code', ok200({ errcode: 99999, errmsg: '?' }), 'retry', 'bad-answer'],
    ['WeChat Work gateway', [502, '<html>'], 'retry', 'server-error'],
    ['WeChat Work not JSON', [200, 'ok'], 'retry', 'bad-answer'],
    ['HTTP 429', [429, ''], 'rate-limited'],
    ['HTTP 404', [404, ''], 'rejected'],
  ])('%s', (_, [status, text], outcome, reason) => {
    const answer = classifyWecom(status, text);
    expect(answer.outcome).toBe(outcome);
    if (reason) expect(answer.reason).toBe(reason);
  });

  it.each<[number, string]>([
    [0, 'delivered'],
    [130101, 'rate-limited'],
    [410100, 'rate-limited'],
    [300001, 'rejected'],
    [310000, 'rejected'],
    [400102, 'rejected'],
    [-1, 'retry'],
  ])('DingTalk errcode %i is %s', (errcode, outcome) => {
    expect(classifyDingtalk(200, JSON.stringify({ errcode, errmsg: 'x' })).outcome).toBe(outcome);
  });

  const error = (Code: string) => JSON.stringify({ Response: { Error: { Code, Message: 'm' }, RequestId: 'r' } });
  const status = (Code: string) => JSON.stringify({ Response: { SendStatusSet: [{ SerialNo: 's', PhoneNumber: '+8613800001111', Fee: 1, SessionContext: '', Code, Message: 'm', IsoCode: 'CN' }], RequestId: 'r' } });
  it.each<[string, string, string, string]>([
    ['Ok', status('Ok'), 'delivered', 'delivered'],
    ['a wrong number', status('InvalidParameterValue.IncorrectPhoneNumber'), 'rejected', 'rejected'],
    ['a number blocked', status('FailedOperation.PhoneNumberInBlacklist'), 'rejected', 'rejected'],
    ['a number within 30 s', status('LimitExceeded.PhoneNumberThirtySecondLimit'), 'retry', 'recipient-limit'],
    ['a number at its daily limit', status('LimitExceeded.PhoneNumberDailyLimit'), 'rejected', 'recipient-limit'],
    ['an unapproved template', error('FailedOperation.TemplateIncorrectOrUnapproved'), 'rejected', 'rejected'],
    ['an empty package', error('FailedOperation.InsufficientBalanceInSmsPackage'), 'rejected', 'rejected'],
    ['a wrong signature', error('AuthFailure.SignatureFailure'), 'rejected', 'rejected'],
    ["Tencent's timeout", error('InternalError.Timeout'), 'retry', 'server-error'],
    ['too many requests', error('RequestLimitExceeded'), 'rate-limited', 'rate-limited'],
    ['nothing it knows', JSON.stringify({ Response: { RequestId: 'r' } }), 'retry', 'bad-answer'],
  ])('Tencent SMS: %s', (_, text, outcome, reason) => {
    expect(classifyTencentSms(200, text)).toMatchObject({ outcome, reason });
  });
});
