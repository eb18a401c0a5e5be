import { demoCatalogue } from '@servicehall/fixtures';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWindowInBrowserMode } from '../apps/window/src/main/browser';
import { hallMinutesNow, launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * The clerk's PC is set by hand five minutes ahead, and to London's zone: the window screen counts
 * waits, the recall's cooldown and the pause by the hub's clock, and shows the hall's time.
 */
const SIZE = { width: 1920, height: 1080 };
const AHEAD_MS = 5 * 60_000;

let hall: TestHall;
let browser: Browser;
let terminal: Awaited<ReturnType<typeof runWindowInBrowserMode>>;
let page: Page;

beforeAll(async () => {
  hall = await startTestHall();
  const catalogue = demoCatalogue({ allDay: true });
  catalogue.queue = { ...catalogue.queue, recallCooldownSeconds: 60 };
  expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
  expect((await hall.api('PUT', '/api/clerks/1005/pin', { pin: '246810' })).status).toBe(200);
  browser = await launchChromium();
  terminal = await runWindowInBrowserMode(undefined, terminalEnv(hall, 'window-3', { SERVICEHALL_WINDOW: '3' }));
  page = await openScreen(browser, terminal.screen.url, SIZE, { timezoneId: 'Europe/London', clockOffMs: AHEAD_MS });
});

afterAll(async () => {
  await terminal?.stop();
  await browser?.close();
  await hall?.close();
});

describe('the window screen on a PC whose clock is off the hub’s', () => {
  it('counts the wait, the recall’s cooldown and the pause by the hub’s clock, and shows the hall’s time', async () => {
    await page.waitForSelector('[data-testid=sign-in]');
    await page.fill('input[name=clerk]', '1005');
    await page.fill('input[name=pin]', '246810');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=desk]');
    // The PC says five minutes later, in London; the bar says the hall's time.
    await expect.poll(async () => hallMinutesNow().includes((await page.locator('header time').textContent())!.slice(0, 5))).toBe(true);

    const number = (await hall.api<{ number: string }>('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' })).body.number;
    await expect.poll(() => page.locator(`[data-testid=queue] [data-ticket=${number}]`).count()).toBe(1);
    // Taken just now: by the PC's clock it had waited five minutes.
    expect(await page.locator(`[data-testid=queue] [data-ticket=${number}] .waited`).textContent()).toBe('0′');

    await page.keyboard.press('F1');
    await expect.poll(() => page.locator('[data-testid=current]').getAttribute('data-ticket')).toBe(number);
    expect(await page.locator('[data-testid=current]').textContent()).toContain('呼叫于 0 分钟前');
    // The hall's cooldown is a minute: by the PC's clock it was long over, and F2 offered at once.
    const recall = page.locator('[data-testid=actions] [data-action=recall] .extra');
    await expect.poll(() => recall.textContent()).toMatch(/^\d+ 秒后可重呼$/);
    const seconds = Number(/^(\d+)/.exec((await recall.textContent())!)![1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    await screenshot(page, 'window-clock-recall');

    await page.keyboard.press('F8');
    await page.click('[data-testid=pause-dialog] [data-reason=会议]');
    await page.click('[data-testid=pause-confirm]');
    await page.waitForSelector('[data-testid=paused]');
    // Paused just now: by the PC's clock, five minutes already.
    await expect.poll(() => page.locator('[data-testid=paused] .reason').textContent()).toMatch(/已暂停 0 分 \d\d 秒/);
    await screenshot(page, 'window-clock-paused');
  });
});
