import { smsTemplateContent } from '@servicehall/notify';
import { TencentSmsStandIn } from '@servicehall/notify/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, startRelay, startTestHall, type TestHall } from './harness';

/**
 * The citizen's phone where citizens go off the straight path, in Chromium at 390×844 with touch:
 * the days before 国庆 (2026-10-01 to 07 are holidays, so from 29 September only the 30th can be
 * booked), a booking confirmed twice across a reload, a code typed after it expired, a ticket page
 * left open into the next hall day, and what does not fit in the phone number's field.
 */
const PHONE = { width: 390, height: 844 };
const TENCENT = { secretId: 'AKIDe2ephoneedges00000000000000000', secretKey: 'tencentSecretKeyForPhoneEdgesE2E', sdkAppId: '1400009998', signName: '滨江政务' };
const TEMPLATES = { 'phone-code': '3001', 'ticket-near': '3002', 'ticket-called': '3003' };
const ITEM = 'GA-SFZ-HL';

/** The hall's clock (the hub's and the SMS stand-in's): real time moved to a chosen hall time. */
let offset = 0;
const clock = () => Date.now() + offset;
const setHallTime = (iso: string) => (offset = Date.parse(iso) - Date.now());

let sms: TencentSmsStandIn;
let hall: TestHall;
let browser: Browser;

async function phone(): Promise<{ ctx: BrowserContext; p: Page }> {
  const ctx = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const p = await ctx.newPage();
  p.on('pageerror', (error) => console.error(`phone page error: ${error.message}`));
  return { ctx, p };
}

const codesTo = (mobile: string) => sms.sent.filter((m) => m.templateId === TEMPLATES['phone-code'] && m.phone === `+86${mobile}`);

/** Verifies `mobile` on the verify card the page shows. */
async function verifyOn(p: Page, mobile: string): Promise<void> {
  const before = codesTo(mobile).length;
  await p.locator('[data-testid=phone-number]').fill(mobile);
  await p.locator('[data-testid=send-code]').tap();
  await expect.poll(() => codesTo(mobile).length).toBe(before + 1);
  await p.locator('[data-testid=phone-code]').fill(codesTo(mobile).at(-1)!.params[0]!);
  await p.locator('[data-testid=verify-submit]').tap();
}

beforeAll(async () => {
  setHallTime('2026-09-29T10:00:00+08:00');
  sms = await TencentSmsStandIn.start({
    ...TENCENT,
    templates: Object.fromEntries(Object.entries(TEMPLATES).map(([kind, id]) => [id, smsTemplateContent(kind as keyof typeof TEMPLATES)])),
    clock,
  });
  // The housekeeping every 300 ms: the next hall day opens soon after the clock reaches it.
  hall = await startTestHall({ clock, ratingSweepMs: 300, notify: { channels: [{ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: TEMPLATES }] } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hall?.close();
  await sms?.close();
});

describe('the citizen’s phone off the straight path, 390×844 with touch', () => {
  it('offers working days only before a holiday, refuses a holiday asked for by hand in Chinese, and says a booking made before a reload is made', async () => {
    const { ctx, p } = await phone();
    await p.goto(`${hall.hub.publicUrl()}/m/book/${ITEM}`);
    await p.locator('[data-testid^=day-]').first().waitFor();
    // 国庆: 1 to 6 October are not offered; the 30th is.
    expect(await p.locator('[data-testid^=day-]').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')))).toEqual(['day-2026-09-30']);

    // A request made by hand for the 1st of October: refused, in the hall's words.
    const session = await (async () => {
      await p.locator('[data-testid="slot-09:00"]').tap();
      await p.locator('[data-testid=confirm-booking]').tap();
      await verifyOn(p, '13800003333');
      await p.locator('[data-testid=appointment-code]').waitFor();
      return JSON.parse((await p.evaluate(() => localStorage.getItem('sh.session')))!) as { token: string };
    })();
    const holiday = await fetch(`${hall.hub.url}/api/phone/appointments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-phone-session': session.token },
      body: JSON.stringify({ serviceCode: ITEM, slotStart: Date.parse('2026-10-01T09:00:00+08:00'), slotEnd: Date.parse('2026-10-01T09:30:00+08:00') }),
    });
    expect(holiday.status).toBe(409);
    expect(((await holiday.json()) as { text: string }).text).toContain('抱歉，10月1日不可预约：可预约明天起 7 天内的工作日，节假日和周末');

    // Reloaded after confirming: the booking stands.
    await p.reload();
    await expect.poll(() => p.locator('[data-testid=appointment]').getAttribute('data-state')).toBe('booked');
    // Back to the booking page (the answer never seen, say): the same day again is said as the booking made, not as "several bookings".
    await p.goto(`${hall.hub.publicUrl()}/m/book/${ITEM}`);
    await p.locator('[data-testid="slot-10:00"]').tap();
    await p.reload();
    // A reload after choosing a slot forgets the choice, nothing more: the slots are there to choose again.
    await p.locator('[data-testid="slot-10:00"]').tap();
    await p.locator('[data-testid=confirm-booking]').tap();
    await p.locator('[data-testid=book-problem]').waitFor();
    expect(await p.locator('[data-testid=book-problem]').textContent()).toBe('您已预约 9月30日 办理居民身份证换领，可在“我的号码和预约”中查看；如需改约，请先取消原预约。');
    await screenshot(p, 'phone-book-again');
    await ctx.close();
  }, 60_000);

  it('marks a ticket page left open into the next hall day as not today’s, and stops asking the hub', async () => {
    const { link } = (await hall.api<{ link: string }>('POST', '/api/tickets', { serviceCode: ITEM })).body;
    const { ctx, p } = await phone();
    await p.goto(`${hall.hub.publicUrl()}${link}`);
    await expect.poll(() => p.locator('[data-testid=link]').textContent()).toBe('实时更新中');
    const colour = (selector: string) => p.locator(selector).evaluate((el) => getComputedStyle(el).color);
    const live = { number: await colour('[data-testid=ticket-number]'), state: await colour('[data-testid=ticket-state]') };
    expect(await p.locator('[data-testid=ticket-issued]').textContent()).toMatch(/^取号时间 10:0\d · /);
    const asked: string[] = [];
    p.on('request', (r) => {
      if (r.url().includes('/api/phone/tickets/')) asked.push(r.url());
    });

    // The next morning, the page still open.
    setHallTime('2026-09-30T08:00:00+08:00');
    await expect.poll(() => p.locator('[data-testid=ticket]').getAttribute('data-state'), { timeout: 15_000 }).toBe('gone');
    expect(await p.locator('[data-testid=ticket-state]').textContent()).toBe('该号码已不是今天的号码，如需办理请重新取号');
    expect(await p.locator('[data-testid=link]').count()).toBe(0);
    expect(await p.locator('[data-testid=enable-alerts]').count()).toBe(0);
    // Which day it was taken, and none of a live ticket's blue.
    expect(await p.locator('[data-testid=ticket-issued]').textContent()).toMatch(/^取号时间 9月29日 10:0\d$/);
    expect(await colour('[data-testid=ticket-number]')).not.toBe(live.number);
    expect(await colour('[data-testid=ticket-state]')).not.toBe(live.state);
    await screenshot(p, 'phone-ticket-yesterday');
    // In 长辈模式 too: the number grey (not the near black of its muted text, which would read as live), the sentence dark,
    // and broken between its phrases, not inside a word (如|需, 重|新), at 21 px as at 16.
    /** The words of the sentence that the line wraps across two lines. */
    const splitWords = () =>
      p.locator('[data-testid=ticket-state]').evaluate((el) =>
        ['该号码', '今天', '号码', '如需', '办理', '重新', '取号'].filter((word) => {
          const text = el.firstChild!;
          const at = text.textContent!.lastIndexOf(word);
          const range = document.createRange();
          range.setStart(text, at);
          range.setEnd(text, at + word.length);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
        }),
      );
    expect(await splitWords()).toEqual([]);
    await p.locator('[data-testid=elderly-switch]').tap();
    await expect.poll(() => p.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(true);
    expect(await splitWords()).toEqual([]);
    expect(await colour('[data-testid=ticket-number]')).not.toBe(await colour('[data-testid=ticket-state]'));
    expect(await colour('[data-testid=ticket-number]')).not.toBe(live.number);
    await screenshot(p, 'phone-ticket-yesterday-elderly');
    // Back from the pocket, again and again: nothing more is asked.
    const seen = asked.length;
    for (let i = 0; i < 5; i++) {
      await p.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(asked.slice(seen)).toEqual([]);
    // Opened again that morning: said as yesterday's number, not as a wrong link.
    await p.reload();
    await p.locator('[data-testid=ticket-gone]').waitFor();
    expect(await p.locator('[data-testid=ticket-gone]').textContent()).toBe('该号码已不是今天的号码，如需办理请重新取号');
    await ctx.close();
  }, 60_000);

  it('says a code typed after it expired is expired, and lets the citizen ask a new one at once', async () => {
    setHallTime('2026-09-30T10:00:00+08:00');
    const mobile = '13800004444';
    const { ctx, p } = await phone();
    await p.clock.install();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').fill(mobile);
    await p.locator('[data-testid=send-code]').tap();
    await expect.poll(() => codesTo(mobile).length).toBe(1);
    // Six minutes later (the code holds five), on the hub and on the phone.
    setHallTime('2026-09-30T10:06:00+08:00');
    for (let s = 0; s < 62; s++) await p.clock.runFor(1000);
    await p.locator('[data-testid=phone-code]').fill(codesTo(mobile)[0]!.params[0]!);
    await p.locator('[data-testid=verify-submit]').tap();
    await p.locator('[data-testid=verify-problem]').waitFor();
    expect(await p.locator('[data-testid=verify-problem]').textContent()).toBe('抱歉，验证码不正确或已过期，请重新获取验证码。');
    expect(await p.locator('[data-testid=send-code]').isEnabled()).toBe(true);
    await screenshot(p, 'phone-code-expired');
    await p.locator('[data-testid=send-code]').tap();
    await expect.poll(() => codesTo(mobile).length).toBe(2);
    await p.locator('[data-testid=phone-code]').fill(codesTo(mobile)[1]!.params[0]!);
    await p.locator('[data-testid=verify-submit]').tap();
    await p.locator('[data-testid=ticket-number]').waitFor();
    await ctx.close();
  }, 60_000);

  it('says what is wrong with a phone number of emoji or too long, and sends nothing', async () => {
    const { ctx, p } = await phone();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    const before = sms.sent.length;
    for (const typed of ['📱'.repeat(12), '1380000'.repeat(5), '１３８😀0000５５５５']) {
      await p.locator('[data-testid=phone-number]').fill(typed);
      expect((await p.locator('[data-testid=phone-number]').inputValue()).length).toBeLessThanOrEqual(20);
      await p.locator('[data-testid=send-code]').tap();
      await expect.poll(() => p.locator('[data-testid=verify-problem]').textContent()).toBe('请输入正确的 11 位手机号码。');
    }
    await screenshot(p, 'phone-verify-emoji');
    expect(sms.sent.length).toBe(before);
    await ctx.close();
  });

  it('gives the QR rating form back, the words kept, when it is sent without a level', async () => {
    expect((await hall.api('POST', '/api/windows/1/open', { clerk: '1001' })).status).toBe(200);
    expect((await hall.api('POST', '/api/tickets', { serviceCode: ITEM })).status).toBe(201);
    // The window serves whoever waits longest (the tests before leave numbers of their own waiting): that citizen rates.
    const { ticket } = (await hall.api<{ ticket: { id: string } }>('POST', '/api/windows/1/call-next')).body;
    for (const step of ['start', 'finish']) expect((await hall.api('POST', `/api/windows/1/${step}`)).status).toBe(200);
    const link = hall.hub.store.ratingLinkFor({ role: 'admin', terminal: 'e2e' }, ticket.id);
    if (!link.ok) throw new Error(link.message);
    const { ctx, p } = await phone();
    await p.goto(`${hall.hub.url}${link.link}`);
    // The way to complain beside the levels (H-15), filled in with the number rated.
    expect(await p.getByRole('link', { name: '对服务不满意？在线投诉' }).getAttribute('href')).toMatch(/^\/complain\?ticket=[A-Z]\d+$/);
    await screenshot(p, 'phone-rate-form');
    await p.locator('textarea[name=text]').fill('窗口办理很快👍');
    // Sent with no button pressed (as a form sent by hand would be).
    await Promise.all([p.waitForNavigation(), p.evaluate(() => document.querySelector('form')!.submit())]);
    await p.getByText('抱歉，请选择一个评价等级。').waitFor();
    expect(await p.locator('textarea[name=text]').inputValue()).toBe('窗口办理很快👍');
    await screenshot(p, 'phone-rate-no-level');
    await p.locator('button[value=very-satisfied]').tap();
    await p.getByText('感谢您的评价').waitFor();
    // The complaint form opened from the rating of an earlier day's number: that day named above the number.
    await p.goto(`${hall.hub.url}/complain?ticket=A001&day=2026-09-29`);
    expect(await p.locator('input[name=ticket]').inputValue()).toBe('A001');
    await p.getByText('9月29日的号票号码（可选）').waitFor();
    await screenshot(p, 'phone-complaint-earlier-day');
    await ctx.close();
  });

  it('says 正在连接… until the hub first answers, and 正在重新连接… only once the link it had is lost', async () => {
    const { link } = (await hall.api<{ link: string }>('POST', '/api/tickets', { serviceCode: ITEM })).body;
    const { ctx, p } = await phone();
    const network = await startRelay(hall.hub.port);
    /** Holds the page's asks for its ticket until the promise given back is let go (the hall's Wi-Fi slow to let them through). */
    const holdAsks = async () => {
      let letGo!: () => void;
      const held = new Promise<void>((resolve) => (letGo = resolve));
      await p.unroute('**/api/phone/tickets/**');
      await p.route('**/api/phone/tickets/**', async (route) => {
        await held;
        await route.continue();
      });
      return letGo;
    };
    try {
      const firstAsks = await holdAsks();
      await p.goto(`${network.url}${link}`);
      await p.locator('[data-testid=ticket-connecting]').waitFor();
      expect(await p.locator('[data-testid=ticket-connecting]').textContent()).toBe('正在连接…');
      await screenshot(p, 'phone-ticket-connecting');
      firstAsks();
      await expect.poll(() => p.locator('[data-testid=link]').textContent()).toBe('实时更新中');

      // The link lost (the phone out of range a moment), its asks again held: now it is reconnecting, in Chinese and in English.
      const nextAsks = await holdAsks();
      network.cut();
      await expect.poll(() => p.locator('[data-testid=link]').textContent(), { timeout: 10_000 }).toBe('正在重新连接…');
      await screenshot(p, 'phone-ticket-reconnecting');
      await p.locator('[data-testid=language-switch]').tap();
      expect(await p.locator('[data-testid=link]').textContent()).toBe('Reconnecting…');
      nextAsks();
      await expect.poll(() => p.locator('[data-testid=link]').textContent(), { timeout: 20_000 }).toBe('Live');
    } finally {
      await ctx.close();
      await network.close();
    }
  }, 60_000);

  it('says a slot chosen on a booking page left open until its day can no longer be booked, and offers the days that can', async () => {
    setHallTime('2026-10-12T10:00:00+08:00');
    const { ctx, p } = await phone();
    const errors: string[] = [];
    p.on('pageerror', (error) => errors.push(error.message));
    await p.goto(`${hall.hub.publicUrl()}/m/book/${ITEM}`);
    await p.locator('[data-testid=day-2026-10-13][aria-selected=true]').waitFor();
    // The hall's own missed-booking rule, said before booking (the demo hall's: 3 within 30 days pause booking 30 days).
    expect(await p.locator('[data-testid=no-show-rule]').textContent()).toBe('预约后未按时签到将记录为失约；30 天内失约 3 次，将暂停预约 30 天（仍可到大厅取号）。');
    await p.locator('[data-testid="slot-09:00"]').tap();
    // The next morning, the page still open on the 13th's 09:00: confirmed, verified (yesterday's session has ended), refused.
    setHallTime('2026-10-13T08:00:00+08:00');
    await p.locator('[data-testid=confirm-booking]').tap();
    await verifyOn(p, '13800006666');
    await p.locator('[data-testid=book-problem]').waitFor();
    expect(await p.locator('[data-testid=book-problem]').textContent()).toContain('抱歉，10月13日不可预约：可预约明天起 7 天内的工作日');
    // The page stays, on the first day that can be booked now, nothing chosen.
    await p.locator('[data-testid=day-2026-10-14][aria-selected=true]').waitFor();
    expect(await p.locator('[data-testid=day-2026-10-13]').count()).toBe(0);
    expect(await p.locator('[data-testid=confirm-booking]').count()).toBe(0);
    expect(errors).toEqual([]);
    await screenshot(p, 'phone-book-day-passed');
    // A screen reader hears each slot as a button, with its places, and whether it is the one chosen.
    const slot = p.getByRole('button', { name: '09:00-09:30 余 2', exact: true });
    expect(await slot.getAttribute('aria-pressed')).toBe('false');
    await slot.tap();
    expect(await slot.getAttribute('aria-pressed')).toBe('true');
    await p.locator('[data-testid=confirm-booking]').tap();
    await expect.poll(() => p.locator('[data-testid=appointment-when]').textContent()).toBe('10月14日 周三 09:00-09:30');
    await ctx.close();
  }, 60_000);

  it('shows the called alert whole below the bar, however tall the bar is (长辈模式, English, a 320 px phone)', async () => {
    const { ctx, p } = await phone();
    await p.setViewportSize({ width: 320, height: 568 });
    expect((await hall.api('POST', '/api/windows/2/open', { clerk: '1002' })).status).toBe(200);
    try {
      for (const english of [false, true]) {
        const { ticket, link } = (await hall.api<{ ticket: { number: string }; link: string }>('POST', '/api/tickets', { serviceCode: ITEM })).body;
        await p.goto(`${hall.hub.publicUrl()}${link}`);
        await p.evaluate((en) => {
          localStorage.setItem('sh.elderly', '1');
          localStorage.setItem('sh.lang', en ? 'en' : 'zh-CN');
        }, english);
        await p.reload();
        await p.locator('[data-testid=link].link-live').waitFor();
        const called = await hall.api<{ ticket: { number: string } }>('POST', '/api/windows/2/call-next');
        expect(called.body.ticket.number).toBe(ticket.number);
        await p.locator('[data-testid=alert-called]').waitFor();
        // The citizen has scrolled down the page (to the alerts' button, say): the alert stays in sight, its title not under the bar.
        await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        await new Promise((r) => setTimeout(r, 200));
        const covered = await p.evaluate(() => {
          const bar = document.querySelector('header.bar')!.getBoundingClientRect();
          const title = document.querySelector('[data-testid=alert-called] strong')!.getBoundingClientRect();
          return { barBottom: Math.round(bar.bottom), titleTop: Math.round(title.top) };
        });
        expect(covered.titleTop, JSON.stringify(covered)).toBeGreaterThanOrEqual(covered.barBottom);
        await screenshot(p, english ? 'phone-called-320-en-elderly' : 'phone-called-320-elderly');
        await hall.api('POST', '/api/windows/2/start');
        await hall.api('POST', '/api/windows/2/finish');
      }
    } finally {
      await hall.api('POST', '/api/windows/2/close');
      await ctx.close();
    }
  }, 60_000);

  it('says a booking page that cannot reach the hall is not reached, with 重试, and a booking that is not there as a booking, not a ticket', async () => {
    const { ctx, p } = await phone();
    await p.goto(`${hall.hub.publicUrl()}/m/book/${ITEM}`);
    await p.locator('[data-testid="slot-09:00"]').tap();
    await p.locator('[data-testid=confirm-booking]').tap();
    await verifyOn(p, '13800007777');
    await p.locator('[data-testid=appointment-code]').waitFor();
    // Opened again where the hall's Wi-Fi drops the page's ask: the network is said, not 没有找到这个号码.
    await p.route('**/api/phone/appointments/**', (route) => route.abort('internetdisconnected'));
    await p.reload();
    await p.locator('[data-testid=offline]').waitFor();
    expect(await p.locator('[data-testid=offline] p').textContent()).toBe('抱歉，暂时连不上大厅，请检查网络后重试。');
    await screenshot(p, 'phone-appointment-offline');
    await p.unroute('**/api/phone/appointments/**');
    await p.locator('[data-testid=offline] button').tap();
    await p.locator('[data-testid=appointment-code]').waitFor();
    // On a small phone in 长辈模式 its time is read whole, not 09:00- on one line and 09:30 on the next.
    await p.setViewportSize({ width: 320, height: 568 });
    await p.locator('[data-testid=elderly-switch]').tap();
    await expect.poll(() => p.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(true);
    const rangeLines = () =>
      p.locator('[data-testid=appointment-when]').evaluate((el) => {
        const text = el.textContent!;
        const at = text.indexOf('09:00-09:30');
        const node = [...el.querySelectorAll('*'), el].flatMap((e) => [...e.childNodes]).find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.includes('09:00'))!;
        const range = document.createRange();
        range.setStart(node, node.textContent!.indexOf('09:00'));
        range.setEnd(el, el.childNodes.length);
        return at < 0 ? -1 : new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
      });
    expect(await rangeLines()).toBe(1);
    await screenshot(p, 'phone-appointment-320-elderly');
    await p.locator('[data-testid=elderly-switch]').tap();
    await p.setViewportSize({ width: 390, height: 844 });
    // A booking address that names none (mistyped, or guessed): said as a booking not found, with where to look.
    await p.goto(`${hall.hub.publicUrl()}/m/a/AAAAAAAAAAAAAAAAAAAAAA`);
    await p.locator('[data-testid=appointment-not-found]').waitFor();
    expect(await p.locator('[data-testid=appointment-not-found]').textContent()).toBe('抱歉，没有找到这个预约。请在“我的号码和预约”中查看，或到服务台咨询。');
    // An item's page not reached either: the network said, and 重试 brings the guide.
    await p.route('**/api/phone/items/**', (route) => route.abort('internetdisconnected'));
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=offline]').waitFor();
    await p.unroute('**/api/phone/items/**');
    await p.locator('[data-testid=offline] button').tap();
    await p.locator('[data-testid=guide]').waitFor();
    // 我的号码和预约 not reached: the same, and 重试 brings the booking.
    await p.route('**/api/phone/mine', (route) => route.abort('internetdisconnected'));
    await p.goto(`${hall.hub.publicUrl()}/m/mine`);
    await p.locator('[data-testid=offline]').waitFor();
    await p.unroute('**/api/phone/mine');
    await p.locator('[data-testid=offline] button').tap();
    await p.locator('.mine-page .row').first().waitFor();
    await ctx.close();
  }, 60_000);
});

describe('the citizen’s phone turned away by a busy hub, 390×844 with touch', () => {
  it('says many people are checking their numbers, not that the phone reconnects, asks again only after Retry-After, and is back on the live stream after it', async () => {
    // A hall whose hub lets one phone per address follow its number (the second is turned away: 429, Retry-After 10 s), a long poll answering within 2 s.
    const busy = await startTestHall({ limits: { phone: { streamsPerAddress: 1, pollMs: 2000 } } });
    const phones: BrowserContext[] = [];
    const cleanup: (() => Promise<void>)[] = [];
    const BUSY = '查看号码的人较多，稍后自动更新';
    try {
      const { link } = (await busy.api<{ link: string }>('POST', '/api/tickets', { serviceCode: ITEM })).body;
      const first = await phone();
      phones.push(first.ctx);
      await first.p.goto(`${busy.hub.publicUrl()}${link}`);
      await expect.poll(() => first.p.locator('[data-testid=link]').textContent()).toBe('实时更新中');

      // A second phone behind the same address: turned away before its first answer, and told so.
      const { ctx, p } = await phone();
      phones.push(ctx);
      // The page's own clock, moved on by the test through the hub's Retry-After (10 s, as a hall's phones wait it) rather than waited out.
      await p.clock.install();
      const network = await startRelay(busy.hub.port);
      cleanup.push(() => network.close());
      const asked: number[] = [];
      /** What the hub answered the page's streams (its long polls are the other asks). */
      const streams: number[] = [];
      p.on('response', (r) => {
        if (r.url().includes('/api/phone/tickets/')) asked.push(r.status());
        if (r.url().endsWith('/watch')) streams.push(r.status());
      });
      await p.goto(`${network.url}${link}`);
      await p.locator('[data-testid=ticket-busy]').waitFor();
      expect(await p.locator('[data-testid=ticket-busy]').textContent()).toBe(BUSY);
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.every((s) => s === 429)).toBe(true);

      // The first phone leaves: the next ask, after Retry-After, is let in and the number is followed (by long poll now,
      // which answers as soon as the ticket changes): live, not a slow network, which the phone's was not.
      await first.ctx.close();
      await expect.poll(() => busy.hub.phonesWatching()).toBe(0);
      await p.clock.fastForward(12_500);
      await expect.poll(() => p.locator('[data-testid=link]').count(), { timeout: 20_000 }).toBe(1);
      await expect.poll(() => p.locator('[data-testid=link]').textContent()).toBe('实时更新中');
      // And back on the live stream once the refusal's Retry-After has passed (7.5 to 12.5 s), not on the long poll for as long as the page stays open.
      await expect.poll(() => busy.hub.phonesWatching(), { timeout: 20_000 }).toBe(1);
      expect(streams[0]).toBe(429);
      await expect.poll(() => streams.at(-1)).toBe(200);
      expect(await p.locator('[data-testid=link]').textContent()).toBe('实时更新中');

      // The stream lost a moment (the phone out of range) and turned away again when it comes back, while the number is shown
      // (the hub's refusal as it sends it): the busy line, not 正在重新连接…
      await p.route('**/api/phone/tickets/**', (route) =>
        route.fulfill({ status: 429, headers: { 'retry-after': '10' }, contentType: 'application/json', body: JSON.stringify({ code: 'rate-limited', text: '' }) }),
      );
      // The page's clock stands still from here until the test moves it: its waits after this refusal are counted from it.
      await p.clock.pauseAt((await p.evaluate(() => Date.now())) + 1_000);
      network.cut();
      await expect.poll(() => busy.hub.phonesWatching(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => p.locator('[data-testid=link]').textContent(), { timeout: 15_000 }).toBe(BUSY);
      expect(await p.locator('[data-testid=link]').getAttribute('class')).toBe('link link-busy');
      expect(await p.locator('[data-testid=ticket-number]').textContent()).toMatch(/^[A-Z]\d+$/);
      await screenshot(p, 'phone-ticket-busy');
      // Retry-After is 10 s (asked again after 7.5 to 12.5 s): nothing more asked in the next 7 s of the page's clock, and the line stays.
      const seen = asked.length;
      await p.clock.runFor(7_000);
      // An ask made in those 7 s would be answered at once (by the route): a second, its clock still standing, for its answer to be heard here.
      await new Promise((r) => setTimeout(r, 1000));
      expect(asked.length).toBe(seen);
      expect(await p.locator('[data-testid=link]').textContent()).toBe(BUSY);
      await p.unroute('**/api/phone/tickets/**');
      // Past 12.5 s: the stream asked for again, after the half second (real, the clock running again) its long poll takes to step aside.
      await p.clock.resume();
      await p.clock.fastForward(5_600);
      await expect.poll(() => p.locator('[data-testid=link]').textContent(), { timeout: 15_000 }).toBe('实时更新中');
      await expect.poll(() => busy.hub.phonesWatching(), { timeout: 15_000 }).toBe(1);
    } finally {
      for (const ctx of phones) await ctx.close();
      for (const c of cleanup) await c();
      await busy.close();
    }
  }, 60_000);
});
