import { ticketWait } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { smsTemplateContent } from '@servicehall/notify';
import { TencentSmsStandIn } from '@servicehall/notify/testing';
import type { PhoneAppointment, PhoneMine, PhoneSlots, PhoneTicket } from '@servicehall/protocol/phone';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { randomBytes } from 'node:crypto';
import { migrate } from './db';
import { createLogger, useLogger } from './log';
import { KEY_FILE } from './files';
import { PhoneBook, PhoneVault } from './phones';
import { startHub, type HubOptions, type RunningHub } from './server';

const TOKEN = 'hall-token-for-phones';
const TENCENT = { secretId: 'AKIDphonetest00000000000000000000', secretKey: 'tencentSecretKeyForPhones0000000', sdkAppId: '1400008888', signName: '滨江政务' };
const TEMPLATES = { 'phone-code': '2001', 'ticket-near': '2002', 'ticket-called': '2003', 'appointment-withdrawn': '2004' };
const PHONE = '13800001111';
const OTHER = '13900002222';
const ITEM = 'GA-SFZ-HL';

let hub: RunningHub;
let sms: TencentSmsStandIn;
let dir: string;
let now: number;

async function start(extra: Partial<HubOptions> = {}): Promise<RunningHub> {
  return startHub({
    dataDir: dir,
    token: TOKEN,
    seed: demoCatalogue(),
    clock: () => now,
    notify: { channels: [{ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: TEMPLATES }] },
    ...extra,
  });
}

beforeEach(async () => {
  now = Date.parse('2026-11-27T09:00:00+08:00');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-'));
  sms = await TencentSmsStandIn.start({
    ...TENCENT,
    templates: Object.fromEntries(Object.entries(TEMPLATES).map(([kind, id]) => [id, smsTemplateContent(kind as keyof typeof TEMPLATES)])),
    clock: () => now,
  });
  hub = await start();
});
afterEach(async () => {
  await hub.close();
  await sms.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T = any>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const res = await fetch(hub.url + route, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}
const admin = (method: string, route: string, body?: unknown) => call(method, route, body, { authorization: `Bearer ${TOKEN}` });

const codesTo = (phone: string) => sms.sent.filter((m) => m.phone === `+86${phone}` && m.templateId === TEMPLATES['phone-code']);

/** The one-time code the SMS stand-in delivers to `phone` after `before` codes. */
async function codeSentTo(phone: string, before = 0): Promise<string> {
  await expect.poll(() => codesTo(phone).length, { timeout: 5000 }).toBeGreaterThan(before);
  return codesTo(phone).at(-1)!.params[0]!;
}

/** Verifies `phone` with the code the SMS brought; answers the session. */
async function verify(phone = PHONE): Promise<string> {
  const before = codesTo(phone).length;
  expect((await call('POST', '/api/phone/code', { phone })).status).toBe(202);
  const v = await call('POST', '/api/phone/verify', { phone, code: await codeSentTo(phone, before) });
  expect(v.status).toBe(200);
  now += 61_000;
  return v.body.session;
}

const take = (session: string, serviceCode = ITEM, key?: string) =>
  call<{ ok: boolean; ticket: PhoneTicket; code?: string }>('POST', '/api/phone/tickets', { serviceCode }, { 'x-phone-session': session, ...(key ? { 'idempotency-key': key } : {}) });

/** An SSE stream read with fetch, as a phone's EventSource would. */
async function follow(ref: string) {
  const controller = new AbortController();
  const res = await fetch(`${hub.url}/api/phone/tickets/${ref}/watch`, { signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const seen: PhoneTicket[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  const pump = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: ticket') && data) seen.push(JSON.parse(data.slice(6)) as PhoneTicket);
      }
    }
  })();
  return {
    seen,
    last: () => seen.at(-1),
    async close() {
      controller.abort();
      await pump;
    },
  };
}

async function openWindow(n = 1, clerk = '1001') {
  expect((await admin('POST', `/api/windows/${n}/open`, { clerk })).status).toBe(200);
}
const issue = async (serviceCode = ITEM) => (await admin('POST', '/api/tickets', { serviceCode })).body.ticket;

/** Window 1 open and `before` numbers taken at the kiosk, then one by phone, followed on its stream until that shows them ahead. */
async function takeAndFollow(before: number) {
  await openWindow();
  for (let i = 0; i < before; i++) await issue();
  const session = await verify();
  const { ticket } = (await take(session)).body;
  expect(ticket.ahead).toBe(before);
  const stream = await follow(ticket.ref);
  await expect.poll(() => stream.last()?.ahead).toBe(before);
  return { ticket, stream };
}
const callNext = (n = 1) => admin('POST', `/api/windows/${n}/call-next`);
const finish = async (n = 1) => {
  await admin('POST', `/api/windows/${n}/start`);
  await admin('POST', `/api/windows/${n}/finish`);
};

describe('a phone number verified by a one-time code (N-06)', () => {
  it('sends the code by SMS and opens a session with it; a wrong or spent code opens nothing', async () => {
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    const code = await codeSentTo(PHONE);
    expect(code).toMatch(/^\d{6}$/);
    expect(sms.sent.at(-1)!.text).toContain(`您的验证码为${code}`);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await call('POST', '/api/phone/verify', { phone: PHONE, code: wrong })).toMatchObject({ status: 401, body: { code: 'phone-unverified', text: expect.stringContaining('验证码') } });
    const ok = await call('POST', '/api/phone/verify', { phone: `+86 ${PHONE}`, code });
    // How long the session lasts, for a phone whose clock is not the hub's (the page keeps it by its own).
    expect(ok).toMatchObject({ status: 200, body: { ok: true, phone: '138****1111', session: expect.any(String), expiresInMs: 12 * 3600_000 } });
    expect((await call('POST', '/api/phone/verify', { phone: PHONE, code })).status).toBe(401);
  });

  it('sends and checks no code on a hub that is not in charge (a standby, a primary holding at its start): 503, nothing kept, no SMS', async () => {
    const before = codesTo(PHONE).length;
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    const code = await codeSentTo(PHONE, before);
    hub.store.role.follow();
    now += 61_000;
    const again = await call('POST', '/api/phone/code', { phone: OTHER });
    expect(again.status).toBe(503);
    expect(again.body).toMatchObject({ ok: false, code: 'not-in-charge', text: '系统正在切换到备用服务器，请稍候片刻自动重试。' });
    const verified = await call('POST', '/api/phone/verify', { phone: PHONE, code });
    expect(verified.status).toBe(503);
    expect(verified.body.code).toBe('not-in-charge');
    await new Promise((r) => setTimeout(r, 300));
    expect(codesTo(OTHER)).toHaveLength(0);
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM phone_codes').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('sends one code a minute and five a day to a number, and refuses what is not a mobile number', async () => {
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    expect(await call('POST', '/api/phone/code', { phone: PHONE })).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
    for (let i = 0; i < 4; i++) {
      now += 61_000;
      expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    }
    now += 61_000;
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(429);
    expect(await call('POST', '/api/phone/code', { phone: '12345678' })).toMatchObject({ status: 400, body: { code: 'bad-request' } });
  });

  it('says when the next code may be sent to a phone that asks again within the minute (Retry-After, which the page counts down)', async () => {
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    now += 20_000;
    const again = await call('POST', '/api/phone/code', { phone: PHONE });
    expect(again).toMatchObject({ status: 429, body: { code: 'rate-limited', codeSent: true, text: expect.stringContaining('稍候') } });
    expect(again.headers.get('retry-after')).toBe('40');
    now += 40_000;
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
  });

  it('sends only the newest code when the SMS provider was slow and the citizen asked again: the earlier one, no longer valid, is withdrawn', async () => {
    sms.failNext({ kind: 'status', status: 502 });
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    await expect.poll(() => sms.received.length, { timeout: 5000 }).toBe(1);
    const outbox = () => hub.notifications.notifier.outbox.list().filter((e) => e.kind === 'phone-code');
    expect(outbox().map((e) => e.state)).toEqual(['pending']);
    // A minute on, the citizen asks again; the provider answers again.
    now += 61_000;
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
    const code = await codeSentTo(PHONE);
    await expect.poll(() => outbox().map((e) => e.state).sort(), { timeout: 10_000 }).toEqual(['delivered', 'expired']);
    expect(codesTo(PHONE)).toHaveLength(1);
    expect((await call('POST', '/api/phone/verify', { phone: PHONE, code })).status).toBe(200);
  });

  it('tells a phone whose five codes of the day are spent to come back tomorrow or use the kiosk, not to wait a moment, through a restart', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
      now += 61_000;
    }
    await hub.close();
    hub = await start();
    const spent = await call('POST', '/api/phone/code', { phone: `+86 ${PHONE}` });
    expect(spent).toMatchObject({ status: 429, body: { code: 'code-limit', text: expect.stringContaining('明天') } });
    expect(spent.body.text).toContain('取号机');
    const english = await call('POST', '/api/phone/code', { phone: PHONE }, { 'accept-language': 'en' });
    expect(english.body).toMatchObject({ code: 'code-limit', text: expect.stringContaining('tomorrow') });
    // The next day the phone gets codes again.
    now = Date.parse('2026-11-28T09:00:00+08:00');
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
  });

  /** The hall's phone rules changed as the console's 手机与预约 step saves them. */
  const setPhoneRules = (rules: Record<string, unknown>) => {
    const c = demoCatalogue();
    return admin('PUT', '/api/catalogue', { ...c, phone: { ...c.phone, ...rules } });
  };

  it("sends a number as many codes a day as the hall's phone rules say, through a restart", async () => {
    expect((await setPhoneRules({ codesPerPhonePerDay: 2 })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
      now += 61_000;
    }
    await hub.close();
    hub = await start();
    expect(await call('POST', '/api/phone/code', { phone: PHONE })).toMatchObject({ status: 429, body: { code: 'code-limit', message: expect.stringContaining('2 codes') } });
    // Another number is not held back by it; and a hall that allows more lets this one have more.
    expect((await call('POST', '/api/phone/code', { phone: OTHER })).status).toBe(202);
    expect((await setPhoneRules({ codesPerPhonePerDay: 3 })).status).toBe(200);
    expect((await call('POST', '/api/phone/code', { phone: PHONE })).status).toBe(202);
  });

  it.each([
    ['codesPerPhonePerDay', 0, 5],
    ['codesPerPhonePerDay', 21, 5],
    ['codesPerPhonePerDay', 2.5, 5],
    ['codesPerPhonePerDay', '5', 5],
    ['codesPerAddressPerDay', 0, 60],
    ['codesPerAddressPerDay', 100_001, 60],
    ['codesPerAddressPerDay', 'many', 60],
  ] as const)("refuses phone.%s %j, naming the rule, and keeps the rule it had (%j)", async (rule, value, kept) => {
    const refused = await setPhoneRules({ [rule]: value });
    expect(refused).toMatchObject({ status: 400, body: { code: 'bad-request', message: expect.stringContaining(`phone.${rule}`) } });
    expect(refused.body.problems).toEqual([expect.objectContaining({ path: ['phone', rule] })]);
    expect(hub.store.view.catalogue.phone[rule]).toBe(kept);
  });

  /** A code asked for `phone` through the hall's proxy, for a citizen at `address`. */
  const codeFrom = (address: string, phone: string, headers: Record<string, string> = {}) =>
    call('POST', '/api/phone/code', { phone }, { 'x-forwarded-for': address, ...headers });
  const behindProxy = { trustProxy: ['127.0.0.1'] };
  const phoneNo = (i: number) => `1370000${String(i).padStart(4, '0')}`;

  it('sends 60 codes a day asked from one address behind the proxy, refuses the 61st through a restart and points to the kiosk, and serves another address', async () => {
    await hub.close();
    hub = await start(behindProxy);
    for (let i = 0; i < 60; i++) {
      expect((await codeFrom('203.0.113.7', phoneNo(i))).status).toBe(202);
      // Within the address's 30 a minute.
      now += 2_100;
    }
    await hub.close();
    hub = await start(behindProxy);
    const refused = await codeFrom('203.0.113.7', phoneNo(60));
    expect(refused).toMatchObject({ status: 429, body: { code: 'address-code-limit', text: expect.stringContaining('取号机') } });
    const english = await codeFrom('203.0.113.7', phoneNo(60), { 'accept-language': 'en' });
    expect(english.body).toMatchObject({ code: 'address-code-limit', text: expect.stringContaining('kiosk') });
    // The address the proxy names counts, not the proxy's own: another citizen behind it is served.
    expect((await codeFrom('198.51.100.9', phoneNo(61))).status).toBe(202);
    await codeSentTo(phoneNo(61));
    expect(codesTo(phoneNo(60))).toHaveLength(0);
    // Kept as keyed hashes, never the address.
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM phone_code_addresses ORDER BY sent').all() as { day: string; address: string; sent: number }[];
      expect(rows.map((r) => [r.day, r.sent])).toEqual([
        ['2026-11-27', 1],
        ['2026-11-27', 60],
      ]);
      expect(JSON.stringify(rows)).not.toMatch(/203\.0|198\.51/);
    } finally {
      db.close();
    }
    // The next day the address has its 60 again.
    now = Date.parse('2026-11-28T09:00:00+08:00');
    expect((await codeFrom('203.0.113.7', phoneNo(60))).status).toBe(202);
  });

  it("counts an IPv6 address by its /64, and gives an address as many codes as the hall's phone rules say", async () => {
    await hub.close();
    hub = await start(behindProxy);
    expect((await setPhoneRules({ codesPerAddressPerDay: 2 })).status).toBe(200);
    expect((await codeFrom('2001:db8:1:2::a', phoneNo(1))).status).toBe(202);
    expect((await codeFrom('2001:db8:1:2:0:0:0:b', phoneNo(2))).status).toBe(202);
    expect(await codeFrom('2001:0db8:0001:0002:ffff::1', phoneNo(3))).toMatchObject({ status: 429, body: { code: 'address-code-limit' } });
    expect((await codeFrom('2001:db8:1:3::a', phoneNo(3))).status).toBe(202);
    expect((await setPhoneRules({ codesPerAddressPerDay: 3 })).status).toBe(200);
    expect((await codeFrom('2001:db8:1:2::c', phoneNo(4))).status).toBe(202);
  });

  it("tells the operator once a day, at warn, of an address that asked for its codes of the day, naming it as its limit counts it", async () => {
    await hub.close();
    const logged: string[] = [];
    onTestFinished(useLogger(createLogger({ destination: { write: (line: string) => void logged.push(line) } })));
    hub = await start(behindProxy);
    expect((await setPhoneRules({ codesPerAddressPerDay: 2 })).status).toBe(200);
    const said = () =>
      logged
        .map((l) => JSON.parse(l) as { level: string; msg: string })
        .filter((r) => r.msg.includes('phone.codesPerAddressPerDay'))
        .map((r) => (expect(r.level).toBe('warn'), r.msg));
    for (const i of [1, 2]) expect((await codeFrom('203.0.113.7', phoneNo(i))).status).toBe(202);
    expect(said()).toEqual([]);
    for (const i of [3, 4, 5]) expect(await codeFrom('203.0.113.7', phoneNo(i))).toMatchObject({ status: 429, body: { code: 'address-code-limit' } });
    expect(said()).toHaveLength(1);
    const [zh, en] = said()[0]!.split('\n');
    expect(zh).toMatch(/^客户端地址 203\.0\.113\.7 今天已要了 2 条手机验证码.*防火墙/);
    expect(en).toMatch(/^Client address 203\.0\.113\.7 has asked for 2 one-time codes today.*firewall/);
    // An IPv6 address by its /64, once however many of its addresses come; another address on its own.
    for (const [i, address] of (['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2::c', '2001:db8:1:2:ffff::1'] as const).entries()) await codeFrom(address, phoneNo(10 + i));
    expect(said()).toHaveLength(2);
    expect(said()[1]).toContain('2001:db8:1:2::/64');
    // The next day, said again.
    now = Date.parse('2026-11-28T09:00:00+08:00');
    for (const i of [1, 2, 3]) await codeFrom('203.0.113.7', phoneNo(20 + i));
    expect(said()).toHaveLength(3);
  });

  /** The hub again, its warnings kept, with the hall's cap on codes a day set to `n`. */
  async function withCodesPerDay(n: number): Promise<string[]> {
    await hub.close();
    const warnings: string[] = [];
    hub = await start({ warn: (m) => warnings.push(m) });
    expect((await setPhoneRules({ codesPerDay: n })).status).toBe(200);
    return warnings;
  }

  it("stops sending codes when the hall's codes of the day are spent, all phones together: the operator is told once who asked most, phones are pointed to the kiosk, and the next day codes go again", async () => {
    const warnings = await withCodesPerDay(3);
    const phones = ['13700000001', '13700000002', '13700000003', '13700000004'];
    for (const phone of phones.slice(0, 3)) expect((await call('POST', '/api/phone/code', { phone })).status).toBe(202);
    await hub.close();
    hub = await start({ warn: (m) => warnings.push(m) });
    // Across a restart, from another phone: refused for the hall, not for the phone or the address.
    const spent = await call('POST', '/api/phone/code', { phone: phones[3] });
    expect(spent).toMatchObject({ status: 503, body: { code: 'codes-spent', text: expect.stringContaining('取号机') } });
    expect(spent.headers.get('retry-after')).toBeNull();
    const english = await call('POST', '/api/phone/code', { phone: phones[3] }, { 'accept-language': 'en' });
    expect(english.body.text).toContain('kiosk');
    expect(spent.body.text).not.toBe(english.body.text);
    await new Promise((r) => setTimeout(r, 300));
    expect(codesTo(phones[3]!)).toHaveLength(0);
    // Said once, in Chinese then English, with the cap and where to raise it.
    const said = warnings.filter((w) => w.includes('codesPerDay'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/今天已发出 3 条手机验证码[\s\S]*\n3 one-time codes went out today/);
    // A phone that has its code already may still use it.
    const code = codesTo(phones[0]!).at(-1)?.params[0];
    expect((await call('POST', '/api/phone/verify', { phone: phones[0], code })).status).toBe(200);
    now = Date.parse('2026-11-28T09:00:00+08:00');
    expect((await call('POST', '/api/phone/code', { phone: phones[3] })).status).toBe(202);
  });

  it('names the addresses that asked for most codes when the cap is reached', async () => {
    const warnings = await withCodesPerDay(2);
    for (const phone of ['13700000011', '13700000012']) expect((await call('POST', '/api/phone/code', { phone })).status).toBe(202);
    expect((await call('POST', '/api/phone/code', { phone: '13700000013' })).status).toBe(503);
    expect(warnings.find((w) => w.includes('codesPerDay'))).toContain('127.0.0.1 (2)');
  });

  it('names the busiest by network as the limits count them: addresses rotated within one IPv6 /64 are one sender', async () => {
    await hub.close();
    const warnings: string[] = [];
    hub = await start({ ...behindProxy, warn: (m) => warnings.push(m) });
    expect((await setPhoneRules({ codesPerDay: 4 })).status).toBe(200);
    for (const [i, address] of (['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff::1', '203.0.113.7'] as const).entries()) expect((await codeFrom(address, phoneNo(30 + i))).status).toBe(202);
    expect((await codeFrom('2001:db8:1:2::d', phoneNo(40))).status).toBe(503);
    const said = warnings.find((w) => w.includes('codesPerDay'))!;
    expect(said).toContain('2001:db8:1:2::/64 (3), 203.0.113.7 (1)');
    expect(said).not.toContain('2001:db8:1:2::a');
  });

  it('expires a code after five minutes and after five wrong tries', async () => {
    await call('POST', '/api/phone/code', { phone: PHONE });
    const code = await codeSentTo(PHONE);
    now += 5 * 60_000 + 1;
    expect((await call('POST', '/api/phone/verify', { phone: PHONE, code })).status).toBe(401);
    now += 61_000;
    await call('POST', '/api/phone/code', { phone: OTHER });
    const other = await codeSentTo(OTHER);
    for (let i = 0; i < 5; i++) await call('POST', '/api/phone/verify', { phone: OTHER, code: other === '000000' ? '111111' : '000000' });
    expect((await call('POST', '/api/phone/verify', { phone: OTHER, code: other })).status).toBe(401);
  });

  it('refuses a number by phone, and a booking, without a verified session', async () => {
    expect(await take('made-up-session')).toMatchObject({ status: 401, body: { code: 'phone-unverified' } });
    expect((await call('POST', '/api/phone/tickets', { serviceCode: ITEM })).status).toBe(401);
  });
});

describe('a number taken by phone (扫码取号)', () => {
  it('is a remote ticket in the same line, two a day a phone, the same press once', async () => {
    await issue();
    const session = await verify();
    const first = await take(session, ITEM, 'press-0001');
    expect(first).toMatchObject({ status: 201, body: { ok: true, ticket: { number: 'A002', state: 'issued', ahead: 1, remote: true, sms: true, itemName: '居民身份证换领' } } });
    expect((await take(session, ITEM, 'press-0001')).body.ticket.number).toBe('A002');
    const queue = (await admin('GET', '/api/queue')).body.tickets as { number: string; remote?: boolean }[];
    expect(queue.map((t) => [t.number, t.remote ?? false])).toEqual([
      ['A001', false],
      ['A002', true],
    ]);
    expect((await take(session, 'GA-HK-QR')).status).toBe(201);
    expect(await take(session)).toMatchObject({ status: 409, body: { code: 'phone-limit', text: expect.stringContaining('每天可在线取号 2 个') } });
    const mine = await call<PhoneMine>('GET', '/api/phone/mine', undefined, { 'x-phone-session': session });
    expect(mine.body.phone).toBe('138****1111');
    expect(mine.body.tickets.map((t) => t.number)).toEqual(['A002', 'A003']);
  });

  it('keeps to the issuing hours of the kiosk', async () => {
    now = Date.parse('2026-11-27T12:00:00+08:00');
    const session = await verify();
    expect(await take(session)).toMatchObject({ status: 409, body: { code: 'outside-issuing-hours', text: expect.stringContaining('今天的取号时段为 08:30-11:30、13:30-17:00') } });
    const hall = await call('GET', '/api/phone/hall');
    expect(hall.body.items.find((i: { code: string }) => i.code === ITEM)).toMatchObject({ issuingNow: false, issuingHours: '08:30-11:30, 13:30-17:00', bookable: true });
  });

  it("gives today's hours once the console changed them for today (今日调整), in the list and the guide", async () => {
    expect((await admin('POST', `/api/items/${ITEM}/today`, { issuingHours: [{ from: '08:30', to: '10:00' }] })).status).toBe(200);
    const hall = await call('GET', '/api/phone/hall');
    expect(hall.body.items.find((i: { code: string }) => i.code === ITEM)).toMatchObject({ issuingNow: true, issuingHours: '08:30-10:00' });
    expect((await call('GET', `/api/phone/items/${ITEM}`)).body.issuingHours).toBe('08:30-10:00');
    expect((await call('GET', '/api/phone/items/GA-HK-QR')).body.issuingHours).toBe('08:30-11:30, 13:30-17:00');
  });

  it('is followed live by server-sent events as the queue moves, up to the call, and by long poll where a phone cannot stream', async () => {
    const { ticket, stream } = await takeAndFollow(3);
    const version = stream.last()!.version;
    const poll = call<PhoneTicket>('GET', `/api/phone/tickets/${ticket.ref}?after=${version}`);
    await callNext();
    await expect.poll(() => stream.last()?.ahead).toBe(2);
    expect((await poll).body).toMatchObject({ ahead: 2, version: expect.any(Number) });
    expect((await poll).body.version).toBeGreaterThan(version);
    // A version that is not one is said as such, in the phone's language, not as the generic sentence.
    for (const wrong of ['abc', '-1', '1.5', ''])
      expect(await call('GET', `/api/phone/tickets/${ticket.ref}?after=${wrong}`)).toMatchObject({
        status: 400,
        body: { code: 'bad-request', text: '查询条件 after 应为上次收到的号码状态的版本号（version）：0 或更大的整数，只写数字。' },
      });
    expect((await call('GET', `/api/phone/tickets/${ticket.ref}?after=abc`, undefined, { 'accept-language': 'en' })).body.text).toBe(
      'after must be the version of the ticket last received (its version): a whole number, 0 or more, in digits only.',
    );
    for (let i = 0; i < 2; i++) {
      await finish();
      await callNext();
    }
    await expect.poll(() => stream.last()?.ahead).toBe(0);
    await finish();
    await callNext();
    await expect.poll(() => stream.last()?.state).toBe('called');
    expect(stream.last()).toMatchObject({ number: 'A004', window: 1, windowName: '1号窗口 公安户籍' });
    // The phone hears the line shorten, in order (changes a few milliseconds apart come as one), then the call.
    const aheads = stream.seen.filter((s) => s.state === 'issued').map((s) => s.ahead);
    expect(aheads[0]).toBe(3);
    expect(aheads.at(-1)).toBe(0);
    expect(aheads).toEqual([...aheads].sort((a, b) => b - a));
    expect(stream.seen.map((s) => s.version)).toEqual([...stream.seen.map((s) => s.version)].sort((a, b) => a - b));
    expect(stream.last()!.state).toBe('called');
    await stream.close();
    await expect.poll(() => hub.phonesWatching()).toBe(0);
  });

  it('looks at a phone far back every two seconds, not at every call, yet answers its place now when asked', async () => {
    const { ticket, stream } = await takeAndFollow(15);
    await callNext();
    // Asked, the hub works its place out now; the stream hears of a place this far back within two seconds.
    expect((await call<PhoneTicket>('GET', `/api/phone/tickets/${ticket.ref}`)).body.ahead).toBe(14);
    await expect.poll(() => stream.last()?.ahead, { timeout: 3000 }).toBe(14);
    // Near the front (10 or fewer ahead), each move is told at once again.
    for (let i = 0; i < 5; i++) {
      await finish();
      await callNext();
    }
    await expect.poll(() => stream.last()?.ahead, { timeout: 1000 }).toBe(9);
    await stream.close();
  });

  it("counts as ahead the people the window calls first whatever their item, as the hall's other screens do (H-09)", async () => {
    await openWindow();
    // Window 1 serves both items: the two 户口 numbers taken before are called before this one.
    await issue('GA-HK-QR');
    await issue(ITEM);
    await issue('GA-HK-QR');
    // The hall's list says what a number taken now will have ahead (as the kiosk's card does), not the item's own count (1).
    const listed = (await call('GET', '/api/phone/hall')).body.items.find((i: { code: string }) => i.code === ITEM);
    expect(listed).toMatchObject({ waiting: 1, ahead: 3 });
    const session = await verify();
    const { ticket } = (await take(session)).body;
    expect(ticket.ahead).toBe(3);
    const stream = await follow(ticket.ref);
    await expect.poll(() => stream.last()?.ahead).toBe(3);
    const id = `2026-11-27-${ticket.number}`;
    const honest = ticketWait(hub.store.view, hub.store.view.tickets.get(id)!, now);
    expect(stream.last()).toMatchObject({ ahead: honest.ahead, minutes: honest.minutes, range: honest.range });
    await callNext();
    await expect.poll(() => stream.last()?.ahead).toBe(2);
    await stream.close();
  });

  it('tells the phones of a new expected wait within two seconds, without a message per service finished', async () => {
    await openWindow();
    for (let i = 0; i < 5; i++) await issue();
    const session = await verify();
    const { ticket } = (await take(session)).body;
    const stream = await follow(ticket.ref);
    await expect.poll(() => stream.last()?.ahead).toBe(5);
    await callNext();
    await expect.poll(() => stream.last()?.ahead).toBe(4);
    const minutes = stream.last()!.minutes;
    const frames = stream.seen.length;
    // Three services of 30 minutes finish (two more called between them): the wait per person rises.
    for (let i = 0; i < 3; i++) {
      await admin('POST', '/api/windows/1/start');
      now += 30 * 60_000;
      await admin('POST', '/api/windows/1/finish');
      if (i < 2) await callNext();
    }
    // The wait the phone is told is the hall's own (H-09: the queue policy played forward), now that the window is free and the item's recent times are known.
    const honest = ticketWait(hub.store.view, hub.store.view.tickets.get(`2026-11-27-${ticket.number}`)!, now).minutes;
    expect(honest).toBeGreaterThan(minutes);
    await expect.poll(() => stream.last()!.minutes, { timeout: 5000 }).toBe(honest);
    // Two calls, told at once, and the new wait told once with whatever came last: not a message per finish too.
    expect(stream.seen.length - frames).toBeLessThanOrEqual(3);
    await stream.close();
  });

  it('alerts the phone by SMS once when near and once when called, through restarts and recalls', async () => {
    await openWindow();
    for (let i = 0; i < 5; i++) await issue();
    const session = await verify();
    const { ticket } = (await take(session)).body;
    const alerts = () => sms.sent.filter((m) => m.templateId !== TEMPLATES['phone-code']);
    await callNext();
    await finish();
    await callNext();
    // 3 ahead now: the near alert.
    await expect.poll(() => alerts().length, { timeout: 10_000 }).toBe(1);
    expect(alerts()[0]).toMatchObject({ phone: `+86${PHONE}`, templateId: TEMPLATES['ticket-near'], params: ['A006', '3'] });
    now += 31_000;
    await finish();
    await callNext();
    await hub.close();
    hub = await start();
    for (let i = 0; i < 3; i++) {
      await finish();
      await callNext();
    }
    await expect.poll(() => alerts().length, { timeout: 10_000 }).toBe(2);
    expect(alerts()[1]).toMatchObject({ templateId: TEMPLATES['ticket-called'], params: ['A006', '1'], text: '请A006号到1号窗口办理。' });
    now += 31_000;
    expect((await admin('POST', '/api/windows/1/recall')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(alerts()).toHaveLength(2);
    expect((await call<PhoneTicket>('GET', `/api/phone/tickets/${ticket.ref}`)).body).toMatchObject({ state: 'called', window: 1 });
  });

  it('sends the near SMS once a window opens for a number taken near the front while none served its item', async () => {
    // Before the windows open: one ahead, but nobody is being called (core's isNear): not told it is near then.
    await issue();
    const session = await verify();
    const { ticket } = (await take(session)).body;
    const alerts = () => sms.sent.filter((m) => m.templateId !== TEMPLATES['phone-code']);
    await new Promise((r) => setTimeout(r, 300));
    expect(alerts()).toHaveLength(0);
    // A window opens for the item: now it is near, and the citizen is told so, once.
    await openWindow();
    await expect.poll(() => alerts().length, { timeout: 10_000 }).toBe(1);
    expect(alerts()[0]).toMatchObject({ templateId: TEMPLATES['ticket-near'], params: [ticket.number, '1'] });
    await callNext();
    await expect.poll(() => alerts().length, { timeout: 10_000 }).toBe(1);
  });

  it('offers the rating and the cases of the visit once it is done', async () => {
    await openWindow();
    const session = await verify();
    const { ticket } = (await take(session)).body;
    await callNext();
    await admin('POST', '/api/windows/1/start');
    expect((await admin('POST', '/api/windows/1/outcome', { serviceCode: ITEM, outcome: 'accepted' })).status).toBe(200);
    await admin('POST', '/api/windows/1/finish');
    const done = (await call<PhoneTicket>('GET', `/api/phone/tickets/${ticket.ref}`)).body;
    expect(done).toMatchObject({ state: 'done', cases: [expect.stringMatching(/^SL20261127/)], rateUrl: expect.stringContaining('/rate/') });
    const progress = await call('GET', `/api/phone/cases/${done.cases[0]}`);
    expect(progress).toMatchObject({ status: 200, body: { itemName: '居民身份证换领', state: 'accepted', promisedDue: expect.any(String) } });
    expect(JSON.stringify(progress.body)).not.toMatch(/applicant|clerk/);
    // Typed as a phone's keyboard gives it: full-width from a Chinese input method, lower case, spaces between its groups.
    const number = done.cases[0]!;
    const fullWidth = [...number].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    for (const typed of [fullWidth, number.toLowerCase(), `${number.slice(0, 2)} ${number.slice(2, 10)} ${number.slice(10)}`, ` ${number}　`])
      expect(await call('GET', `/api/phone/cases/${encodeURIComponent(typed)}`), typed).toMatchObject({ status: 200, body: { caseNumber: number, state: 'accepted' } });
  });
});

describe('appointments booked on the phone', () => {
  it('lists slots on working days, books one, shows it, checks it in at the kiosk and cancels another', async () => {
    const session = await verify();
    const slots = (await call<PhoneSlots>('GET', `/api/phone/slots?service=${ITEM}`)).body;
    expect(slots.days.map((d) => d.day)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
    const slot = slots.days[0]!.slots[0]!;
    expect(slot).toMatchObject({ from: '09:00', to: '09:30', capacity: 2, left: 2 });
    const booked = await call<{ appointment: PhoneAppointment }>('POST', '/api/phone/appointments', { serviceCode: ITEM, slotStart: slot.start, slotEnd: slot.end }, { 'x-phone-session': session, 'idempotency-key': 'booking-press-1' });
    expect(booked).toMatchObject({ status: 201, body: { appointment: { day: '2026-11-30', from: '09:00', to: '09:30', state: 'booked', cancellable: true, code: expect.stringMatching(/^[2-9A-Z]{8}$/) } } });
    const again = await call<{ appointment: PhoneAppointment }>('POST', '/api/phone/appointments', { serviceCode: ITEM, slotStart: slot.start, slotEnd: slot.end }, { 'x-phone-session': session, 'idempotency-key': 'booking-press-1' });
    expect(again.body.appointment.code).toBe(booked.body.appointment.code);
    expect((await call<PhoneSlots>('GET', `/api/phone/slots?service=${ITEM}`)).body.days[0]!.slots[0]!.left).toBe(1);
    const { ref, code } = booked.body.appointment;
    expect((await call('GET', `/api/phone/appointments/${ref}`)).body).toMatchObject({ code, state: 'booked' });

    const other = await call<{ appointment: PhoneAppointment }>('POST', '/api/phone/appointments', { serviceCode: 'GA-HK-QR', slotStart: slot.start, slotEnd: slot.end }, { 'x-phone-session': session });
    const cancelled = await call('POST', `/api/phone/appointments/${other.body.appointment.ref}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { appointment: { state: 'cancelled', cancellable: false } } });
    expect((await call('POST', `/api/phone/appointments/${other.body.appointment.ref}/cancel`)).body.code).toBe('appointment-cancelled');

    // Monday, 08:50: the citizen checks in at the kiosk with the booking's code.
    now = Date.parse('2026-11-30T08:50:00+08:00');
    const checkedIn = await admin('POST', `/api/appointments/${code}/check-in`);
    expect(checkedIn).toMatchObject({ status: 201, body: { ticket: { lane: 'appointment' } } });
    const seen = (await call<PhoneAppointment>('GET', `/api/phone/appointments/${ref}`)).body;
    expect(seen).toMatchObject({ state: 'checked-in', ticketRef: expect.any(String), cancellable: false });
    // Its number gets the phone's alerts, as one taken by phone.
    await openWindow();
    await callNext();
    await expect.poll(() => sms.sent.filter((m) => m.templateId === TEMPLATES['ticket-called']).length, { timeout: 10_000 }).toBe(1);
    expect((await call<PhoneTicket>('GET', `/api/phone/tickets/${seen.ticketRef}`)).body).toMatchObject({ state: 'called', sms: true });
  });

  it('cancels the bookings of an item a setup removes, tells each citizen by SMS once (not again after a restart, nor from the standby), and says why on the page and at the kiosk', async () => {
    const session = await verify();
    const slot = (await call<PhoneSlots>('GET', `/api/phone/slots?service=${ITEM}`)).body.days[0]!.slots[0]!;
    const bookIt = (serviceCode: string) =>
      call<{ appointment: PhoneAppointment }>('POST', '/api/phone/appointments', { serviceCode, slotStart: slot.start, slotEnd: slot.end }, { 'x-phone-session': session });
    const gone = (await bookIt(ITEM)).body.appointment;
    const kept = (await bookIt('GA-HK-QR')).body.appointment;
    const withdrawnSms = () => sms.sent.filter((m) => m.templateId === TEMPLATES['appointment-withdrawn']);
    // The administrator saves a setup without the item.
    const setup = (await admin('GET', '/api/catalogue')).body;
    setup.items = setup.items.filter((i: { code: string }) => i.code !== ITEM);
    for (const w of setup.windows) w.serves = w.serves.filter((code: string) => code !== ITEM);
    expect((await admin('PUT', '/api/catalogue', setup)).status).toBe(200);
    await expect.poll(() => withdrawnSms().length, { timeout: 10_000 }).toBe(1);
    expect(withdrawnSms()[0]).toMatchObject({
      phone: `+86${PHONE}`,
      params: ['11月30日', '居民身份证换领'],
      text: '您预约11月30日办理的居民身份证换领，因本大厅不再办理该事项，已由大厅取消。请预约其他事项，或到大厅服务台咨询。',
    });

    // The audit log names the cancellation, by item, as the administrator's who saved the setup.
    expect(hub.store.audit.list({ action: 'withdrawBookings' })).toEqual([
      expect.objectContaining({ target: `item:${ITEM}`, after: { itemName: '居民身份证换领', bookings: 1, firstDay: '2026-11-30', reason: 'item-withdrawn' } }),
    ]);

    // The page names the item as it was, and says the hall cancelled it; the other booking stands.
    expect((await call<PhoneAppointment>('GET', `/api/phone/appointments/${gone.ref}`)).body).toMatchObject({
      itemName: '居民身份证换领',
      itemNameEn: 'Renewal of Resident Identity Card',
      state: 'cancelled',
      withdrawn: true,
      cancellable: false,
    });
    const other = (await call<PhoneAppointment>('GET', `/api/phone/appointments/${kept.ref}`)).body;
    expect(other).toMatchObject({ state: 'booked' });
    expect(other.withdrawn).toBeUndefined();

    // The hub restarts: nothing is sent again.
    await hub.close();
    hub = await start();
    await new Promise((r) => setTimeout(r, 300));
    expect(withdrawnSms()).toHaveLength(1);

    // A standby, with the same SMS channel, follows the whole log, then takes charge when the hub stops: it sends nothing again either.
    const standbyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-standby-'));
    onTestFinished(() => fs.rmSync(standbyDir, { recursive: true, force: true }));
    fs.copyFileSync(path.join(dir, KEY_FILE), path.join(standbyDir, KEY_FILE));
    const standby = await start({ dataDir: standbyDir, peer: { url: hub.url, token: TOKEN }, standby: true });
    await expect.poll(() => hub.replication.status().standby, { timeout: 5000 }).toBe('in-step');
    await hub.close();
    hub = standby;
    // The installer's promote, as the hall's runbook says once the first hub is lost.
    expect((await fetch(`${standby.url}/replication/promote`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(standby.store.role.inCharge).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(withdrawnSms()).toHaveLength(1);

    // Monday at the kiosk: the booking is said to be cancelled by the hall, and why.
    now = Date.parse('2026-11-30T08:50:00+08:00');
    expect((await admin('POST', `/api/appointments/${gone.code}/check-in`)).body).toMatchObject({
      code: 'appointment-withdrawn',
      text: '抱歉，本大厅已不再办理“居民身份证换领”，您的这个预约已由大厅取消。请到服务台咨询，工作人员将为您安排；也可以预约其他事项。',
    });
  });

  it('pauses booking after three missed bookings in thirty days', async () => {
    // The rule, as the booking page says it before anything is booked.
    expect((await call('GET', '/api/phone/hall')).body.noShow).toEqual({ count: 3, withinDays: 30, blockDays: 30 });
    let session = await verify();
    const book = async (day: number) => {
      const slots = (await call<PhoneSlots>('GET', `/api/phone/slots?service=${ITEM}`)).body;
      const s = slots.days[day]!.slots[0]!;
      return call('POST', '/api/phone/appointments', { serviceCode: ITEM, slotStart: s.start, slotEnd: s.end }, { 'x-phone-session': session });
    };
    for (let day = 0; day < 3; day++) expect((await book(day)).status).toBe(201);
    // A week later none of the three came.
    now = Date.parse('2026-12-07T09:00:00+08:00');
    session = await verify();
    // The phone reads from when it may book again.
    expect(await book(0)).toMatchObject({ status: 409, body: { code: 'booking-blocked', text: expect.stringContaining('1月1日起可再次预约') } });
  });
});

describe("the hall's side", () => {
  it("forgets a past day's codes by address with the day's housekeeping", () => {
    const db = new Database(':memory:');
    migrate(db);
    const book = new PhoneBook(db, new PhoneVault(randomBytes(32)));
    const rules = { codesPerDay: 3000, codesPerPhonePerDay: 5, codesPerAddressPerDay: 1 };
    expect(book.requestCode(PHONE, now, '2026-11-27', rules, '203.0.113.7').ok).toBe(true);
    expect(book.requestCode(OTHER, now, '2026-11-27', rules, '203.0.113.7')).toMatchObject({ ok: false, code: 'address-code-limit' });
    book.forget(now + 86_400_000, '2026-11-28');
    expect(db.prepare('SELECT COUNT(*) AS n FROM phone_code_addresses').get()).toEqual({ n: 0 });
    db.close();
  });

  it('stamps each change of a code or a count above every stamp before, even once the day’s housekeeping forgot the newest row', () => {
    const db = new Database(':memory:');
    migrate(db);
    const book = new PhoneBook(db, new PhoneVault(randomBytes(32)));
    const rules = { codesPerDay: 3000, codesPerPhonePerDay: 5, codesPerAddressPerDay: 60 };
    const stamps = () => (db.prepare('SELECT changed FROM phone_codes UNION ALL SELECT changed FROM phone_code_addresses').all() as { changed: number }[]).map((r) => r.changed);
    // A code asked just before midnight, one just after, then a wrong try at the first: the newest change is yesterday's row.
    expect(book.requestCode(OTHER, now - 120_000, '2026-11-27', rules, '203.0.113.7').ok).toBe(true);
    expect(book.requestCode(PHONE, now - 60_000, '2026-11-28', rules, '203.0.113.7').ok).toBe(true);
    expect(book.verify(OTHER, 'nope', now)).toMatchObject({ ok: false, message: 'the code is not right' });
    const before = Math.max(...stamps());
    book.forget(now, '2026-11-28');
    expect(Math.max(...stamps())).toBeLessThan(before);
    // A standby has seen the forgotten row's stamp: the next change must come after it, or it would never be sent.
    expect(book.verify(PHONE, 'nope', now).ok).toBe(false);
    expect(Math.max(...stamps())).toBeGreaterThan(before);
    // And after the hub restarts (a standby that links again is sent the rows above the stamps it holds).
    const given = Math.max(before, ...stamps());
    book.forget(now + 86_400_000, '2026-11-29');
    expect(stamps()).toEqual([]);
    const restarted = new PhoneBook(db, new PhoneVault(randomBytes(32)));
    expect(restarted.requestCode(PHONE, now + 86_400_000, '2026-11-29', rules, '203.0.113.7').ok).toBe(true);
    expect(Math.min(...stamps())).toBeGreaterThan(given);
    db.close();
  });

  it('stamps a session, a link, its alerts marked and its phone forgotten above every stamp before, each row its own', () => {
    const db = new Database(':memory:');
    migrate(db);
    const book = new PhoneBook(db, new PhoneVault(randomBytes(32)));
    const rules = { codesPerDay: 3000, codesPerPhonePerDay: 5, codesPerAddressPerDay: 60 };
    const stampsOf = (table: string) => (db.prepare(`SELECT changed FROM ${table} ORDER BY ${table === 'phone_links' ? 'ref_id' : 'changed'}`).all() as { changed: number }[]).map((r) => r.changed);
    const newest = () => Math.max(...['phone_codes', 'phone_code_addresses', 'phone_sessions', 'phone_links'].flatMap(stampsOf));
    const code = book.requestCode(PHONE, now, '2026-11-27', rules, '203.0.113.7');
    if (!code.ok) throw new Error(code.message);
    let before = newest();
    expect(book.verify(PHONE, code.value.code, now).ok).toBe(true);
    expect(stampsOf('phone_sessions')[0]).toBeGreaterThan(before);
    const holder = { holder: 'holder-a', sealed: 'sealed-a' };
    before = newest();
    for (const id of ['2026-11-27-0001', '2026-11-27-0002', '2026-11-27-0003']) book.link('ticket', id, holder, '2026-11-27', true, now);
    expect(Math.min(...stampsOf('phone_links'))).toBeGreaterThan(before);
    before = newest();
    book.markAlerts('2026-11-27-0002', new Set(['near']));
    expect(stampsOf('phone_links')[1]).toBeGreaterThan(before);
    // The day after: the three phones forgotten, each row stamped anew (the standby is sent the rows in pages by their stamps).
    before = newest();
    book.forget(now + 86_400_000, '2026-11-28');
    expect(db.prepare('SELECT COUNT(*) AS n FROM phone_links WHERE phone IS NULL').get()).toEqual({ n: 3 });
    expect(Math.min(...stampsOf('phone_links'))).toBeGreaterThan(before);
    expect(new Set(stampsOf('phone_links')).size).toBe(3);
    db.close();
  });

  it('keeps phone numbers out of the event log and the tables: a keyed hash, sealed, erased after the day', async () => {
    const session = await verify();
    await take(session);
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      const everything = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all())).join('\n');
      expect(everything).not.toContain(PHONE);
      expect(everything).toContain('138****1111');
      const events = JSON.stringify(db.prepare('SELECT * FROM events').all());
      expect(events).not.toContain('holder');
      expect(events).not.toContain('138****1111');
      const link = db.prepare('SELECT holder, phone FROM phone_links').get() as { holder: string; phone: string };
      expect(link.phone).toMatch(/^sealed1:/);
    } finally {
      db.close();
    }
    // One key file for the hall's secrets at rest: the phones' keys are derived from the hall key.
    expect(fs.existsSync(path.join(dir, 'phone-key'))).toBe(false);
    expect(fs.statSync(path.join(dir, 'hall.key')).mode & 0o777).toBe(0o600);
    now = Date.parse('2026-11-28T09:00:00+08:00');
    await admin('POST', '/api/tickets', { serviceCode: ITEM });
    await expect
      .poll(() => {
        const db2 = new Database(path.join(dir, 'hall.db'), { readonly: true });
        const row = db2.prepare('SELECT phone FROM phone_links').get() as { phone: string | null };
        db2.close();
        return row.phone;
      })
      .toBeNull();
  });

  it('answers with opaque references, refuses a guessed one, and says nothing of the person in any answer', async () => {
    const session = await verify();
    const { ticket } = (await take(session)).body;
    expect(ticket.ref).toBe(hub.store.links.ref('ticket', `2026-11-27-${ticket.number}`));
    expect(ticket.ref).not.toContain(ticket.number);
    // One character off (never the same one: a reference ending in A made this test fail once in 64).
    const guessed = `${ticket.ref.slice(0, -1)}${ticket.ref.endsWith('A') ? 'B' : 'A'}`;
    expect((await call('GET', `/api/phone/tickets/${guessed}`)).status).toBe(404);
    expect((await call('GET', '/api/phone/tickets/2026-11-27-A001')).status).toBe(404);
    const all = JSON.stringify([(await call('GET', `/api/phone/tickets/${ticket.ref}`)).body, (await call('GET', '/api/phone/mine', undefined, { 'x-phone-session': session })).body]);
    expect(all).not.toContain(PHONE);
  });

  it('limits the rate of codes from one address, with Retry-After', async () => {
    await hub.close();
    hub = await start({ limits: { phone: { code: { perMinute: 6, burst: 2 } } } });
    expect((await call('POST', '/api/phone/code', { phone: '13800000001' })).status).toBe(202);
    expect((await call('POST', '/api/phone/code', { phone: '13800000002' })).status).toBe(202);
    const third = await call('POST', '/api/phone/code', { phone: '13800000003' });
    expect(third).toMatchObject({ status: 429, body: { code: 'rate-limited', text: expect.stringContaining('稍候') } });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    now += 10_000;
    expect((await call('POST', '/api/phone/code', { phone: '13800000003' })).status).toBe(202);
  });

  it('limits the rate of an IPv6 client by its /64, in which a phone may take a new address at every request', async () => {
    await hub.close();
    hub = await start({ trustProxy: ['127.0.0.1'], limits: { phone: { code: { perMinute: 6, burst: 2 } } } });
    const codeFrom = (address: string, phone: string) => call('POST', '/api/phone/code', { phone }, { 'x-forwarded-for': address });
    expect((await codeFrom('2001:db8:a:1::1', '13800000001')).status).toBe(202);
    expect((await codeFrom('2001:db8:a:1:ffff::2', '13800000002')).status).toBe(202);
    expect(await codeFrom('2001:0db8:000a:0001:1234:5678:9abc:def0', '13800000003')).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
    // Another subscriber's /64 has its own pace.
    expect((await codeFrom('2001:db8:a:2::1', '13800000003')).status).toBe(202);
  });

  it('describes the phone operations in OpenAPI by the names the issue asks for', async () => {
    const doc = (await admin('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>> };
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of ['takeRemoteTicket', 'sendPhoneCode', 'watchTicket', 'listSlots', 'bookAppointment', 'cancelAppointment', 'getAppointment', 'recordAppointment'])
      expect(ids.filter((x) => x === id), id).toHaveLength(1);
    expect(doc.paths['/api/phone/tickets/{ref}/watch']!.get!.security).toEqual([]);
  });

  it('serves the phone pages under /m/ with their guards, and the door poster with its QR code', async () => {
    const pages = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phone-pages-'));
    fs.mkdirSync(path.join(pages, 'assets'));
    fs.writeFileSync(path.join(pages, 'index.html'), '<!doctype html><title>phone</title>');
    fs.writeFileSync(path.join(pages, 'assets', 'app-1234.js'), 'console.log(1)');
    await hub.close();
    hub = await start({ phonePagesDir: pages });
    const catalogue = demoCatalogue();
    expect((await admin('PUT', '/api/catalogue', { ...catalogue, hall: { ...catalogue.hall, publicUrl: 'https://hall.example.cn' } })).status).toBe(200);
    try {
      const page = await fetch(`${hub.url}/m/t/abcdefghijklmnopqrstuv`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>phone</title>');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const asset = await fetch(`${hub.url}/m/assets/app-1234.js`);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect((await fetch(`${hub.url}/m/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${hub.url}/m/..%2f..%2fhall.db`)).status).toBe(200);
      expect(await (await fetch(`${hub.url}/m/..%2f..%2fhall.db`)).text()).toContain('<title>phone</title>');
      expect((await fetch(`${hub.url}/m/`, { method: 'POST' })).status).toBe(405);
      // An address mangled on its way (a broken escape): the citizen is told in Chinese first, and led home.
      const broken = await fetch(`${hub.url}/m/t/%E0%A4`);
      expect(broken.status).toBe(400);
      expect(broken.headers.get('content-type')).toContain('text/html');
      const sorry = await broken.text();
      expect(sorry.indexOf('请重新扫码')).toBeGreaterThanOrEqual(0);
      expect(sorry.indexOf('请重新扫码')).toBeLessThan(sorry.indexOf('scan the code again'));
      expect(sorry).toContain('href="/m/"');
      const poster = await (await fetch(`${hub.url}/m/door`)).text();
      expect(poster).toContain('扫码取号');
      expect(poster).toContain('https://hall.example.cn/m/');
      expect(poster).toContain('<svg');
    } finally {
      fs.rmSync(pages, { recursive: true, force: true });
    }
  });

  it('refuses to start with a notification channel that is not valid, naming the field', async () => {
    await hub.close();
    await expect(start({ notify: { channels: [{ id: 'sms', kind: 'tencent-sms', ...TENCENT, secretId: 'nope', templates: {} }] as never } })).rejects.toThrow(/channels\[0\]\.secretId/);
    hub = await start();
  });
});
