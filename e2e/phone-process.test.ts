import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metricIn } from '@servicehall/hub/testing';
import { launchChromium, screenshot, startTestHall, type TestHall } from './harness';

/**
 * A citizen's phone in Chromium at 390×844 following its number through the hub's own phones'
 * process (as the command line runs the hub): the hub checks the page's stream and hands it over,
 * and the page's EventSource hears the queue move and the call from that process.
 */
const PHONE = { width: 390, height: 844 };
const ITEM = 'GA-SFZ-HL';

let hall: TestHall;
let browser: Browser;
let page: Page;

const metric = async (name: string) => metricIn(await (await fetch(`${hall.hub.url}/metrics`)).text(), name);

beforeAll(async () => {
  hall = await startTestHall({ phoneStreams: 'process' });
  browser = await launchChromium();
  await vi.waitFor(async () => expect(await metric('servicehall_phone_process_up')).toBe(1), { timeout: 15_000, interval: 50 });
  await hall.api('POST', '/api/windows/1/open', { clerk: '1001' });
});

afterAll(async () => {
  await browser?.close();
  await hall?.close();
});

describe("the citizen's phone, its stream served by the phones' own process", () => {
  it('shows the line move and the call, pushed, never reloading', async () => {
    await hall.api('POST', '/api/tickets', { serviceCode: ITEM });
    const { body } = await hall.api<{ ticket: { number: string }; link: string }>('POST', '/api/tickets', { serviceCode: ITEM });
    const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.addInitScript(`
      window.__vibrations = [];
      Object.defineProperty(Navigator.prototype, 'vibrate', { configurable: true, value: function (p) { window.__vibrations.push(p); return true; } });
    `);
    page = await context.newPage();
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));
    await page.goto(`${hall.hub.publicUrl()}${body.link}`);
    expect(await page.locator('[data-testid=ticket-number]').textContent()).toBe(body.ticket.number);
    await expect.poll(() => page.locator('[data-testid=ticket-state]').textContent()).toBe('前面还有 1 人');
    await expect.poll(() => page.locator('[data-testid=link]').textContent()).toBe('实时更新中');
    await expect.poll(() => metric('servicehall_phone_streams{served_by="process"}')).toBe(1);
    expect(await metric('servicehall_phone_streams{served_by="hub"}')).toBe(0);
    await page.locator('[data-testid=enable-alerts]').tap();
    await page.locator('[data-testid=alerts-on]').waitFor();

    // The one ahead is called and served; then this number is called.
    expect((await hall.api('POST', '/api/windows/1/call-next')).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=ticket-state]').textContent()).toBe('下一位就是您');
    await hall.api('POST', '/api/windows/1/start');
    await hall.api('POST', '/api/windows/1/finish');
    expect((await hall.api('POST', '/api/windows/1/call-next')).status).toBe(200);
    await page.locator('[data-testid=alert-called]').waitFor();
    expect(await page.locator('[data-testid=ticket-state]').textContent()).toBe('请到 1号窗口办理');
    const vibrations = await page.evaluate(() => (window as unknown as { __vibrations: number[][] }).__vibrations);
    expect(vibrations).toContainEqual([400, 150, 400, 150, 400]);
    expect(navigations).toBe(1);
    await screenshot(page, 'phone-called-by-process');
    await context.close();
  }, 60_000);
});
