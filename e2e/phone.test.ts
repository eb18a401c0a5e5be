import { hallDay } from '@servicehall/core';
import { smsTemplateContent } from '@servicehall/notify';
import { TencentSmsStandIn } from '@servicehall/notify/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHallDisplayInBrowserMode } from '../apps/hall-display/src/main/browser';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * A citizen's phone in Chromium at 390×844 with touch: the door's QR code, a number by phone after
 * an SMS code, the queue moving live, the near and called alerts on the page and by SMS (Tencent's
 * stand-in records them), a booking, and its check-in by the demo kiosk's scanner.
 */
const PHONE = { width: 390, height: 844 };
const TENCENT = { secretId: 'AKIDe2ephone0000000000000000000000', secretKey: 'tencentSecretKeyForThePhoneE2E00', sdkAppId: '1400009999', signName: '滨江政务' };
const TEMPLATES = { 'phone-code': '3001', 'ticket-near': '3002', 'ticket-called': '3003' };
const MOBILE = '13800001111';
const ITEM = 'GA-SFZ-HL';

/**
 * The hall's clock: real time plus an offset, shared by the hub and the SMS stand-in (whose
 * signatures must agree on the time). It starts at 10:00 of the hall's day: a run across midnight in
 * the hall (16:00 UTC) saw the four numbers taken before it go with yesterday, and the window
 * found nobody waiting. The test moves it on by 31 s between two SMS to one phone (Tencent allows
 * one a number every 30 s), and to the booked day for the check-in.
 */
let offset = Date.parse(`${hallDay(Date.now(), 'Asia/Shanghai')}T10:00:00+08:00`) - Date.now();
const clock = () => Date.now() + offset;

let sms: TencentSmsStandIn;
let hall: TestHall;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>> | undefined;
let display: Awaited<ReturnType<typeof runHallDisplayInBrowserMode>> | undefined;
let bookedCode = '';
let bookedRef = '';

/** What the page did to alert, seen through stand-ins for the phone's vibrator, notifications and speaker. */
const RECORD_ALERTS = `
  window.__alerts = { vibrations: [], notifications: [], tones: 0 };
  Object.defineProperty(Navigator.prototype, 'vibrate', { configurable: true, value: function (p) { window.__alerts.vibrations.push(p); return true; } });
  class RecordedNotification {
    constructor(title, options) { window.__alerts.notifications.push({ title, body: options && options.body }); }
    close() {}
  }
  RecordedNotification.permission = 'granted';
  RecordedNotification.requestPermission = () => Promise.resolve('granted');
  window.Notification = RecordedNotification;
  if (window.AudioContext) {
    const make = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () { window.__alerts.tones += 1; return make.call(this); };
  }
`;
type Alerts = { vibrations: number[][]; notifications: { title: string; body: string }[]; tones: number };
const alerts = (p: Page) => p.evaluate(() => (window as unknown as { __alerts: Alerts }).__alerts);

async function phoneContext(init = ''): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await ctx.addInitScript(RECORD_ALERTS + init);
  return ctx;
}

/** What a finger can press on the page that is narrower or lower than 48 px (the elderly mode's least). */
const smallTargets = (p: Page) =>
  p.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, a[href], input:not([type=hidden]), select, [role=button]')]
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && box.height > 0 && Math.min(box.width, box.height) < 48)
      .map(({ el, box }) => `${(el.textContent || el.getAttribute('aria-label') || el.className).trim().slice(0, 16)} ${Math.round(box.width)}×${Math.round(box.height)}`),
  );

const sent = (templateId: string) => sms.sent.filter((m) => m.templateId === templateId);

/** The window calls the next number, serves it and finishes it: the line moves on by one. */
async function serveNext(): Promise<void> {
  expect((await hall.api('POST', '/api/windows/1/call-next')).status).toBe(200);
  await hall.api('POST', '/api/windows/1/start');
  await hall.api('POST', '/api/windows/1/finish');
}

beforeAll(async () => {
  sms = await TencentSmsStandIn.start({
    ...TENCENT,
    templates: Object.fromEntries(Object.entries(TEMPLATES).map(([kind, id]) => [id, smsTemplateContent(kind as keyof typeof TEMPLATES)])),
    clock,
  });
  hall = await startTestHall({ clock, notify: { channels: [{ id: 'sms', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: TEMPLATES }] } });
  browser = await launchChromium();
  // Four citizens already wait for 居民身份证换领 at the one open window.
  await hall.api('POST', '/api/windows/1/open', { clerk: '1001' });
  for (let i = 0; i < 4; i++) await hall.api('POST', '/api/tickets', { serviceCode: ITEM });
  context = await phoneContext();
  page = await context.newPage();
  page.on('pageerror', (error) => console.error(`phone page error: ${error.message}`));
});

afterAll(async () => {
  await kiosk?.stop();
  await display?.stop();
  await browser?.close();
  await hall?.close();
  await sms?.close();
});

describe('the citizen’s phone, 390×844 with touch', () => {
  it('opens from the door’s QR code and shows the items with their waits', async () => {
    const poster = await (await fetch(`${hall.hub.url}/m/door`)).text();
    const door = /<p class="link">([^<]+)<\/p>/.exec(poster)![1]!;
    expect(door).toBe(`${hall.hub.publicUrl()}/m/`);
    expect(poster).toContain('<svg');
    // Opened on a phone, the poster fits its width: no sideways scroll, the QR code whole.
    await page.goto(`${hall.hub.url}/m/door`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const qr = (await page.locator('.qr').boundingBox())!;
    expect(qr.x).toBeGreaterThanOrEqual(0);
    expect(qr.x + qr.width).toBeLessThanOrEqual(PHONE.width);
    await page.goto(door);
    const card = page.locator(`[data-testid=item-${ITEM}]`);
    // What a number taken now will have ahead, as the kiosk's card says it (the ticket taken below: 前面还有 4 人).
    await expect.poll(() => card.textContent()).toContain('前面 4 人');
    expect(await card.textContent()).toContain('可取号');
    await screenshot(page, 'phone-home');
  });

  it('reads the guide, verifies the phone by an SMS code and takes a number', async () => {
    await page.locator(`[data-testid=item-${ITEM}]`).tap();
    await page.locator('[data-testid=guide]').waitFor();
    expect(await page.locator('[data-testid=guide]').textContent()).toContain('申请材料');
    await screenshot(page, 'phone-item');
    await page.locator('[data-testid=take]').tap();
    await page.locator('[data-testid=phone-number]').fill(MOBILE);
    await page.locator('[data-testid=send-code]').tap();
    await expect.poll(() => sent(TEMPLATES['phone-code']).length).toBe(1);
    const code = sent(TEMPLATES['phone-code'])[0]!.params[0]!;
    expect(sent(TEMPLATES['phone-code'])[0]!.phone).toBe(`+86${MOBILE}`);
    await page.locator('[data-testid=phone-code]').fill(code);
    await screenshot(page, 'phone-verify');
    await page.locator('[data-testid=verify-submit]').tap();
    await page.locator('[data-testid=ticket-number]').waitFor();
    expect(await page.locator('[data-testid=ticket-number]').textContent()).toBe('A005');
    expect(await page.locator('[data-testid=ticket-state]').textContent()).toBe('前面还有 4 人');
    // The address names no ticket, no day and no person.
    expect(page.url()).toMatch(/\/m\/t\/[A-Za-z0-9_-]{22}$/);
    expect(page.url()).not.toContain('A005');
    const queue = (await hall.api<{ tickets: { number: string; remote?: boolean }[] }>('GET', '/api/queue')).body.tickets;
    expect(queue.find((t) => t.number === 'A005')?.remote).toBe(true);
    // The phone keeps its session twelve hours by its own clock, which is not the hub's (here the hub's is set to 10:00 of the
    // hall's day): by the hub's expiresAt, a run after 22:00 in the hall took the session for spent and asked to verify again.
    const kept = await page.evaluate(() => ({ now: Date.now(), session: JSON.parse(localStorage.getItem('sh.session') ?? 'null') as { expiresAt: number } | null }));
    expect(Math.abs(kept.session!.expiresAt - (kept.now + 12 * 3600_000))).toBeLessThan(60_000);
    await expect.poll(() => page.locator('[data-testid=link]').textContent()).toBe('实时更新中');
    await screenshot(page, 'phone-ticket');
  });

  it('follows the queue by push, never reloading, and alerts once when near and once when called', async () => {
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));
    await page.locator('[data-testid=enable-alerts]').tap();
    await page.locator('[data-testid=alerts-on]').waitFor();

    // The code's SMS went to this phone moments ago.
    offset += 31_000;
    await serveNext();
    await expect.poll(() => page.locator('[data-testid=ticket-state]').textContent()).toBe('前面还有 3 人');
    // Three ahead: the near alert on the page (chime, vibration, notification) and by SMS.
    await page.locator('[data-testid=alert-near]').waitFor();
    expect(await page.locator('[data-testid=alert-near]').textContent()).toContain('您的号码 A005 前面还有 3 人');
    const near = await alerts(page);
    expect(near.vibrations).toEqual([[200, 100, 200]]);
    expect(near.notifications).toEqual([{ title: '即将轮到您', body: '您的号码 A005 前面还有 3 人，请回到大厅留意叫号。' }]);
    expect(near.tones).toBe(2);
    await expect.poll(() => sent(TEMPLATES['ticket-near']).length).toBe(1);
    expect(sent(TEMPLATES['ticket-near'])[0]).toMatchObject({ phone: `+86${MOBILE}`, params: ['A005', '3'] });
    await screenshot(page, 'phone-near');

    // The one window closes: nobody is called, so the page no longer calls the citizen back; it says why.
    expect((await hall.api('POST', '/api/windows/1/close')).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=ticket-wait]').textContent()).toBe('该事项暂无窗口开放，开放后按顺序叫号');
    expect(await page.locator('.near-line').count()).toBe(0);
    expect(await page.locator('[data-testid=alert-near]').count()).toBe(0);
    await screenshot(page, 'phone-near-no-window');
    expect((await hall.api('POST', '/api/windows/1/open', { clerk: '1001' })).status).toBe(200);
    await expect.poll(() => page.locator('.near-line').count()).toBe(1);

    offset += 31_000;
    for (let i = 0; i < 3; i++) await serveNext();
    await expect.poll(() => page.locator('[data-testid=ticket-state]').textContent()).toBe('下一位就是您');
    await hall.api('POST', '/api/windows/1/call-next');
    await page.locator('[data-testid=alert-called]').waitFor();
    expect(await page.locator('[data-testid=ticket-state]').textContent()).toBe('请到 1号窗口办理');
    await expect.poll(() => sent(TEMPLATES['ticket-called']).length).toBe(1);
    expect(sent(TEMPLATES['ticket-called'])[0]).toMatchObject({ params: ['A005', '1'], text: '请A005号到1号窗口办理。' });
    const called = await alerts(page);
    expect(called.vibrations).toEqual([
      [200, 100, 200],
      [400, 150, 400, 150, 400],
    ]);
    expect(called.notifications.map((n) => n.title)).toEqual(['即将轮到您', '请到窗口办理']);
    await screenshot(page, 'phone-called');

    // A recall rings no more, on the page or by SMS.
    offset += 31_000;
    expect((await hall.api('POST', '/api/windows/1/recall')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await alerts(page)).vibrations).toHaveLength(2);
    expect(sent(TEMPLATES['ticket-called'])).toHaveLength(1);
    expect(await page.locator('[data-testid=ticket]').getAttribute('data-alerts')).toBe('near,called');
    expect(navigations).toBe(0);

    // Served: 请到窗口办理 is no longer standing over 办理完毕, and the rating button's white words are on its blue.
    await hall.api('POST', '/api/windows/1/start');
    await hall.api('POST', '/api/windows/1/finish');
    await page.locator('[data-testid=rate]').waitFor();
    expect(await page.locator('[data-testid=alert-called]').count()).toBe(0);
    expect(await page.locator('[data-testid=rate]').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 255)');
    await screenshot(page, 'phone-done');
  });

  it('marks the number taken by phone on the hall screen', async () => {
    display = await runHallDisplayInBrowserMode(undefined, terminalEnv(hall, 'hall-display-1'));
    const screen = await openScreen(browser, display.screen.url, { width: 1920, height: 1080 });
    await expect.poll(() => screen.locator('[data-testid=latest-call]').textContent()).toContain('A005');
    expect(await screen.locator('[data-testid=remote-mark]').textContent()).toBe('手机取号');
    await screenshot(screen, 'hall-display-remote');
    await screen.context().close();
  });

  it('still follows the queue by long poll in a browser without EventSource', async () => {
    const old = await phoneContext('delete window.EventSource;');
    const p = await old.newPage();
    await hall.api('POST', '/api/tickets', { serviceCode: 'GA-HK-QR' });
    // The hub answers a new ticket with the path of its live page (what its QR code opens).
    const { link } = (await hall.api<{ link: string }>('POST', '/api/tickets', { serviceCode: 'GA-HK-QR' })).body;
    await p.goto(`${hall.hub.publicUrl()}${link}`);
    await expect.poll(() => p.locator('[data-testid=link]').textContent()).toBe('网络较慢，每隔一段时间自动更新');
    const ahead = async () => (await p.locator('[data-testid=ticket-state]').textContent()) ?? '';
    const before = await ahead();
    await hall.api('POST', '/api/windows/1/finish').catch(() => undefined);
    await hall.api('POST', '/api/windows/1/start');
    await hall.api('POST', '/api/windows/1/finish');
    await hall.api('POST', '/api/windows/1/call-next');
    await expect.poll(ahead).not.toBe(before);
    await old.close();
  });

  it('books a slot on a working day and shows the code and the QR code for the kiosk', async () => {
    await page.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await page.locator('[data-testid=book]').tap();
    const slot = page.locator('[data-testid="slot-09:00"]');
    await slot.waitFor();
    await slot.tap();
    await screenshot(page, 'phone-book');
    await page.locator('[data-testid=confirm-booking]').tap();
    await page.locator('[data-testid=appointment-code]').waitFor();
    bookedCode = (await page.locator('[data-testid=appointment-code]').textContent())!;
    bookedRef = page.url().split('/').at(-1)!;
    expect(bookedCode).toMatch(/^[2-9A-Z]{8}$/);
    expect(await page.locator('[data-testid=appointment]').getAttribute('data-state')).toBe('booked');
    await page.locator('[data-testid=appointment-qr]').waitFor();
    await screenshot(page, 'phone-appointment');
  });

  it('checks the booking in at the demo kiosk by scanning its QR code', async () => {
    const booking = (await (await fetch(`${hall.hub.url}/api/phone/appointments/${bookedRef}`)).json()) as { slotStart: number };
    // The booked morning, ten minutes before the slot.
    offset = booking.slotStart - 10 * 60_000 - Date.now();
    kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1'));
    const screen = await openScreen(browser, kiosk.screen.url, { width: 1080, height: 1920 });
    await screen.locator('[data-testid=items]').waitFor();
    // The scanner types what the QR code holds, fast, and presses Enter: on the home screen, no field focused.
    // (On this shared, loaded machine a burst can arrive torn apart; a citizen then scans again.)
    const shown = () => screen.locator('.kiosk').getAttribute('data-screen');
    for (let attempt = 0; attempt < 3 && (await shown()) !== 'ticket'; attempt++) {
      await screen.keyboard.type(bookedCode);
      await screen.keyboard.press('Enter');
      await expect.poll(shown, { timeout: 8000 }).not.toBe('home').catch(() => undefined);
      await expect.poll(shown, { timeout: 8000 }).not.toBe('working');
    }
    expect(await shown()).toBe('ticket');
    const number = (await screen.locator('[data-testid=ticket-number]').textContent())!;
    expect(number).toMatch(/^A\d{3}$/);
    await screenshot(screen, 'kiosk-scan-checkin');
    await screen.context().close();

    await page.reload();
    await expect.poll(() => page.locator('[data-testid=appointment]').getAttribute('data-state')).toBe('checked-in');
    await page.locator('[data-testid=appointment-ticket]').tap();
    await expect.poll(() => page.locator('[data-testid=ticket-number]').textContent()).toBe(number);
    expect(await page.locator('[data-testid=ticket]').textContent()).toContain('预约号');
  });

  it('reads in English, in large type for elderly citizens', async () => {
    await page.locator('[data-testid=language-switch]').tap();
    await page.locator('[data-testid=elderly-switch]').tap();
    await expect.poll(() => page.locator('[data-testid=ticket-state]').textContent()).toMatch(/ahead of you|You are next|Please go to window/);
    expect(await page.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('21px');
    expect(await page.locator('[data-testid=enable-alerts], [data-testid=alerts-on]').first().isVisible()).toBe(true);
    await screenshot(page, 'phone-ticket-en-elderly');
    // Every button a finger's width, the bar's too (back, 标准模式, 中文), here and on the items and a guide.
    expect(await smallTargets(page)).toEqual([]);
    await page.goto(`${hall.hub.publicUrl()}/m/`);
    await page.locator(`[data-testid=item-${ITEM}]`).waitFor();
    expect(await smallTargets(page)).toEqual([]);
    await page.locator(`[data-testid=item-${ITEM}]`).tap();
    await page.locator('[data-testid=guide]').waitFor();
    expect(await smallTargets(page)).toEqual([]);
    // The materials' form and count in English words and marks, not （original，1）.
    expect(await page.locator('[data-testid=guide] ol li').first().textContent()).toMatch(/ \(original, quantity 1\)/);
    // The booking's days and slots too.
    await page.locator('[data-testid=book]').tap();
    await page.locator('[data-testid^=day-]').first().waitFor();
    expect(await smallTargets(page)).toEqual([]);
    await page.goto(`${hall.hub.publicUrl()}/m/a/${bookedRef}`);
    await page.locator('[data-testid=appointment]').waitFor();
    expect(await smallTargets(page)).toEqual([]);
  });

  it('shows the hall’s whole name in the bar and keeps the case lookup’s box and 查询 apart, in 长辈模式 and in English, at 390×844 and 360×640', async () => {
    const cut = (p: Page) =>
      p.evaluate(() => {
        const box = (el: Element) => el.getBoundingClientRect();
        const title = document.querySelector<HTMLElement>('.bar-title')!;
        const [t, s] = [box(title), box(document.querySelector('.bar-switches')!)];
        const overlap = t.left < s.right && s.left < t.right && t.top < s.bottom && s.top < t.bottom;
        return { name: title.textContent, clipped: title.scrollWidth > title.clientWidth || title.scrollHeight > title.clientHeight, overlap, outside: t.right > window.innerWidth };
      });
    for (const size of [PHONE, { width: 360, height: 640 }]) {
      const ctx = await browser.newContext({ viewport: size, hasTouch: true, isMobile: true, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      const p = await ctx.newPage();
      await p.goto(`${hall.hub.publicUrl()}/m/`);
      await p.locator(`[data-testid=item-${ITEM}]`).waitFor();
      const whole = { clipped: false, overlap: false, outside: false };
      expect(await cut(p)).toEqual({ name: '滨江区政务服务中心', ...whole });
      await p.locator('[data-testid=elderly-switch]').tap();
      await expect.poll(() => p.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(true);
      expect(await cut(p)).toEqual({ name: '滨江区政务服务中心', ...whole });
      if (size === PHONE) await screenshot(p, 'phone-home-elderly');
      await p.locator('[data-testid=go-case]').tap();
      await p.locator('[data-testid=case-number]').waitFor();
      expect(await cut(p)).toEqual({ name: '滨江区政务服务中心', ...whole });
      const field = (await p.locator('[data-testid=case-number]').boundingBox())!;
      const ask = (await p.locator('.case-page button[type=submit]').boundingBox())!;
      // The button below the box with a gap between them, as every other card's parts have.
      expect(ask.y - (field.y + field.height)).toBeGreaterThanOrEqual(8);
      if (size === PHONE) await screenshot(p, 'phone-case-elderly');
      await p.locator('[data-testid=language-switch]').tap();
      await expect.poll(() => p.locator('.bar-title').textContent()).toBe('Binjiang District Government Service Center');
      expect(await cut(p)).toEqual({ name: 'Binjiang District Government Service Center', ...whole });
      await p.locator('[data-testid=elderly-switch]').tap();
      await expect.poll(() => p.evaluate(() => document.documentElement.classList.contains('elderly'))).toBe(false);
      expect(await cut(p)).toEqual({ name: 'Binjiang District Government Service Center', ...whole });
      await ctx.close();
    }
  });

  it('lets a citizen whose page was reloaded right after the code was sent type that code', async () => {
    const other = '13900002222';
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').fill(other);
    await p.locator('[data-testid=send-code]').tap();
    const codes = () => sent(TEMPLATES['phone-code']).filter((m) => m.phone === `+86${other}`);
    await expect.poll(() => codes().length).toBe(1);
    // The in-app browser reloads the page on the way back from the SMS app: the number is typed again, and the code asked for again.
    await p.reload();
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').fill(other);
    await p.locator('[data-testid=send-code]').tap();
    await expect.poll(() => p.locator('[data-testid=send-code]').textContent()).toMatch(/秒后可重新获取/);
    expect(codes()).toHaveLength(1);
    await p.locator('[data-testid=phone-code]').fill(codes()[0]!.params[0]!);
    await expect.poll(() => p.locator('[data-testid=verify-submit]').isEnabled()).toBe(true);
    await p.locator('[data-testid=verify-submit]').tap();
    await p.locator('[data-testid=verify]').waitFor({ state: 'detached' });
    await ctx.close();
  });

  it('takes a mobile number written as phones show it, +86 and spaces (17 characters)', async () => {
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    // Typed key by key, as pasting is: the field's length limit applies to both.
    await p.locator('[data-testid=phone-number]').pressSequentially('+86 137 0000 4444');
    expect(await p.locator('[data-testid=phone-number]').inputValue()).toBe('+86 137 0000 4444');
    await p.locator('[data-testid=send-code]').tap();
    await expect.poll(() => sent(TEMPLATES['phone-code']).filter((m) => m.phone === '+8613700004444').length).toBe(1);
    await ctx.close();
  });

  it('says what to do when no code has been typed a minute after it was sent (the SMS late or lost)', async () => {
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.clock.install();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').fill('13700006666');
    await p.locator('[data-testid=send-code]').tap();
    await expect.poll(() => p.locator('[data-testid=send-code]').textContent()).toMatch(/秒后可重新获取/);
    expect(await p.locator('[data-testid=code-not-received]').count()).toBe(0);
    // The countdown runs a second at a time; each second lets the page draw the next.
    for (let s = 0; s < 62; s++) await p.clock.runFor(1000);
    await p.locator('[data-testid=code-not-received]').waitFor();
    expect(await p.locator('[data-testid=code-not-received]').textContent()).toContain('取号机');
    await screenshot(p, 'phone-code-not-received');
    // Typing the code that did come puts it away.
    await p.locator('[data-testid=phone-code]').fill('1');
    expect(await p.locator('[data-testid=code-not-received]').count()).toBe(0);
    await ctx.close();
  });

  it('takes a number and a code typed on a full-width keyboard (１３７…, １２３４５６), and a code pasted with a space', async () => {
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').pressSequentially('１３７－００００－７７７７');
    await p.locator('[data-testid=send-code]').tap();
    const codes = () => sent(TEMPLATES['phone-code']).filter((m) => m.phone === '+8613700007777');
    await expect.poll(() => codes().length).toBe(1);
    expect(await p.textContent('body')).not.toContain('请输入正确的 11 位手机号码');
    expect(await p.locator('[role=status]').textContent()).toContain('137****7777');
    const code = codes()[0]!.params[0]!;
    // Pasted as the SMS app spaces it: all six digits kept.
    await p.locator('[data-testid=phone-code]').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect(await p.locator('[data-testid=phone-code]').inputValue()).toBe(code);
    await p.locator('[data-testid=phone-code]').fill('');
    await p.locator('[data-testid=phone-code]').pressSequentially([...code].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join(''));
    expect(await p.locator('[data-testid=phone-code]').inputValue()).toBe(code);
    await screenshot(p, 'phone-verify-full-width');
    await p.locator('[data-testid=verify-submit]').tap();
    await p.locator('[data-testid=verify]').waitFor({ state: 'detached' });
    await ctx.close();
  });

  it('shows a booking cancelled elsewhere as cancelled when its page, opened before, is asked to cancel it too', async () => {
    const slots = (await (await fetch(`${hall.hub.url}/api/phone/slots?service=${ITEM}`)).json()) as { days: { slots: { start: number; end: number; left: number }[] }[] };
    const slot = slots.days.flatMap((d) => d.slots).find((x) => x.left > 1)!;
    expect((await hall.api('POST', '/api/appointments', { code: 'QX7K2M9P', serviceCode: ITEM, slotStart: slot.start, slotEnd: slot.end })).status).toBe(201);
    const ref = hall.hub.store.refs.ofAppointment('QX7K2M9P');
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.goto(`${hall.hub.publicUrl()}/m/a/${ref}`);
    await expect.poll(() => p.locator('[data-testid=appointment]').getAttribute('data-state')).toBe('booked');
    // Cancelled from another tab (or a second tap whose answer came first).
    expect((await fetch(`${hall.hub.url}/api/phone/appointments/${ref}/cancel`, { method: 'POST' })).status).toBe(200);
    await p.locator('[data-testid=cancel-appointment]').tap();
    await p.locator('[data-testid=cancel-yes]').tap();
    await expect.poll(() => p.locator('[data-testid=appointment]').getAttribute('data-state')).toBe('cancelled');
    expect(await p.locator('[data-testid=appointment]').textContent()).toContain('已取消');
    expect(await p.locator('[data-testid=appointment-qr]').count()).toBe(0);
    await screenshot(p, 'phone-appointment-cancelled-elsewhere');
    await ctx.close();
  });

  it('goes back from a number just taken to where the citizen came from, not to 立即取号 for a second number', async () => {
    const remote = async () => (await hall.api<{ tickets: { remote?: boolean }[] }>('GET', '/api/queue')).body.tickets.filter((t) => t.remote).length;
    const before = await remote();
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.goto(`${hall.hub.publicUrl()}/m/`);
    await p.locator(`[data-testid=item-${ITEM}]`).tap();
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').fill('13700008888');
    await p.locator('[data-testid=send-code]').tap();
    const codes = () => sent(TEMPLATES['phone-code']).filter((m) => m.phone === '+8613700008888');
    await expect.poll(() => codes().length).toBe(1);
    await p.locator('[data-testid=phone-code]').fill(codes()[0]!.params[0]!);
    await p.locator('[data-testid=verify-submit]').tap();
    await p.locator('[data-testid=ticket-number]').waitFor();
    expect(await remote()).toBe(before + 1);
    await p.goBack();
    await expect.poll(() => new URL(p.url()).pathname).toBe('/m/');
    expect(await p.locator('[data-testid=take]').count()).toBe(0);
    expect(await remote()).toBe(before + 1);
    await ctx.close();
  }, 60_000);

  it('takes a mobile number with 0086 in front, as the hub does', async () => {
    const ctx = await phoneContext();
    const p = await ctx.newPage();
    await p.goto(`${hall.hub.publicUrl()}/m/item/${ITEM}`);
    await p.locator('[data-testid=take]').tap();
    await p.locator('[data-testid=phone-number]').fill('0086 137 0000 5555');
    await p.locator('[data-testid=send-code]').tap();
    await expect.poll(() => sent(TEMPLATES['phone-code']).filter((m) => m.phone === '+8613700005555').length).toBe(1);
    expect(await p.textContent('body')).not.toContain('请输入正确的 11 位手机号码');
    await ctx.close();
  });
});
